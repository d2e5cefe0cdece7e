use moat_model::{Node, Resource, Severity, Value};

use crate::registry::{bool_attr, why, BoolAttr, Ctx, Out, RuleDef};

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
- Seed 001, container security: "컨테이너 이미지 보안: 취약점 스캔 및 검증 (ECR Image Scanning)"; seed 004: "Amazon ECR Image Scanning: 취약점 스캔"
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

fn registry(ctx: &Ctx<'_>, repo: &Resource) -> Registry {
    let configs: Vec<&Resource> = ctx
        .of_type("aws_ecr_registry_scanning_configuration")
        .collect();
    if configs.is_empty() {
        return Registry::Absent;
    }
    let name = repo.get("name").map(|n| &n.value);
    let mut unknown = None;
    for c in configs {
        for rule in c.blocks("rule") {
            let freq = rule.get("scan_frequency").map(|n| &n.value);
            match freq {
                Some(Value::String(f)) if f == "SCAN_ON_PUSH" || f == "CONTINUOUS_SCAN" => {}
                Some(Value::Unknown(u)) => {
                    unknown.get_or_insert(format!(
                        "a `scan_frequency` of `{}` is unknown: {}",
                        c.address,
                        why(u)
                    ));
                    continue;
                }
                _ => continue,
            }
            for f in rule.blocks("repository_filter") {
                match (f.get("filter").map(|n| &n.value), name) {
                    (Some(Value::String(p)), Some(Value::String(n))) if glob(p, n) => {
                        return Registry::Scanned;
                    }
                    (Some(Value::String(p)), _) if p == "*" => return Registry::Scanned,
                    (Some(Value::Unknown(u)), _) => {
                        unknown.get_or_insert(format!(
                            "a filter of `{}` is unknown: {}",
                            c.address,
                            why(u)
                        ));
                    }
                    (_, Some(Value::Unknown(u))) => {
                        unknown
                            .get_or_insert(format!("the repository name is unknown: {}", why(u)));
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
    const ATTR: &str = "image_scanning_configuration.0.scan_on_push";
    for r in ctx.of_type("aws_ecr_repository") {
        let own = bool_attr(r, ATTR, false);
        let own_loc = r
            .blocks("image_scanning_configuration")
            .first()
            .and_then(|b| b.get("scan_on_push"))
            .and_then(|n: &Node| n.loc.as_ref())
            .unwrap_or(&r.loc);
        let reg = registry(ctx, r);
        let own_on = matches!(own, BoolAttr::Value(true, _));
        // Checkov reads only the repository's own setting.
        let ids: &[&'static str] = if own_on { &[] } else { &["CKV_AWS_163"] };
        out.claiming(ids, |out| match (reg, own) {
            (Registry::Scanned, _) => {}
            (Registry::Unknown(u), _) => out.unknown(r, &r.loc, format!("the registry scanning rules cannot be matched: {u}")),
            (Registry::NotMatched, BoolAttr::Value(true, _)) => out.unknown(
                r,
                own_loc,
                "`scan_on_push` is `true`, but the registry scanning configuration, which overrides it, has no scan-on-push rule matching this repository",
            ),
            (Registry::NotMatched, _) => out.fail(
                r,
                &r.loc,
                "no registry scanning rule matches this repository and `scan_on_push` is not `true`: pushed images are not scanned",
            ),
            (Registry::Absent, BoolAttr::Value(true, _)) => {}
            (Registry::Absent, BoolAttr::Value(false, loc)) => {
                let how = if r.path(ATTR).is_some_and(|n| !n.is_null()) {
                    "`scan_on_push` is `false`"
                } else {
                    "`image_scanning_configuration.scan_on_push` is not set (default `false`)"
                };
                out.fail(r, loc, format!("{how}: pushed images are not scanned for vulnerabilities"));
            }
            (Registry::Absent, BoolAttr::Unknown(u, loc)) => {
                out.unknown(r, loc, format!("`scan_on_push` is unknown: {}", why(u)))
            }
            (Registry::Absent, BoolAttr::Invalid(n, loc)) => {
                out.unknown(r, loc, format!("`scan_on_push` is `{n}`, not a bool"))
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
