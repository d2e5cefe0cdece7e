//! `--format junit`: JUnit XML for CI dashboards.
//!
//! One test suite per rule (every rule of the catalogue, plus rules seen only in findings),
//! one failing test case per unsuppressed finding (`type` is the severity, or `unknown` when it
//! could not be decided), a skipped test case per suppressed finding, and one passing test case
//! for a rule with no finding, so dashboards show what passed. Read errors go to a suite
//! `moat.errors`, one errored case each. Notes (what could not be analysed: a module that was
//! not downloaded, a value that stayed unknown) go to a last suite, `moat.notes`, without test
//! cases: its `<system-out>` lists them, one `file:line: message` a line.

use std::io::{self, Write};

use moat_model::Status;
use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

use crate::{rules_for, Report, RuleMeta};

fn case_name(f: &moat_model::Finding) -> String {
    if f.line > 0 {
        format!("{} ({}:{})", f.resource, f.file, f.line)
    } else {
        format!("{} ({})", f.resource, f.file)
    }
}

/// Build the JUnit report.
pub fn build(report: &Report, catalogue: &[RuleMeta]) -> JReport {
    let mut out = JReport::new("moat");
    for rule in rules_for(report, catalogue) {
        let mut suite = TestSuite::new(format!("{}: {}", rule.id, rule.title));
        let mut any = false;
        for e in report
            .entries
            .iter()
            .filter(|e| e.finding.rule_id == rule.id)
        {
            any = true;
            let f = &e.finding;
            let status = if f.suppressed {
                let mut s = TestCaseStatus::skipped();
                let reason = e
                    .suppression
                    .as_ref()
                    .map(|s| s.reason.as_str())
                    .unwrap_or("");
                s.set_message(format!("suppressed: {reason}"));
                s
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(f.message.clone());
                s.set_type(match f.status {
                    Status::Unknown => "unknown",
                    Status::Fail => f.severity.as_str(),
                });
                s.set_description(format!(
                    "{} [{}] {}\n{}:{}\n{}",
                    f.severity, f.rule_id, f.title, f.file, f.line, f.message
                ));
                s
            };
            let mut case = TestCase::new(case_name(f), status);
            case.set_classname(rule.id.clone());
            suite.add_test_case(case);
        }
        if !any {
            let mut case = TestCase::new(
                format!("{}: no finding", rule.id),
                TestCaseStatus::success(),
            );
            case.set_classname(rule.id.clone());
            suite.add_test_case(case);
        }
        out.add_test_suite(suite);
    }
    if !report.errors.is_empty() {
        let mut suite = TestSuite::new("moat.errors");
        for e in &report.errors {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(e.message.clone());
            let name = if e.line > 0 {
                format!("{}:{}", e.file, e.line)
            } else {
                e.file.clone()
            };
            let mut case = TestCase::new(name, s);
            case.set_classname("moat.errors");
            suite.add_test_case(case);
        }
        out.add_test_suite(suite);
    }
    if !report.notes.is_empty() {
        let mut suite = TestSuite::new("moat.notes");
        let text: Vec<String> = report
            .notes
            .iter()
            .map(|n| {
                if n.line > 0 {
                    format!("note: {}:{}: {}", n.file, n.line, n.message)
                } else {
                    format!("note: {}: {}", n.file, n.message)
                }
            })
            .collect();
        suite.set_system_out(text.join("\n") + "\n");
        out.add_test_suite(suite);
    }
    out
}

/// Write the JUnit XML.
pub fn write(out: &mut dyn Write, report: &Report, catalogue: &[RuleMeta]) -> io::Result<()> {
    build(report, catalogue)
        .serialize(&mut *out)
        .map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::fixtures;

    fn render() -> String {
        let mut buf = Vec::new();
        write(&mut buf, &fixtures::report(), &fixtures::catalogue()).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render());
    }

    #[test]
    fn passing_rules_have_a_passing_case() {
        let r = build(&fixtures::report(), &fixtures::catalogue());
        let trail = r
            .test_suites
            .iter()
            .find(|s| s.name.as_str().starts_with("TRAIL001"))
            .unwrap();
        assert_eq!(trail.test_cases.len(), 1);
        assert!(matches!(
            trail.test_cases[0].status,
            TestCaseStatus::Success { .. }
        ));
        let sg = r
            .test_suites
            .iter()
            .find(|s| s.name.as_str().starts_with("SG001"))
            .unwrap();
        assert_eq!(sg.failures, 2);
        let s3 = r
            .test_suites
            .iter()
            .find(|s| s.name.as_str().starts_with("S3002"))
            .unwrap();
        assert_eq!(s3.failures, 1);
        assert_eq!(s3.tests, 2);
        let notes = r.test_suites.last().unwrap();
        assert_eq!(notes.name.as_str(), "moat.notes");
        assert_eq!(notes.tests, 0);
        assert_eq!(
            notes.system_out.as_ref().unwrap().as_str(),
            "note: main.tf:7: module `vpc` (`terraform-aws-modules/vpc/aws`) was not resolved\n\
             note: main.tf:12: function `templatefile` is not supported; its result is unknown\n"
        );
        let xml = render();
        assert!(xml.contains("moat.errors"));
        assert!(
            xml.contains("<system-out>note: main.tf:7: module `vpc`"),
            "{xml}"
        );
        assert!(xml.contains("suppressed: scratch data, recreated nightly"));
    }

    #[test]
    fn no_notes_no_notes_suite() {
        let mut report = fixtures::report();
        report.notes.clear();
        let r = build(&report, &fixtures::catalogue());
        assert!(r
            .test_suites
            .iter()
            .all(|s| s.name.as_str() != "moat.notes"));
    }
}
