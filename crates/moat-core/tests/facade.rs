//! The library without the command line: load real Terraform, scan it (NET100 deciding the
//! invariants of its `moat.toml`), ask reachability and exposure, draw it; assert the rule
//! IDs, resources, locations, verdicts and paths that come back as data.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use moat_core::{
    DiagramOptions, Error, FileConfig, LoadOptions, NothingRead, ReachQuery, ScanOptions, Workspace,
};
use moat_model::aws::network::Protocol;
use moat_model::Status;
use moat_net::{PortSet, Verdict};

const NET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../moat-net/tests");

/// seed 000's Zero Trust database gateway with a shortcut from the application to the
/// database, and the `moat.toml` that forbids it.
fn shortcut() -> PathBuf {
    Path::new(NET).join("invariant_fixtures/seed000_shortcut")
}

fn line_of(dir: &Path, file: &str, needle: &str) -> u32 {
    let src = std::fs::read_to_string(dir.join(file)).unwrap();
    src.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1
}

fn load(dir: &Path) -> Workspace {
    Workspace::load(&[dir.to_path_buf()], &LoadOptions::default()).unwrap()
}

fn query(from: &str, to: &str, port: u16) -> ReachQuery {
    ReachQuery {
        from: from.into(),
        to: to.into(),
        protocol: Protocol::Tcp,
        ports: PortSet::single(port),
    }
}

/// A scenario of the QA fixtures (the shared network and its files) in a temporary directory.
fn qa_dir(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let qa = Path::new(NET).join("fixtures/qa");
    std::fs::copy(qa.join("network.tf"), dir.path().join("network.tf")).unwrap();
    for f in std::fs::read_dir(qa.join(name)).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    dir
}

#[test]
fn scan_reports_the_invariant_violation_as_net100() {
    let dir = shortcut();
    let ws = load(&dir);
    assert_eq!(ws.nothing_read(), None);
    assert_eq!(ws.files_scanned(), 1);
    assert!(ws.resources() > 10, "{}", ws.resources());

    let config = FileConfig::discover(None, std::slice::from_ref(&dir)).unwrap();
    assert_eq!(config.invariants.len(), 3);
    let result = ws.scan(&ScanOptions::new(config).unwrap());
    assert_eq!(result.nothing_read, None);
    assert_eq!(result.report.failed, None);
    let net100: Vec<_> = result
        .report
        .entries
        .iter()
        .map(|e| &e.finding)
        .filter(|f| f.rule_id == "NET100")
        .collect();
    assert_eq!(net100.len(), 1, "{net100:#?}");
    let f = net100[0];
    assert_eq!(f.status, Status::Fail);
    assert_eq!(f.resource, "aws_db_instance.main");
    assert_eq!(f.title, "Network invariant from moat.toml is violated");
    // At the rule that opens the shortcut.
    assert_eq!(
        (f.file.as_str(), f.line),
        (
            "main.tf",
            line_of(&dir, "main.tf", "temporary: direct access") - 1
        )
    );
    assert_eq!(
        f.message,
        "invariant \"only the gateway reaches the database\" (moat.toml:2): only `aws_lb.db_gateway` may reach `aws_db_instance.main` on tcp/3306, but `aws_instance.app` reaches it: aws_instance.app -> aws_security_group.app -> main route table of aws_vpc.main -> aws_security_group.database -> aws_db_instance.main (3306)"
    );
    assert!(result.fails_at(moat_model::Severity::High));

    // Without the configuration, no invariant: no NET100.
    let plain = ws.scan(&ScanOptions::default());
    assert!(plain
        .report
        .entries
        .iter()
        .all(|e| e.finding.rule_id != "NET100"));
    // The other rules find the same things either way.
    assert_eq!(
        plain.report.entries.len() + 1,
        result.report.entries.len(),
        "only NET100 differs"
    );
}

#[test]
fn a_selector_that_matches_no_rule_is_refused() {
    let config = FileConfig::parse("[rules]\nselect = [\"NOPE999\"]\n", "moat.toml").unwrap();
    let err = ScanOptions::new(config).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`NOPE999` in `rules.select` at `moat.toml:2` matches no rule"
    );
}

#[test]
fn reach_gives_the_engine_verdict_and_path() {
    let dir = shortcut();
    let ws = load(&dir);
    let r = ws
        .reach(&query("aws_instance.app", "aws_db_instance.main", 3306))
        .unwrap();
    // The fixture writes the seed's mutual inline security-group references, which Terraform
    // rejects as a cycle: every resource is still read, so the verdict stands; the cycle is
    // named among the unknowns and as a warning.
    assert_eq!(ws.errors().len(), 1);
    assert!(ws.errors()[0].is_reference_cycle(), "{:?}", ws.errors());
    assert_eq!(r.warnings, ws.errors());
    let r = r.result;
    assert_eq!(r.verdict, Verdict::Reachable);
    assert!(r.blocked.is_none());
    assert_eq!(r.unknowns.len(), 1, "{:?}", r.unknowns);
    assert!(r.unknowns[0].starts_with("file `main.tf` could not be read"));
    let direct = r
        .paths
        .iter()
        .find(|p| p.via.is_none())
        .expect("a direct path");
    let hops: Vec<&str> = direct.hops.iter().map(|h| h.resource.as_str()).collect();
    assert_eq!(hops.first(), Some(&"aws_instance.app"));
    assert_eq!(hops.last(), Some(&"aws_db_instance.main"));
    // The hop into the database cites the rule that admits it.
    let sg = direct
        .hops
        .iter()
        .find(|h| h.resource == "aws_security_group.database")
        .expect("the database's security group");
    let loc = sg.loc.as_ref().unwrap();
    assert_eq!(
        (&*loc.file, loc.line),
        (
            "main.tf",
            line_of(&dir, "main.tf", "temporary: direct access") - 1
        )
    );

    // The internet does not reach the database, and the answer names what stops it.
    let r = ws
        .reach(&query("internet", "aws_db_instance.main", 3306))
        .unwrap()
        .result;
    assert_eq!(r.verdict, Verdict::Blocked);
    assert!(r.paths.is_empty());
    let b = r.blocked.unwrap();
    assert!(!b.code.is_empty() && !b.resource.is_empty(), "{b:?}");
}

#[test]
fn reach_usage_errors_name_the_bad_end() {
    let ws = load(&shortcut());
    let err = ws
        .reach(&query("internet", "aws_instance.nope", 443))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Usage(m) if m.starts_with("`aws_instance.nope` is not a resource")),
        "{err}"
    );
    let err = ws
        .reach(&query("10.0.0.0/33", "aws_instance.app", 443))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Usage(m) if m.starts_with("`--from 10.0.0.0/33` is not a valid CIDR")),
        "{err}"
    );
}

/// A file that failed to parse may hold the rule that admits the traffic: the engine's
/// verdict is unknown (not blocked), naming the file; exposure lists it as unread.
#[test]
fn an_unreadable_file_makes_the_verdict_unknown() {
    let dir = qa_dir("r04_broken_rule");
    let ws = load(dir.path());
    assert_eq!(ws.nothing_read(), None);
    assert_eq!(ws.errors().len(), 1);
    assert_eq!(ws.errors()[0].file, "extra_rules.tf");
    assert_eq!(ws.errors()[0].line, 7);

    let r = ws
        .reach(&query("internet", "aws_instance.app", 443))
        .unwrap();
    // The unreadable file is this root module's: in the answer, not a warning.
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.result.verdict, Verdict::Unknown);
    assert_eq!(r.result.unknowns.len(), 1, "{:?}", r.result.unknowns);
    assert!(r.result.unknowns[0].starts_with("file `extra_rules.tf` could not be read (line 7)"));

    let x = ws.exposure().unwrap();
    assert_eq!(x.unread, ws.errors());
}

#[test]
fn exposure_lists_what_the_internet_reaches() {
    let dir = qa_dir("s04_alb_egress");
    let ws = load(dir.path());
    let x = ws.exposure().unwrap();
    assert!(x.unread.is_empty());
    let lb = x
        .exposures
        .iter()
        .find(|e| e.resource == "aws_lb.web")
        .unwrap_or_else(|| panic!("{:#?}", x.exposures));
    assert_eq!(lb.protocol, "tcp");
    assert!(lb.via.is_empty());
    assert!(lb.sources.iter().any(|s| s == "0.0.0.0/0"), "{lb:?}");
}

#[test]
fn nothing_read_is_said_once_and_answered_by_every_analysis() {
    let empty = tempfile::tempdir().unwrap();
    let ws = load(empty.path());
    assert_eq!(ws.nothing_read(), Some(NothingRead::NoFile));
    assert_eq!(
        ws.reach(&query("internet", "aws_instance.app", 443)),
        Err(Error::NothingRead(NothingRead::NoFile))
    );
    assert_eq!(ws.exposure(), Err(Error::NothingRead(NothingRead::NoFile)));
    let scan = ws.scan(&ScanOptions::default());
    assert_eq!(scan.nothing_read, Some(NothingRead::NoFile));
    assert_eq!(scan.report.failed.as_deref(), Some("no file could be read"));

    let broken = tempfile::tempdir().unwrap();
    std::fs::write(
        broken.path().join("broken.tf"),
        "resource \"x\" {\n  a = [\n",
    )
    .unwrap();
    let ws = load(broken.path());
    assert_eq!(ws.nothing_read(), Some(NothingRead::Unreadable));
    assert_eq!(ws.errors()[0].file, "broken.tf");
    assert!(ws.diagram(&DiagramOptions::default()).is_err());

    let module_only = tempfile::tempdir().unwrap();
    std::fs::write(
        module_only.path().join("main.tf"),
        "module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
    )
    .unwrap();
    let ws = load(module_only.path());
    assert_eq!(ws.nothing_read(), Some(NothingRead::NothingChecked));
    assert_eq!(ws.unchecked().len(), 1);
    assert_eq!(ws.unchecked()[0].module.name, "vpc");
    assert!(ws.unchecked()[0].module.not_downloaded);

    // A data source is read, not checked: still nothing to check, for every analysis.
    std::fs::write(
        module_only.path().join("data.tf"),
        "data \"aws_caller_identity\" \"me\" {}\n",
    )
    .unwrap();
    let ws = load(module_only.path());
    assert_eq!(ws.resources(), 0);
    assert_eq!(ws.nothing_read(), Some(NothingRead::NothingChecked));
    assert_eq!(
        ws.exposure(),
        Err(Error::NothingRead(NothingRead::NothingChecked))
    );
    let scan = ws.scan(&ScanOptions::default());
    assert_eq!(scan.nothing_read, Some(NothingRead::NothingChecked));
    assert!(scan
        .report
        .failed
        .as_deref()
        .unwrap()
        .starts_with("nothing could be checked: module `vpc`"));
}

#[test]
fn the_diagram_marks_the_invariant_violation() {
    let dir = shortcut();
    let ws = load(&dir);
    let config = FileConfig::discover(None, std::slice::from_ref(&dir)).unwrap();
    let d = ws
        .diagram(&DiagramOptions {
            findings: true,
            invariants: config.invariants,
        })
        .unwrap();
    let db = &d.nodes["aws_db_instance.main"];
    assert!(db.findings.contains("NET100"), "{db:?}");
    let d = ws.diagram(&DiagramOptions::default()).unwrap();
    assert!(d.nodes["aws_db_instance.main"].findings.is_empty());
}

#[test]
fn several_paths_keep_their_names_apart() {
    let a = qa_dir("s04_alb_egress");
    let b = qa_dir("s04_alb_egress");
    let ws = Workspace::load(
        &[a.path().to_path_buf(), b.path().to_path_buf()],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(ws.roots().len(), 2);
    let scan = ws.scan(&ScanOptions::default());
    let prefix = |p: &Path| format!("{}/", p.display());
    assert!(scan
        .report
        .entries
        .iter()
        .any(|e| e.finding.file.starts_with(&prefix(a.path()))));
    assert!(scan
        .report
        .entries
        .iter()
        .any(|e| e.finding.file.starts_with(&prefix(b.path()))));
    // The same names in two root modules: the query is ambiguous.
    let err = ws
        .reach(&query("internet", "aws_instance.app", 443))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Usage(m) if m.contains("are both in several root modules")),
        "{err}"
    );
}
