//! The Terraform adapter of the storage family: S3 bucket settings merged from the bucket and
//! its separate resources, with the provider's defaults and unknown links.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[allow(unused_imports)] // each family uses some of them
use super::{id, load, load_hcl};

use moat_model::aws::storage::{Bucket, GrantSource};
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Tri, Unknown};

fn bucket<'e>(e: &'e Estate, address: &str) -> &'e Bucket {
    let id = e.by_address(address).unwrap();
    e.aws.storage.buckets.iter().find(|b| b.id == id).unwrap()
}

fn line<T>(a: &Attr<T>) -> u32 {
    a.loc.line
}

fn from<'e, T>(e: &'e Estate, a: &Attr<T>) -> &'e str {
    &e.get(a.from).unwrap().address
}

const SPLIT: &str = r#"
variable "alg" {}

resource "aws_s3_bucket" "a" {
  bucket = "bucket-a"
}

resource "aws_s3_bucket_versioning" "a" {
  bucket = aws_s3_bucket.a.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket" "b" {
  bucket = "bucket-b"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = var.alg
      }
    }
  }
}

resource "aws_s3_bucket_versioning" "b" {
  bucket = "bucket-b"
  versioning_configuration {
    status = "Suspended"
  }
}

resource "aws_s3_bucket_public_access_block" "b" {
  bucket              = aws_s3_bucket.b.id
  block_public_acls   = true
  block_public_policy = "yes"
}

resource "aws_s3_bucket_acl" "b" {
  bucket = aws_s3_bucket.b.id
  access_control_policy {
    grant {
      grantee {
        type = "Group"
        uri  = "http://acs.amazonaws.com/groups/global/AllUsers"
      }
      permission = "READ"
    }
    owner {
      id = "abc"
    }
  }
}

resource "aws_s3_bucket_logging" "b" {
  bucket        = aws_s3_bucket.b.id
  target_bucket = aws_s3_bucket.a.id
  target_prefix = "b/"
}

resource "aws_s3_bucket" "c" {
  bucket = "bucket-c"
  acl    = "public-read"
  lifecycle_rule {
    enabled = false
  }
}
"#;

#[test]
fn settings_of_separate_resources_are_merged_onto_their_bucket() {
    let e = load_hcl(SPLIT);
    assert_eq!(e.aws.storage.buckets.len(), 3);

    // Linked by reference: written, located in the separate resource, which decides it.
    let a = bucket(&e, "aws_s3_bucket.a");
    assert_eq!(a.versioning.value, AttrValue::Known("Enabled".to_string()));
    assert_eq!(a.versioning.path, "versioning_configuration.status");
    assert_eq!(line(&a.versioning), 11);
    assert_eq!(from(&e, &a.versioning), "aws_s3_bucket_versioning.a");
    // The target of `aws_s3_bucket_logging.b`.
    assert!(a.receives_access_logs);
    assert!(e.aws.storage.log_target_unknown.is_none());

    // Linked by literal bucket name.
    let b = bucket(&e, "aws_s3_bucket.b");
    assert_eq!(
        b.versioning.value,
        AttrValue::Known("Suspended".to_string())
    );
    assert_eq!(from(&e, &b.versioning), "aws_s3_bucket_versioning.b");
    assert_eq!(line(&b.versioning), 29);
    assert!(!b.receives_access_logs);
    assert_eq!(b.logging.value, AttrValue::Known(true));
    assert_eq!(from(&e, &b.logging), "aws_s3_bucket_logging.b");

    // Public access block of its own: a written flag, an absent one, an invalid one.
    assert!(b.own_public_access_block);
    let pab = &b.public_access_block;
    assert_eq!(pab.block_public_acls.value, AttrValue::Known(true));
    assert_eq!(line(&pab.block_public_acls), 35);
    assert_eq!(
        pab.block_public_policy.value,
        AttrValue::Invalid {
            written: "yes".into(),
            expected: "a bool"
        }
    );
    assert!(matches!(
        pab.block_public_policy.test(|v| *v),
        Tri::Unknown(_)
    ));
    assert_eq!(pab.ignore_public_acls.value, AttrValue::Default(false));
    assert_eq!(pab.ignore_public_acls.path, "ignore_public_acls");
    // A default is located at the bucket.
    assert_eq!(line(&pab.ignore_public_acls), 15);

    // Inline encryption whose algorithm is a variable without value.
    assert_eq!(
        b.encryption.value,
        AttrValue::Unknown(Unknown::Variable { name: "alg".into() })
    );
    assert_eq!(line(&b.encryption), 20);
    assert_eq!(from(&e, &b.encryption), "aws_s3_bucket.b");

    // Grants of the separate ACL resource.
    assert_eq!(b.grants.len(), 1);
    let g = &b.grants[0];
    assert_eq!(g.source, GrantSource::AclResource);
    assert_eq!(
        g.uri.value,
        AttrValue::Known("http://acs.amazonaws.com/groups/global/AllUsers".into())
    );
    assert_eq!(g.uri.path, "access_control_policy.grant.grantee.uri");
    assert_eq!(g.permission, "READ");
    assert_eq!(b.acl.value, AttrValue::Default("private".into()));

    // Nothing configured: the provider's defaults, at the bucket.
    assert_eq!(a.encryption.value, AttrValue::Default(None));
    assert_eq!(a.logging.value, AttrValue::Default(false));
    assert_eq!(a.lifecycle.value, AttrValue::Default(false));
    assert!(!a.own_public_access_block);
    assert_eq!(
        a.public_access_block.restrict_public_buckets.value,
        AttrValue::Default(false)
    );

    // Legacy inline settings.
    let c = bucket(&e, "aws_s3_bucket.c");
    assert_eq!(c.acl.value, AttrValue::Known("public-read".into()));
    assert_eq!(line(&c.acl), 63);
    assert_eq!(c.acl.from, c.id);
    // A lifecycle configuration exists, with no enabled rule.
    assert_eq!(c.lifecycle.value, AttrValue::Known(false));
    assert_eq!(c.versioning.value, AttrValue::Default("Disabled".into()));
}

#[test]
fn a_separate_resource_with_an_unknown_bucket_may_configure_any_bucket() {
    let e = load_hcl(
        r#"
variable "target" {}

resource "aws_s3_bucket" "a" {
  bucket = "bucket-a"
}

resource "aws_s3_bucket" "b" {
  bucket = "bucket-b"
}

resource "aws_s3_bucket_public_access_block" "b" {
  bucket                  = aws_s3_bucket.b.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "x" {
  bucket            = var.target
  block_public_acls = true
}

resource "aws_s3_bucket_policy" "x" {
  bucket = var.target
  policy = "{}"
}

resource "aws_s3_account_public_access_block" "acct" {
  restrict_public_buckets = true
}
"#,
    );
    // `a` has no block of its own: whatever `x` says may apply to it.
    let a = bucket(&e, "aws_s3_bucket.a");
    let flag = &a.public_access_block.block_public_acls;
    assert_eq!(
        flag.value,
        AttrValue::Unknown(Unknown::Variable {
            name: "target".into()
        })
    );
    assert_eq!(from(&e, flag), "aws_s3_bucket_public_access_block.x");
    assert_eq!(line(flag), 21);
    assert!(!a.own_public_access_block);
    // ... except what the account turns on for every bucket.
    let acct = &a.public_access_block.restrict_public_buckets;
    assert_eq!(acct.value, AttrValue::Known(true));
    assert_eq!(from(&e, acct), "aws_s3_account_public_access_block.acct");
    // The policy resource may attach to it too.
    let link = a.policy_link_unknown.as_ref().unwrap();
    assert_eq!(e.get(link.from).unwrap().address, "aws_s3_bucket_policy.x");
    assert!(a.policies.is_empty());

    // `b` has its own block, linked by reference: the unknown link does not touch it.
    let b = bucket(&e, "aws_s3_bucket.b");
    assert!(b.own_public_access_block);
    assert_eq!(
        b.public_access_block.block_public_acls.value,
        AttrValue::Known(true)
    );
    assert_eq!(
        from(&e, &b.public_access_block.block_public_acls),
        "aws_s3_bucket_public_access_block.b"
    );
}

#[test]
fn a_literal_bucket_name_not_in_the_estate_may_be_a_bucket_with_an_unknown_name() {
    let e = load_hcl(
        r#"
variable "name" {}

resource "aws_s3_bucket" "a" {
  bucket = var.name
}

resource "aws_s3_bucket_versioning" "v" {
  bucket = "somewhere"
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "l" {
  bucket        = "somewhere"
  target_bucket = var.name
}
"#,
    );
    let a = bucket(&e, "aws_s3_bucket.a");
    let AttrValue::Unknown(u) = &a.versioning.value else {
        panic!("{:?}", a.versioning)
    };
    assert_eq!(
        u.to_string(),
        "`aws_s3_bucket_versioning.v` names bucket `somewhere`, and this bucket's name is unknown (variable `name` has no value)"
    );
    assert_eq!(from(&e, &a.versioning), "aws_s3_bucket_versioning.v");
    // A logging target that is unknown could be any bucket.
    let link = e.aws.storage.log_target_unknown.as_ref().unwrap();
    assert_eq!(e.get(link.from).unwrap().address, "aws_s3_bucket_logging.l");
    assert_eq!(link.loc.line, 17);
}
