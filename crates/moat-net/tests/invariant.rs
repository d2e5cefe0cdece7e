//! Invariants from `moat.toml` checked against seed 000's Zero Trust database gateway. The
//! violations are data here; `moat-rules` reports them as NET100 findings.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use moat_model::{Estate, Status};
use moat_net::invariant::{check, parse};

/// A violation as a finding would show it.
#[derive(Debug)]
struct Seen {
    resource: String,
    status: Status,
    file: String,
    line: u32,
    message: String,
}

fn dir(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/invariant_fixtures")
        .join(case)
}

fn load(case: &str) -> Estate {
    let mut v = moat_terraform::load(&dir(case), &moat_terraform::Options::default());
    assert_eq!(v.len(), 1);
    let e = v.remove(0);
    // Some fixtures write the seeds' mutual inline security-group references, which Terraform
    // rejects as a cycle: moat reports it and still reads every resource.
    assert!(
        e.errors.iter().all(|x| x.is_reference_cycle()),
        "{:?}",
        e.errors
    );
    e
}

fn run(case: &str, toml: &str) -> Vec<Seen> {
    let e = load(case);
    let net = e.aws.network.clone();
    check(&net, &e, &parse(toml).unwrap())
        .into_iter()
        .map(|v| Seen {
            resource: e.get(v.resource).unwrap().address.clone(),
            status: if v.unknown {
                Status::Unknown
            } else {
                Status::Fail
            },
            file: v.loc.file.to_string(),
            line: v.loc.line,
            message: v.message,
        })
        .collect()
}

fn line_of(case: &str, needle: &str) -> u32 {
    let src = std::fs::read_to_string(dir(case).join("main.tf")).unwrap();
    src.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1
}

#[test]
fn zero_trust_chain_holds() {
    let toml = std::fs::read_to_string(dir("seed000_ok").join("moat.toml")).unwrap();
    let f = run("seed000_ok", &toml);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn shortcut_to_the_database_violates_only_from() {
    let c = "seed000_shortcut";
    let toml = std::fs::read_to_string(dir(c).join("moat.toml")).unwrap();
    let f = run(c, &toml);
    assert_eq!(f.len(), 1, "{f:#?}");
    let v = &f[0];
    assert_eq!(v.status, Status::Fail);
    assert_eq!(v.resource, "aws_db_instance.main");
    // Located at the rule that opens the shortcut.
    assert_eq!(
        (v.file.as_str(), v.line),
        ("main.tf", line_of(c, "temporary: direct access") - 1)
    );
    assert_eq!(
        v.message,
        "invariant \"only the gateway reaches the database\" (moat.toml:2): only `aws_lb.db_gateway` may reach `aws_db_instance.main` on tcp/3306, but `aws_instance.app` reaches it: aws_instance.app -> aws_security_group.app -> main route table of aws_vpc.main -> aws_security_group.database -> aws_db_instance.main (3306)"
    );
}

#[test]
fn expect_blocked_and_reachable_are_checked() {
    let c = "seed000_shortcut";
    let toml = r#"
[[network.invariant]]
from = "aws_instance.app"
to = "aws_db_instance.main"
ports = "3306"
expect = "blocked"

[[network.invariant]]
from = "aws_instance.app"
to = "aws_lb.db_gateway"
ports = "5432"
expect = "reachable"

[[network.invariant]]
from = "aws_instance.nowhere"
to = "aws_db_instance.main"
expect = "blocked"

[[network.invariant]]
from = "internet"
to = "aws_instance.not_in_this_root"
expect = "blocked"
"#;
    let f = run(c, toml);
    let brief: Vec<(&str, Status)> = f.iter().map(|f| (f.resource.as_str(), f.status)).collect();
    assert_eq!(
        brief,
        vec![
            ("aws_db_instance.main", Status::Fail),
            ("aws_lb.db_gateway", Status::Fail),
            ("aws_db_instance.main", Status::Unknown),
        ],
        "{f:#?}"
    );
    assert!(
        f[0].message
            .contains("can reach `aws_db_instance.main` on tcp/3306, expected blocked"),
        "{}",
        f[0].message
    );
    assert!(f[1].message.contains("cannot reach `aws_lb.db_gateway` on tcp/5432, expected reachable; blocked at `aws_lb.db_gateway` (ELBV2_LISTENER_PORT_RESTRICTION)"), "{}", f[1].message);
    assert!(
        f[2].message
            .contains("`aws_instance.nowhere` is not in the scanned files"),
        "{}",
        f[2].message
    );
}
