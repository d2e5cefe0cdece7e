use moat_model::{Node, Resource, Severity};

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks the block devices of `aws_instance` and `aws_launch_configuration`
(`root_block_device`, `ebs_block_device`) and of `aws_launch_template`
(`block_device_mappings.ebs`) for `encrypted` not `true`, unless the account default
`aws_ebs_encryption_by_default` is enabled in the same configuration. An instance without a
`root_block_device` block gets an unencrypted root volume unless its AMI snapshot is encrypted.

## Differences from Checkov
`CKV_AWS_8` reads `aws_instance` and `aws_launch_configuration` only: findings on
`aws_launch_template` claim no Checkov equivalent.

## Why is this bad?
See EBS001: instance volumes hold the OS, application secrets on disk and often data.

## Example
```hcl
resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  root_block_device {
    volume_size = 20
  }
}
```

## Use instead
```hcl
  root_block_device {
    volume_size = 20
    encrypted   = true
  }
```
or enable `aws_ebs_encryption_by_default` for the account and region.

## References
- Seed 004: AWS Config "암호화되지 않은 EBS 볼륨 탐지"
- CIS AWS Foundations Benchmark v3.0.0, 2.2.1
- AWS: [Amazon EBS encryption](https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "instance_volume_unencrypted",
    family: super::FAMILY,
    title: "Instance block device is not encrypted",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_8"],
    doc: DOC,
    check,
};

fn device(out: &mut Out, r: &Resource, dev: &Node, what: &str, account: &Result<bool, String>) {
    let loc = dev.loc.as_ref().unwrap_or(&r.loc);
    match dev.get("encrypted") {
        Some(n) if n.is_unknown() => {
            let u = n.unknown_reason().map(why).unwrap_or_default();
            out.unknown(
                r,
                n.loc.as_ref().unwrap_or(loc),
                format!("`{what}.encrypted` is unknown: {u}"),
            );
        }
        Some(n) if n.as_bool() == Some(true) => {}
        other => {
            if dev.get("snapshot_id").is_some_and(|s| !s.is_null()) && other.is_none() {
                // Inherits the snapshot's encryption.
                return;
            }
            let loc = other.and_then(|n| n.loc.as_ref()).unwrap_or(loc);
            let how = match other {
                Some(n) => format!("`{what}.encrypted` is `{n}`"),
                None => format!("`{what}.encrypted` is not set (default `false`)"),
            };
            match account {
                Err(u) => out.unknown(
                    r,
                    loc,
                    format!("{how} and the account default is unknown: {u}"),
                ),
                Ok(_) => out.fail(r, loc, format!("{how}: the volume is stored unencrypted")),
            }
        }
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let account = super::account_default(ctx);
    if account == Ok(true) {
        return;
    }
    for t in ["aws_instance", "aws_launch_configuration"] {
        for r in ctx.of_type(t) {
            let roots = r.blocks("root_block_device");
            if roots.is_empty() {
                match &account {
                    Err(u) => out.unknown(r, &r.loc, format!("no `root_block_device` and the account default is unknown: {u}")),
                    Ok(_) => out.fail(r, &r.loc, "no `root_block_device` with `encrypted = true`: the root volume is unencrypted unless the AMI's snapshot is"),
                }
            }
            for d in roots {
                device(out, r, d, "root_block_device", &account);
            }
            for d in r.blocks("ebs_block_device") {
                device(out, r, d, "ebs_block_device", &account);
            }
        }
    }
    // `CKV_AWS_8` covers instances and launch configurations, not launch templates.
    out.claiming(&[], |out| {
        for r in ctx.of_type("aws_launch_template") {
            for m in r.blocks("block_device_mappings") {
                for e in m.blocks("ebs") {
                    device(out, r, e, "block_device_mappings.ebs", &account);
                }
            }
        }
    });
}
