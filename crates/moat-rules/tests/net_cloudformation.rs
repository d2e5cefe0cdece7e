//! The NET rules on CloudFormation: every template under
//! `fixtures/network/<CODE>/cloudformation/<variant>.yaml` (the Terraform variants of
//! `fixtures/network/<CODE>/terraform/<variant>/main.tf` written as CloudFormation, plus cases
//! only CloudFormation has) gives exactly the NET findings its `# expect: CODE LogicalId` and
//! `# expect-unknown:` annotations name, on the annotated lines; the standard network
//! (`fixtures/network/standard/cloudformation`) gives none. The findings are snapshotted as
//! `<CODE>_<variant>@cloudformation`. (The Terraform variants run in `src/network/tests.rs`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use moat_model::{Finding, Status};

fn network() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/network")
}

/// NET findings of one template, sorted.
fn findings(path: &Path) -> Vec<Finding> {
    let estates = moat_cloudformation::load(path, &moat_cloudformation::Options::default());
    assert_eq!(estates.len(), 1, "{}: one template", path.display());
    let e = &estates[0];
    assert!(!e.resources.is_empty(), "{}: no resource", path.display());
    assert!(e.errors.is_empty(), "{}: {:?}", path.display(), e.errors);
    let mut f: Vec<Finding> = moat_rules::check(e)
        .into_iter()
        .filter(|f| f.rule_id.starts_with("NET"))
        .collect();
    moat_model::sort_findings(&mut f);
    f
}

type Row = (u32, String, String, &'static str);

/// The annotated findings: `(line, code, logical ID, fail|unknown)`.
fn expected(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for (marker, status) in [("# expect-unknown:", "unknown"), ("# expect:", "fail")] {
            if let Some(pos) = line.find(marker) {
                for item in line[pos + marker.len()..].split(" ; ") {
                    let (code, id) = item.trim().split_once(' ').unwrap();
                    out.push((i as u32 + 1, code.into(), id.trim().into(), status));
                }
                break;
            }
        }
    }
    out.sort();
    out
}

fn render(f: &[Finding]) -> String {
    f.iter()
        .map(|f| {
            let status = if f.status == Status::Unknown {
                " (unknown)"
            } else {
                ""
            };
            format!(
                "{} {}:{} {}{}\n  {}",
                f.rule_id,
                Path::new(&f.file).file_name().unwrap().to_string_lossy(),
                f.line,
                f.resource,
                status,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every CloudFormation variant of the NET fixtures: `(CODE, variant, path)`.
fn variants() -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for code in std::fs::read_dir(network()).unwrap() {
        let code = code.unwrap().path();
        let name = code.file_name().unwrap().to_string_lossy().to_string();
        let dir = code.join("cloudformation");
        if !name.starts_with("NET") || !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let variant = f.file_stem().unwrap().to_string_lossy().to_string();
            out.push((name.clone(), variant, f));
        }
    }
    out.sort();
    out
}

#[test]
fn every_net_variant_gives_its_annotated_findings() {
    let all = variants();
    assert!(all.len() >= 10, "{all:?}");
    for (code, variant, path) in &all {
        let f = findings(path);
        let mut got: Vec<Row> = f
            .iter()
            .map(|x| {
                let st = if x.status == Status::Unknown {
                    "unknown"
                } else {
                    "fail"
                };
                (x.line, x.rule_id.clone(), x.resource.clone(), st)
            })
            .collect();
        got.sort();
        let want = expected(path);
        if variant.contains("fail") {
            assert!(
                want.iter().any(|w| w.1 == *code),
                "{code}/{variant} expects no {code} finding"
            );
        }
        assert_eq!(got, want, "{code}/{variant}:\n{}", render(&f));
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("{code}_{variant}@cloudformation"), render(&f));
        });
    }
}

#[test]
fn the_standard_network_passes_every_net_rule() {
    let f = findings(&network().join("standard/cloudformation/template.yaml"));
    assert!(f.is_empty(), "{}", render(&f));
}
