//! NET100: the network invariants of `moat.toml` reach the rule layer as data
//! (`moat_rules::check_with`) and every violation is a finding of the rule, at the rule that
//! admits the offending path. Without invariants, NET100 finds nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use moat_model::{Severity, Status};
use moat_rules::{check, check_with, Declared};

fn dir(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../moat-net/tests/invariant_fixtures")
        .join(case)
}

fn line_of(case: &str, needle: &str) -> u32 {
    let src = std::fs::read_to_string(dir(case).join("main.tf")).unwrap();
    src.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1
}

#[test]
fn net100_reports_each_violated_invariant() {
    let c = "seed000_shortcut";
    let estates = moat_terraform::load(&dir(c), &moat_terraform::Options::default());
    let e = &estates[0];
    let toml = std::fs::read_to_string(dir(c).join("moat.toml")).unwrap();
    let invariants = moat_net::invariant::parse(&toml).unwrap();
    let declared = Declared {
        invariants: &invariants,
    };
    let net100: Vec<_> = check_with(e, &declared)
        .into_iter()
        .filter(|f| f.rule_id == "NET100")
        .collect();
    assert_eq!(net100.len(), 1, "{net100:#?}");
    let f = &net100[0];
    assert_eq!(f.status, Status::Fail);
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.resource, "aws_db_instance.main");
    assert_eq!(f.resource_type, "aws_db_instance");
    assert_eq!(f.title, "Network invariant from moat.toml is violated");
    assert_eq!(
        (f.file.as_str(), f.line),
        ("main.tf", line_of(c, "temporary: direct access") - 1)
    );
    assert!(f.equivalent.checkov.is_empty());
    assert!(
        f.message.starts_with(
            "invariant \"only the gateway reaches the database\" (moat.toml:2): only `aws_lb.db_gateway` may reach `aws_db_instance.main` on tcp/3306, but `aws_instance.app` reaches it"
        ),
        "{}",
        f.message
    );

    // An invariant that cannot be decided is an unknown finding, never a pass.
    let undecided = moat_net::invariant::parse(
        "[[network.invariant]]\nfrom = \"aws_instance.nowhere\"\nto = \"aws_db_instance.main\"\nexpect = \"blocked\"\n",
    )
    .unwrap();
    let f: Vec<_> = check_with(
        e,
        &Declared {
            invariants: &undecided,
        },
    )
    .into_iter()
    .filter(|f| f.rule_id == "NET100")
    .collect();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].status, Status::Unknown);
    assert!(f[0]
        .message
        .contains("`aws_instance.nowhere` is not in the scanned files"));

    // No invariant declared: nothing to check.
    assert!(check(e).iter().all(|f| f.rule_id != "NET100"));
}

#[test]
fn net100_is_silent_when_the_invariants_hold() {
    let c = "seed000_ok";
    let estates = moat_terraform::load(&dir(c), &moat_terraform::Options::default());
    let toml = std::fs::read_to_string(dir(c).join("moat.toml")).unwrap();
    let invariants = moat_net::invariant::parse(&toml).unwrap();
    assert!(!invariants.is_empty());
    let f = check_with(
        &estates[0],
        &Declared {
            invariants: &invariants,
        },
    );
    assert!(f.iter().all(|f| f.rule_id != "NET100"), "{f:#?}");
}
