//! IAM evaluation speed (issue 9): decisions per second on typical policies, and `who-can`
//! over a generated estate of 1,000 roles and 5,000 policies.
//!
//! `cargo bench -p moat-bench --bench iam`. Figures in docs/PERFORMANCE.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

use moat_bench::iam::generated_estate;
use moat_iam::condition::RequestContext;
use moat_iam::eval::{evaluate, request_context, NamedPolicy, PolicySet, Query};
use moat_iam::policy::Policy;
use moat_iam::principal::RequestPrincipal;
use moat_iam::simulate::Request;
use serde_json::json;

fn policy(v: serde_json::Value) -> Policy {
    Policy::from_json(&v).unwrap()
}

/// A typical application role: read and write its own prefix, list its bucket, a KMS grant,
/// a deny without TLS; a boundary; a bucket policy denying outside the VPC endpoint; two SCP
/// levels.
fn typical() -> (
    Vec<NamedPolicy>,
    Vec<NamedPolicy>,
    NamedPolicy,
    Vec<NamedPolicy>,
) {
    let identity = vec![
        NamedPolicy::new(
            "app",
            policy(json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                 "Resource": "arn:aws:s3:::reports/${aws:PrincipalTag/team}/*"},
                {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::reports",
                 "Condition": {"StringLike": {"s3:prefix": ["${aws:PrincipalTag/team}/*"]}}},
                {"Sid": "Kms", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "arn:aws:kms:*:111122223333:key/*"},
                {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
                {"Sid": "NoTls", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
            ]})),
        ),
        NamedPolicy::new(
            "ReadOnlyAccess-like",
            policy(json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ec2:Describe*", "s3:Get*", "s3:List*", "iam:Get*", "iam:List*", "cloudwatch:*"], "Resource": "*"}
            ]})),
        ),
    ];
    let resource = vec![NamedPolicy::new(
        "bucket",
        policy(json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "VpceOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
             "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*",
             "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]}
        ]})),
    )];
    let boundary = NamedPolicy::new(
        "boundary",
        policy(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:*", "kms:*", "logs:*", "ec2:Describe*"], "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
        ]})),
    );
    let scps = vec![
        NamedPolicy::new(
            "FullAWSAccess",
            policy(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]})),
        ),
        NamedPolicy::new(
            "RegionLock",
            policy(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "cloudfront:*"], "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}}]})),
        ),
    ];
    (identity, resource, boundary, scps)
}

fn bench_decisions(c: &mut Criterion) {
    let (identity, resource, boundary, scps) = typical();
    let principal = RequestPrincipal::parse("arn:aws:sts::111122223333:assumed-role/app/i-0abc");
    let mut given = RequestContext::new();
    given
        .set("aws:PrincipalTag/team", "finance")
        .set("aws:SecureTransport", "true")
        .set("aws:SourceVpce", "vpce-1a2b3c4d")
        .set("aws:RequestedRegion", "eu-west-1")
        .set("aws:SourceIp", "10.1.2.3");
    let ctx = request_context(&given, &principal, Some("111122223333"));
    let set = PolicySet {
        identity: identity.iter().collect(),
        resource: resource.iter().collect(),
        boundary: Some(&boundary),
        session: None,
        scps: vec![vec![&scps[0]], vec![&scps[1]]],
        rcps: Vec::new(),
    };
    let requests = [
        ("s3:GetObject", "arn:aws:s3:::reports/finance/q1.csv"),
        ("s3:PutObject", "arn:aws:s3:::reports/hr/q1.csv"),
        ("kms:Decrypt", "arn:aws:kms:eu-west-1:111122223333:key/1234"),
        ("iam:CreateUser", "arn:aws:iam::111122223333:user/x"),
    ];
    let mut g = c.benchmark_group("iam");
    g.throughput(Throughput::Elements(requests.len() as u64));
    g.bench_function("decide_typical_x4", |b| {
        b.iter(|| {
            for (action, resource) in &requests {
                let q = Query {
                    principal: &principal,
                    action,
                    resource,
                    resource_account: Some("111122223333"),
                    context: &ctx,
                };
                black_box(evaluate(&set, &q));
            }
        })
    });
    // The identity-based policies alone (the common case: a role's own policies, no bucket
    // policy, boundary or SCP).
    let identity_only = PolicySet {
        identity: identity.iter().collect(),
        ..PolicySet::default()
    };
    g.bench_function("decide_identity_only_x4", |b| {
        b.iter(|| {
            for (action, resource) in &requests {
                let q = Query {
                    principal: &principal,
                    action,
                    resource,
                    resource_account: Some("111122223333"),
                    context: &ctx,
                };
                black_box(evaluate(&identity_only, &q));
            }
        })
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("simulate_request_with_context", |b| {
        let req = Request::from_json(0, &json!({
            "principal": "arn:aws:sts::111122223333:assumed-role/app/i-0abc",
            "action": "s3:GetObject", "resource": "arn:aws:s3:::reports/finance/q1.csv",
            "identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}],
            "context": {"aws:SecureTransport": "true"}
        }))
        .unwrap();
        b.iter(|| black_box(req.evaluate()))
    });
    g.finish();

    let estate = generated_estate(1_000, 5_000);
    let mut g = c.benchmark_group("iam_estate");
    g.sample_size(10);
    g.bench_function("who_can_1000_roles_5000_policies", |b| {
        let ctx = RequestContext::open();
        b.iter(|| black_box(estate.who_can("s3:GetObject", "arn:aws:s3:::bucket-7/key", &ctx)))
    });
    g.bench_function("who_can_transitive_1000_roles_5000_policies", |b| {
        let ctx = RequestContext::open();
        b.iter(|| {
            black_box(estate.who_can_transitive("s3:GetObject", "arn:aws:s3:::bucket-7/key", &ctx))
        })
    });
    g.finish();
}

criterion_group!(benches, bench_decisions);
criterion_main!(benches);
