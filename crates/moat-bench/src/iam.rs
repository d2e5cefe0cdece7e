//! A generated IAM estate for benchmarks: `roles` roles, `policies` identity policies spread
//! over them (at least one each), 50 buckets with bucket policies, trust policies that let
//! some roles assume others. Deterministic.

use moat_iam::estate::{EstatePrincipal, EstateResource, IamEstate, ResourceKind};
use moat_iam::eval::NamedPolicy;
use moat_iam::policy::Policy;
use moat_iam::principal::PrincipalKind;
use serde_json::json;

const ACCOUNT: &str = "111122223333";
const BUCKETS: usize = 50;

/// The generated estate.
pub fn generated_estate(roles: usize, policies: usize) -> IamEstate {
    let mut e = IamEstate {
        account: Some(ACCOUNT.to_string()),
        ..IamEstate::default()
    };
    let actions = [
        json!(["s3:GetObject", "s3:ListBucket"]),
        json!("s3:*"),
        json!(["dynamodb:GetItem", "dynamodb:Query"]),
        json!(["sqs:SendMessage", "sqs:ReceiveMessage"]),
        json!("ec2:Describe*"),
        json!(["kms:Decrypt"]),
        json!(["logs:CreateLogStream", "logs:PutLogEvents"]),
        json!("sts:AssumeRole"),
    ];
    for r in 0..roles {
        e.principals.push(EstatePrincipal {
            address: format!("aws_iam_role.r{r}"),
            kind: PrincipalKind::Role,
            arn: format!("arn:aws:iam::{ACCOUNT}:role/r{r}"),
            name: Some(format!("r{r}")),
            identity: Vec::new(),
            boundary: None,
            trust: None,
            loc: None,
        });
    }
    for p in 0..policies {
        let a = actions
            .get(p % actions.len())
            .cloned()
            .unwrap_or(json!("s3:GetObject"));
        let b = p % BUCKETS;
        let resource = if p % 3 == 0 {
            json!("*")
        } else {
            json!([
                format!("arn:aws:s3:::bucket-{b}"),
                format!("arn:aws:s3:::bucket-{b}/*")
            ])
        };
        let mut st =
            json!({"Sid": format!("S{p}"), "Effect": "Allow", "Action": a, "Resource": resource});
        if let (0, Some(map)) = (p % 7, st.as_object_mut()) {
            map.insert(
                "Condition".into(),
                json!({"StringEquals": {"aws:PrincipalTag/team": format!("t{}", p % 5)}}),
            );
        }
        let mut stmts = vec![st];
        if p % 11 == 0 {
            stmts.push(json!({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}));
        }
        let doc = json!({"Version": "2012-10-17", "Statement": stmts});
        let Ok(policy) = Policy::from_json(&doc) else {
            continue;
        };
        let index = e.policies.len();
        e.policies
            .push(NamedPolicy::new(format!("aws_iam_policy.p{p}"), policy));
        if let Some(role) = e.principals.get_mut(p % roles.max(1)) {
            role.identity.push(index);
        }
    }
    for r in 0..roles {
        // Every tenth role trusts the previous role; the rest trust EC2.
        let principal = if r % 10 == 0 && r > 0 {
            json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:role/r{}", r - 1)})
        } else {
            json!({"Service": "ec2.amazonaws.com"})
        };
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]});
        let Ok(policy) = Policy::from_json(&doc) else {
            continue;
        };
        let index = e.policies.len();
        e.policies
            .push(NamedPolicy::new(format!("aws_iam_role.r{r}"), policy));
        if let Some(role) = e.principals.get_mut(r) {
            role.trust = Some(index);
        }
        e.resources.push(EstateResource {
            address: format!("aws_iam_role.r{r}"),
            kind: ResourceKind::Role,
            arns: vec![format!("arn:aws:iam::{ACCOUNT}:role/r{r}")],
            policies: vec![index],
            loc: None,
        });
    }
    for b in 0..BUCKETS {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [format!("arn:aws:s3:::bucket-{b}"), format!("arn:aws:s3:::bucket-{b}/*")],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:role/r{b}")},
             "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::bucket-{b}/*")}]});
        let Ok(policy) = Policy::from_json(&doc) else {
            continue;
        };
        let index = e.policies.len();
        e.policies.push(NamedPolicy::new(
            format!("aws_s3_bucket_policy.b{b}"),
            policy,
        ));
        e.resources.push(EstateResource {
            address: format!("aws_s3_bucket.b{b}"),
            kind: ResourceKind::Bucket,
            arns: vec![
                format!("arn:aws:s3:::bucket-{b}"),
                format!("arn:aws:s3:::bucket-{b}/*"),
            ],
            policies: vec![index],
            loc: None,
        });
    }
    e
}
