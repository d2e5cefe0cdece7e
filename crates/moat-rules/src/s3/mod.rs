//! S3 buckets: encryption, versioning, access logging, lifecycle, Block Public Access, ACLs and
//! bucket policies, read from the storage family of the typed state (settings written in
//! separate resources are merged onto their bucket).
//!
//! References: the [Amazon S3 security best practices](https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html),
//! CIS AWS Foundations Benchmark v3.0.0 section 2.1 (Simple Storage Service).

pub(crate) mod bucket_access_logging;
pub(crate) mod bucket_kms_encryption;
pub(crate) mod bucket_lifecycle;
pub(crate) mod bucket_policy_public;
pub(crate) mod bucket_public_access_block;
pub(crate) mod bucket_public_acl;
pub(crate) mod bucket_versioning;

pub(crate) const FAMILY: &str = "s3";

use std::fmt::Display;

use moat_model::aws::{Attr, AttrValue};
use moat_model::Resource;

use crate::registry::{Ctx, Out};

/// Check a bucket setting that must satisfy `ok`, naming it `label` in messages: "`label` is
/// `v` in `<resource that decides it>`: what", "`label` is not configured (default `v`): what"
/// (at the bucket), or an unknown finding ("`label` is unknown (set by `<resource>`): why").
pub(crate) fn require_setting<T: Display>(
    ctx: &Ctx<'_>,
    out: &mut Out,
    bucket: &Resource,
    attr: &Attr<T>,
    label: &str,
    ok: impl Fn(&T) -> bool,
    what: &str,
) {
    let from = ctx
        .resource(attr.from)
        .filter(|f| f.address != bucket.address);
    match &attr.value {
        AttrValue::Known(v) if !ok(v) => {
            let place = from
                .map(|f| format!(" in `{}`", f.address))
                .unwrap_or_default();
            out.fail(
                bucket,
                &attr.loc,
                format!("`{label}` is `{v}`{place}: {what}"),
            );
        }
        AttrValue::Default(v) if !ok(v) => {
            out.fail(
                bucket,
                &bucket.loc,
                format!("`{label}` is not configured (default `{v}`): {what}"),
            );
        }
        AttrValue::Known(_) | AttrValue::Default(_) => {}
        AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
            let place = from
                .map(|f| format!(" (set by `{}`)", f.address))
                .unwrap_or_default();
            out.unknown(
                bucket,
                &attr.loc,
                format!("`{label}` is unknown{place}: {}", undecided(attr)),
            );
        }
    }
}

/// Why a setting is unknown or invalid, as a message states it ("variable `x` has no value",
/// "`block_public_acls` is `yes`, not a bool"); empty when it is decided.
pub(crate) fn undecided<T>(attr: &Attr<T>) -> String {
    match &attr.value {
        AttrValue::Unknown(u) => u.to_string(),
        AttrValue::Invalid { written, expected } => {
            format!("`{}` is `{written}`, not {expected}", attr.path)
        }
        AttrValue::Known(_) | AttrValue::Default(_) => String::new(),
    }
}
