//! Rules on small hand-built estates, independent of the Terraform frontend.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use moat_model::{Estate, Frontend, Loc, Node, Resource, Status, Unknown, Value};

fn res(addr: &str, rtype: &str, line: u32) -> Resource {
    let name = addr.rsplit('.').next().unwrap_or(addr);
    Resource::new(
        addr,
        rtype,
        name,
        Frontend::Terraform,
        Loc::new("main.tf", line, 1),
    )
}

fn at(v: Value, line: u32) -> Node {
    Node::at(v, Loc::new("main.tf", line, 3))
}

#[test]
fn empty_estate_has_no_findings() {
    let mut e = Estate::new();
    e.index();
    moat_terraform::adapt(&mut e);
    assert!(moat_rules::check(&e).is_empty());
}

#[test]
fn computed_kms_reference_counts_as_set() {
    let mut e = Estate::new();
    let mut t = res("aws_cloudtrail.t", "aws_cloudtrail", 1);
    t.attrs.insert(
        "kms_key_id".into(),
        Node::unknown(
            Unknown::Computed {
                address: "aws_kms_key.k".into(),
                attr: "arn".into(),
            },
            None,
        ),
    );
    e.push(t);
    e.index();
    moat_terraform::adapt(&mut e);
    assert!(moat_rules::check_only(&e, &["CT003"]).is_empty());
}

#[test]
fn unknown_bool_is_reported_unknown_never_passed() {
    let mut e = Estate::new();
    let mut d = res("aws_db_instance.db", "aws_db_instance", 1);
    d.attrs.insert(
        "storage_encrypted".into(),
        Node::unknown(
            Unknown::Variable {
                name: "encrypt".into(),
            },
            Some(Loc::new("main.tf", 4, 3)),
        ),
    );
    e.push(d);
    e.index();
    moat_terraform::adapt(&mut e);
    let f = moat_rules::check_only(&e, &["rds001"]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, Status::Unknown);
    assert_eq!(f[0].line, 4);
    assert_eq!(
        f[0].message,
        "`storage_encrypted` is unknown: variable `encrypt` has no value"
    );
}

#[test]
fn split_versioning_by_literal_name_passes_and_findings_are_sorted() {
    let mut e = Estate::new();
    let mut b = res("aws_s3_bucket.b", "aws_s3_bucket", 1);
    b.attrs
        .insert("bucket".into(), at(Value::String("data".into()), 2));
    e.push(b);
    let mut v = res("aws_s3_bucket_versioning.v", "aws_s3_bucket_versioning", 5);
    v.attrs
        .insert("bucket".into(), at(Value::String("data".into()), 6));
    let cfg = Node::from(Value::Map(
        [("status".to_string(), at(Value::String("Enabled".into()), 8))].into(),
    ));
    v.attrs.insert(
        "versioning_configuration".into(),
        Node::from(Value::List(vec![cfg])),
    );
    e.push(v);
    e.index();
    moat_terraform::adapt(&mut e);
    assert!(moat_rules::check_only(&e, &["S3002"]).is_empty());
    let all = moat_rules::check(&e);
    let mut sorted = all.clone();
    moat_model::sort_findings(&mut sorted);
    assert_eq!(all, sorted);
    // A finding claims a subset of its rule's Checkov IDs (S3003 claims none for the flags
    // Checkov only checks on an access block resource, which this bucket lacks).
    for f in &all {
        let listed = moat_rules::rule(&f.rule_id).unwrap().checkov;
        assert!(
            f.equivalent
                .checkov
                .iter()
                .all(|c| listed.contains(&c.as_str())),
            "{f:?}"
        );
        assert!(
            !f.equivalent.checkov.is_empty()
                || ["NET", "SG004", "MON002", "S3003"]
                    .iter()
                    .any(|p| f.rule_id.starts_with(p)),
            "{f:?}"
        );
    }
}

#[test]
fn catalogue_is_sorted_and_lookup_is_case_insensitive() {
    let c = moat_rules::catalogue();
    assert!(c.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(moat_rules::rule("s3002").map(|r| r.id), Some("S3002"));
    assert_eq!(moat_rules::rule_name("S3002"), Some("bucket_versioning"));
    assert!(moat_rules::rule("S3999").is_none());
}

fn var(name: &str, line: u32) -> Node {
    Node::unknown(
        Unknown::Variable { name: name.into() },
        Some(Loc::new("main.tf", line, 3)),
    )
}

#[test]
fn s3004_bucket_that_may_be_an_unknown_log_target_is_unknown() {
    let mut e = Estate::new();
    let mut b = res("aws_s3_bucket.logs", "aws_s3_bucket", 1);
    b.attrs
        .insert("bucket".into(), at(Value::String("logs".into()), 2));
    e.push(b);
    let mut l = res("aws_s3_bucket_logging.l", "aws_s3_bucket_logging", 5);
    l.attrs
        .insert("bucket".into(), at(Value::String("elsewhere".into()), 6));
    l.attrs.insert("target_bucket".into(), var("target", 7));
    e.push(l);
    e.index();
    moat_terraform::adapt(&mut e);
    let f = moat_rules::check_only(&e, &["S3004"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].resource, "aws_s3_bucket.logs");
    assert_eq!(f[0].status, Status::Unknown);
    assert_eq!(f[0].line, 1);
    assert!(
        f[0].message.contains("`aws_s3_bucket_logging.l`"),
        "{}",
        f[0].message
    );
}

#[test]
fn s3004_literal_log_target_is_exempt() {
    let mut e = Estate::new();
    let mut b = res("aws_s3_bucket.logs", "aws_s3_bucket", 1);
    b.attrs
        .insert("bucket".into(), at(Value::String("logs".into()), 2));
    e.push(b);
    let mut l = res("aws_s3_bucket_logging.l", "aws_s3_bucket_logging", 5);
    l.attrs
        .insert("bucket".into(), at(Value::String("elsewhere".into()), 6));
    l.attrs
        .insert("target_bucket".into(), at(Value::String("logs".into()), 7));
    e.push(l);
    e.index();
    moat_terraform::adapt(&mut e);
    assert!(moat_rules::check_only(&e, &["S3004"]).is_empty());
}

#[test]
fn sg006_vpc_is_unknown_when_a_default_group_vpc_id_is_unknown() {
    let mut e = Estate::new();
    e.push(res("aws_vpc.main", "aws_vpc", 1));
    let mut d = res(
        "aws_default_security_group.d",
        "aws_default_security_group",
        5,
    );
    d.attrs.insert("vpc_id".into(), var("vpc", 6));
    e.push(d);
    e.index();
    moat_terraform::adapt(&mut e);
    let f = moat_rules::check_only(&e, &["SG006"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].resource, "aws_vpc.main");
    assert_eq!(f[0].status, Status::Unknown);
    assert_eq!(f[0].line, 1);
}

#[test]
fn sg006_vpc_adopted_by_reference_passes_and_unadopted_fails() {
    let mut e = Estate::new();
    e.push(res("aws_vpc.a", "aws_vpc", 1));
    e.push(res("aws_vpc.b", "aws_vpc", 3));
    let mut d = res(
        "aws_default_security_group.a",
        "aws_default_security_group",
        5,
    );
    d.attrs.insert(
        "vpc_id".into(),
        Node::unknown(
            Unknown::Computed {
                address: "aws_vpc.a".into(),
                attr: "id".into(),
            },
            Some(Loc::new("main.tf", 6, 3)),
        ),
    );
    e.push(d);
    e.index();
    moat_terraform::adapt(&mut e);
    let f = moat_rules::check_only(&e, &["SG006"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].resource, "aws_vpc.b");
    assert_eq!(f[0].status, Status::Fail);
    assert_eq!(f[0].line, 3);
    assert_eq!(f[0].equivalent.checkov, vec!["CKV2_AWS_12".to_string()]);
}
