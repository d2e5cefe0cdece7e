use moat_model::aws::compute::{BlockDevice, InstanceKind};
use moat_model::aws::AttrValue;
use moat_model::{Resource, Severity};

use crate::registry::{Ctx, Out, RuleDef};

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
- AWS Security Hub: [EC2.3] Attached Amazon EBS volumes should be encrypted at-rest
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

fn device(out: &mut Out, r: &Resource, dev: &BlockDevice, account: &Result<bool, String>) {
    let attr = &dev.encrypted;
    let how = match &attr.value {
        AttrValue::Unknown(_) => {
            out.unknown(r, &attr.loc, attr.describe());
            return;
        }
        AttrValue::Known(true) | AttrValue::Default(true) => return,
        // Inherits the snapshot's encryption.
        AttrValue::Default(false) if dev.from_snapshot => return,
        AttrValue::Invalid { written, .. } => format!("`{}` is `{written}`", attr.path),
        AttrValue::Known(false) | AttrValue::Default(false) => attr.describe(),
    };
    match account {
        Err(u) => out.unknown(
            r,
            &attr.loc,
            format!("{how} and the account default is unknown: {u}"),
        ),
        Ok(_) => out.fail(
            r,
            &attr.loc,
            format!("{how}: the volume is stored unencrypted"),
        ),
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let account = super::account_default(ctx);
    if account == Ok(true) {
        return;
    }
    let terms = &ctx.aws().terms;
    for i in &ctx.aws().compute.instances {
        let Some(r) = ctx.resource(i.id) else {
            continue;
        };
        // `CKV_AWS_8` covers instances and launch configurations, not launch templates.
        let ids: &[&'static str] = match i.kind {
            InstanceKind::LaunchTemplate => &[],
            InstanceKind::Instance | InstanceKind::LaunchConfiguration => &["CKV_AWS_8"],
        };
        out.claiming(ids, |out| {
            if i.kind != InstanceKind::LaunchTemplate && !i.declares_root_device() {
                match &account {
                    Err(u) => out.unknown(r, &r.loc, format!("no `{}` and the account default is unknown: {u}", terms.root_block_device)),
                    Ok(_) => out.fail(r, &r.loc, format!("no `{}` with `{}`: the root volume is unencrypted unless the AMI's snapshot is", terms.root_block_device, terms.device_encrypted_on)),
                }
            }
            for d in &i.block_devices {
                device(out, r, d, &account);
            }
        });
    }
}
