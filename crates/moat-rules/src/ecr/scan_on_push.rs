use moat_model::aws::containers::EcrRepository;
use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_ecr_repository` scans images on push. When the estate declares an
`aws_ecr_registry_scanning_configuration`, its rules decide: a repository is scanned when a
rule with `scan_frequency` `SCAN_ON_PUSH` or `CONTINUOUS_SCAN` has a `WILDCARD` filter matching
the repository name. Otherwise the repository's
`image_scanning_configuration { scan_on_push = true }` decides (default `false`). A
repository that only the repository-level setting would scan, under a registry configuration
whose rules do not match it, is reported as unknown: the registry configuration overrides it.

## Differences from Checkov
`CKV_AWS_163` reads only the repository's own `scan_on_push`: it fails a repository that a
registry-level scanning rule covers, which moat passes, and passes one whose setting the
registry configuration overrides. Only findings where the repository's own setting is off claim
it.

## Why is this bad?
Without scanning, images with known vulnerabilities (CVEs in the base image or packages) are
deployed without anyone being told.

## Example
```hcl
resource "aws_ecr_repository" "app" {
  name = "app"
}
```

## Use instead
```hcl
resource "aws_ecr_repository" "app" {
  name = "app"
  image_scanning_configuration {
    scan_on_push = true
  }
}
```

## References
- AWS Security Hub: [ECR.1] ECR private repositories should have image scanning configured
- AWS: [Scan images for software vulnerabilities in Amazon ECR](https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "scan_on_push",
    family: super::FAMILY,
    title: "ECR images are not scanned on push",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_163"],
    doc: DOC,
    check,
};

/// Whether a glob with `*` matches `s` (ECR wildcard filters).
fn glob(pattern: &str, s: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = s.strip_prefix(first) else {
        return false;
    };
    let rest_parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = rest_parts.split_last() else {
        return rest.is_empty();
    };
    for mid in middle {
        match rest.find(mid) {
            Some(i) => rest = rest.get(i + mid.len()..).unwrap_or(""),
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The outcome of the registry rules for one repository name.
enum Registry {
    /// No registry configuration in the estate.
    Absent,
    Scanned,
    NotMatched,
    Unknown(String),
}

fn registry(ctx: &Ctx<'_>, repo: &EcrRepository) -> Registry {
    let configs = &ctx.aws().containers.ecr_registry_scanning;
    if configs.is_empty() {
        return Registry::Absent;
    }
    let name = repo.name.as_ref().map(|n| &n.value);
    let mut unknown = None;
    for c in configs {
        let address = ctx.resource(c.id).map(|r| r.address.as_str()).unwrap_or("");
        for rule in &c.rules {
            let Some(frequency) = &rule.frequency else {
                continue;
            };
            match &frequency.value {
                AttrValue::Known(f) if f == "SCAN_ON_PUSH" || f == "CONTINUOUS_SCAN" => {}
                AttrValue::Unknown(u) => {
                    // The setting's own name: the path's last segment.
                    let setting = frequency.path.rsplit('.').next().unwrap_or(&frequency.path);
                    unknown.get_or_insert(format!("a `{setting}` of `{address}` is unknown: {u}"));
                    continue;
                }
                _ => continue,
            }
            for f in &rule.filters {
                match (&f.value, name) {
                    (AttrValue::Known(p), Some(AttrValue::Known(n))) if glob(p, n) => {
                        return Registry::Scanned;
                    }
                    (AttrValue::Known(p), _) if p == "*" => return Registry::Scanned,
                    (AttrValue::Unknown(u), _) => {
                        unknown.get_or_insert(format!("a filter of `{address}` is unknown: {u}"));
                    }
                    (_, Some(AttrValue::Unknown(u))) => {
                        unknown.get_or_insert(format!("the repository name is unknown: {u}"));
                    }
                    _ => {}
                }
            }
        }
    }
    match unknown {
        Some(u) => Registry::Unknown(u),
        None => Registry::NotMatched,
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for repo in &ctx.aws().containers.ecr_repositories {
        let Some(r) = ctx.resource(repo.id) else {
            continue;
        };
        let own = &repo.scan_on_push;
        // The setting's own name, as the repository's messages give it.
        let name = own.path.rsplit('.').next().unwrap_or(&own.path);
        let reg = registry(ctx, repo);
        let own_on = own.get() == Some(&true);
        // Checkov reads only the repository's own setting.
        let ids: &[&'static str] = if own_on { &[] } else { &["CKV_AWS_163"] };
        out.claiming(ids, |out| match (reg, &own.value) {
            (Registry::Scanned, _) => {}
            (Registry::Unknown(u), _) => out.unknown(r, &r.loc, format!("the registry scanning rules cannot be matched: {u}")),
            (Registry::NotMatched, _) if own_on => out.unknown(
                r,
                &own.loc,
                format!("`{name}` is `true`, but the registry scanning configuration, which overrides it, has no scan-on-push rule matching this repository"),
            ),
            (Registry::NotMatched, _) => out.fail(
                r,
                &r.loc,
                format!("no registry scanning rule matches this repository and `{name}` is not `true`: pushed images are not scanned"),
            ),
            (Registry::Absent, _) if own_on => {}
            (Registry::Absent, AttrValue::Default(_)) => out.fail(
                r,
                &own.loc,
                format!("{}: pushed images are not scanned for vulnerabilities", own.describe()),
            ),
            (Registry::Absent, AttrValue::Known(v)) => out.fail(
                r,
                &own.loc,
                format!("`{name}` is `{v}`: pushed images are not scanned for vulnerabilities"),
            ),
            (Registry::Absent, AttrValue::Unknown(u)) => {
                out.unknown(r, &own.loc, format!("`{name}` is unknown: {u}"))
            }
            (Registry::Absent, AttrValue::Invalid { written, expected }) => {
                out.unknown(r, &own.loc, format!("`{name}` is `{written}`, not {expected}"))
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn wildcard_filters() {
        assert!(glob("*", "anything"));
        assert!(glob("prod-*", "prod-api"));
        assert!(!glob("prod-*", "dev-api"));
        assert!(glob("*-api", "prod-api"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxcyyb"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
        assert!(!glob("ab*ba", "aba"));
    }
}
