//! Scanning: every rule on every estate, filtered and re-graded by the configuration, with
//! inline suppressions applied, into the report that `moat-report` renders.

use std::collections::BTreeMap;

use moat_model::{Finding, ScanError, Severity};
use moat_report::{Entry, Report, RuleMeta, Suppression};

use crate::config::FileConfig;
use crate::suppress::Suppressions;
use crate::{Error, NothingRead, Workspace};

/// The catalogue in the report crate's terms.
pub fn rule_metas() -> Vec<RuleMeta> {
    moat_rules::catalogue()
        .into_iter()
        .map(|r| RuleMeta {
            id: r.id.to_string(),
            title: r.title.to_string(),
            severity: r.severity,
            family: r.family.to_string(),
            checkov: r.checkov.iter().map(|s| s.to_string()).collect(),
            doc: r.doc.to_string(),
        })
        .collect()
}

/// How to scan: the configuration (`moat.toml`: rules selected, ignored and re-graded,
/// network invariants), checked against the catalogue.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    config: FileConfig,
}

impl ScanOptions {
    /// Scan with this configuration. A selector that matches no rule is a typo or a renamed
    /// rule: scanning with it would silently check less than the user asked for, so it is a
    /// usage error ([`FileConfig::check_selectors`]).
    pub fn new(config: FileConfig) -> Result<ScanOptions, Error> {
        let catalogue = rule_metas();
        if !catalogue.is_empty() {
            let known: Vec<(String, String, Vec<String>)> = catalogue
                .into_iter()
                .map(|r| (r.id, r.family, r.checkov))
                .collect();
            config.check_selectors(&known)?;
        }
        Ok(ScanOptions { config })
    }

    pub fn config(&self) -> &FileConfig {
        &self.config
    }
}

/// The outcome of a scan.
#[derive(Debug)]
pub struct ScanResult {
    /// Findings (suppressed ones included, with their suppression), errors, notes, counts and
    /// sources, sorted; `report.failed` says why the scan could not do its job, if so.
    pub report: Report,
    /// Nothing could be read or checked (the scan failed; the command line exits 2).
    pub nothing_read: Option<NothingRead>,
}

impl ScanResult {
    /// Whether an unsuppressed finding is at or above `severity`.
    pub fn fails_at(&self, severity: Severity) -> bool {
        self.report.active().any(|f| f.severity >= severity)
    }
}

impl Workspace {
    /// Run every rule (NET100 with the configuration's network invariants) on every estate,
    /// apply the configuration and the inline suppressions, and build the report.
    pub fn scan(&self, opts: &ScanOptions) -> ScanResult {
        let cfg = &opts.config;
        let catalogue = rule_metas();
        let families: BTreeMap<&str, &str> = catalogue
            .iter()
            .map(|r| (r.id.as_str(), r.family.as_str()))
            .collect();
        let family = |id: &str| families.get(id).copied().unwrap_or("").to_string();
        let declared = moat_rules::Declared {
            invariants: &cfg.invariants,
        };
        let mut report = Report {
            errors: self.errors().to_vec(),
            notes: self.notes().to_vec(),
            files_scanned: self.files_scanned(),
            resources: self.resources(),
            sources: self.sources().clone(),
            ..Report::default()
        };
        for root in self.roots() {
            for estate in &root.estates {
                let all = moat_rules::check_with(estate, &declared);
                let findings = cfg.apply(all, &family);
                let sup = Suppressions::collect(estate);
                let finding_root = self.finding_root(root, estate);
                for mut f in findings {
                    let applied = sup.find(&f, estate);
                    f.suppressed = applied.is_some();
                    f.file = self.name(root, &f.file);
                    f.root = finding_root.clone();
                    report.entries.push(Entry {
                        suppression: applied.map(|a| Suppression {
                            reason: a.reason,
                            file: self.name(root, &a.file),
                            line: a.line,
                        }),
                        finding: f,
                    });
                }
                for e in sup.errors {
                    report.errors.push(ScanError {
                        file: self.name(root, &e.file),
                        ..e
                    });
                }
            }
        }
        // Module calls that left a root module with nothing to check: an error at each.
        let mut unchecked: Vec<ScanError> = self
            .unchecked()
            .iter()
            .map(|u| ScanError {
                file: u.module.file.clone(),
                line: u.module.line,
                message: u.message(),
            })
            .collect();
        unchecked.sort();
        unchecked.dedup();
        report.errors.extend(unchecked.iter().cloned());
        // Sort in the model's order (`Finding::sort_key`, as `sort_findings`), keeping each
        // entry's suppression.
        let mut keyed: Vec<(Finding, Option<Suppression>)> = report
            .entries
            .drain(..)
            .map(|e| (e.finding, e.suppression))
            .collect();
        keyed.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()).then(a.0.cmp(&b.0)));
        keyed.dedup_by(|a, b| a.0 == b.0);
        report.entries = keyed
            .into_iter()
            .map(|(finding, suppression)| Entry {
                finding,
                suppression,
            })
            .collect();
        // A moat.toml in the scanned tree that was refused: the scan went on with the
        // defaults, and says so with the other errors.
        if let Some(e) = &cfg.refused {
            report.errors.push(e.clone());
        }
        report.errors.sort();
        report.errors.dedup();
        let nothing_read = self.nothing_read();
        report.failed = match nothing_read {
            Some(NothingRead::NothingChecked) => unchecked.first().map(|first| {
                if unchecked.len() > 1 {
                    format!(
                        "{} (and {} more module calls)",
                        first.message,
                        unchecked.len() - 1
                    )
                } else {
                    first.message.clone()
                }
            }),
            Some(_) => Some("no file could be read".into()),
            None => None,
        };
        ScanResult {
            report,
            nothing_read,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use std::collections::BTreeSet;
    use std::path::PathBuf;
    use std::sync::Arc;

    use moat_model::{Estate, Frontend, Loc, Node, Note, Resource, Value};

    use crate::Root;

    /// A scan as the command line sees it.
    struct Outcome {
        report: Report,
        /// No file could be read at all.
        nothing_read: bool,
        /// Why nothing could be checked.
        nothing_checked: Option<String>,
    }

    fn run(roots: Vec<(PathBuf, Vec<Estate>)>, cfg: &FileConfig, _: &[RuleMeta]) -> Outcome {
        let ws = Workspace::from_roots(
            roots
                .into_iter()
                .map(|(path, estates)| Root { path, estates })
                .collect(),
        );
        let r = ws.scan(&ScanOptions::new(cfg.clone()).unwrap());
        Outcome {
            nothing_read: matches!(
                r.nothing_read,
                Some(NothingRead::NoFile | NothingRead::Unreadable)
            ),
            nothing_checked: (r.nothing_read == Some(NothingRead::NothingChecked))
                .then(|| r.report.failed.clone())
                .flatten(),
            report: r.report,
        }
    }

    /// An estate as the Terraform frontend would build it from `text` in `main.tf`, with one
    /// bucket declared at `line`.
    fn estate(text: &str, line: u32) -> Estate {
        let mut e = Estate::new();
        let mut r = Resource::new(
            "aws_s3_bucket.logs",
            "aws_s3_bucket",
            "logs",
            Frontend::Terraform,
            Loc::new("main.tf", line, 1),
        );
        r.attrs.insert(
            "bucket".into(),
            Node::at(
                Value::String("acme-logs".into()),
                Loc::new("main.tf", line + 1, 3),
            ),
        );
        e.push(r);
        e.sources.insert(Arc::from("main.tf"), Arc::from(text));
        e.files_scanned = 1;
        e.index();
        moat_terraform::adapt(&mut e);
        e
    }

    fn scan(text: &str, line: u32, cfg: &FileConfig) -> Outcome {
        run(
            vec![(PathBuf::from("."), vec![estate(text, line)])],
            cfg,
            &rule_metas(),
        )
    }

    fn s3002(o: &Outcome) -> &Entry {
        o.report
            .entries
            .iter()
            .find(|e| e.finding.rule_id == "S3002")
            .unwrap()
    }

    const PLAIN: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n";

    #[test]
    fn finding_without_suppression() {
        let o = scan(PLAIN, 1, &FileConfig::default());
        let e = s3002(&o);
        assert!(!e.finding.suppressed);
        assert_eq!(e.finding.file, "main.tf");
        assert_eq!(o.report.resources, 1);
        assert!(!o.nothing_read);
        assert!(o.report.active().any(|f| f.severity >= Severity::Low));
    }

    #[test]
    fn suppression_above_the_resource() {
        let text = format!("# moat:ignore S3002,S3001 replicated to the archive account\n{PLAIN}");
        let o = scan(&text, 2, &FileConfig::default());
        let e = s3002(&o);
        assert!(e.finding.suppressed);
        let s = e.suppression.as_ref().unwrap();
        assert_eq!(s.reason, "replicated to the archive account");
        assert_eq!(s.line, 1);
        assert!(o.report.errors.is_empty(), "{:?}", o.report.errors);
    }

    #[test]
    fn suppression_on_the_resource_line_and_by_checkov_id() {
        let text = PLAIN.replacen(
            '{',
            "{ # moat:ignore CKV_AWS_21 carried over from checkov",
            1,
        );
        let o = scan(&text, 1, &FileConfig::default());
        assert!(s3002(&o).finding.suppressed);
    }

    #[test]
    fn suppression_through_a_comment_block_but_not_through_code() {
        let text = format!("# moat:ignore S3002 scratch bucket\n# recreated nightly\n{PLAIN}");
        assert!(
            s3002(&scan(&text, 3, &FileConfig::default()))
                .finding
                .suppressed
        );
        let text = format!("# moat:ignore S3002 scratch bucket\nlocals {{}}\n{PLAIN}");
        assert!(
            !s3002(&scan(&text, 3, &FileConfig::default()))
                .finding
                .suppressed
        );
    }

    #[test]
    fn suppression_of_another_rule_does_not_apply() {
        let text = format!("# moat:ignore SG001 not this one\n{PLAIN}");
        assert!(
            !s3002(&scan(&text, 2, &FileConfig::default()))
                .finding
                .suppressed
        );
    }

    #[test]
    fn suppression_without_reason_is_an_error() {
        let text = format!("# moat:ignore S3002\n{PLAIN}");
        let o = scan(&text, 2, &FileConfig::default());
        assert!(!s3002(&o).finding.suppressed);
        assert_eq!(o.report.errors.len(), 1);
        assert_eq!(o.report.errors[0].file, "main.tf");
        assert_eq!(o.report.errors[0].line, 1);
        assert!(o.report.errors[0].message.contains("no reason"));
        assert!(!o.nothing_read);
    }

    #[test]
    fn config_filters_and_regrades() {
        let cfg = FileConfig::parse("[rules]\nignore = [\"S3002\"]\n", "moat.toml").unwrap();
        let o = scan(PLAIN, 1, &cfg);
        assert!(o
            .report
            .entries
            .iter()
            .all(|e| e.finding.rule_id != "S3002"));
        assert!(o
            .report
            .entries
            .iter()
            .any(|e| e.finding.rule_id.starts_with("S3")));

        let cfg = FileConfig::parse("[rules]\nselect = [\"S3002\"]\n", "moat.toml").unwrap();
        let o = scan(PLAIN, 1, &cfg);
        assert!(o
            .report
            .entries
            .iter()
            .all(|e| e.finding.rule_id == "S3002"));
        assert_eq!(o.report.entries.len(), 1);

        let cfg = FileConfig::parse(
            "[rules]\nselect = [\"s3\"]\n[rules.severity]\nS3 = \"critical\"\nS3002 = \"info\"\n",
            "moat.toml",
        )
        .unwrap();
        let o = scan(PLAIN, 1, &cfg);
        assert_eq!(s3002(&o).finding.severity, Severity::Info);
        assert!(
            o.report
                .entries
                .iter()
                .filter(|e| e.finding.rule_id != "S3002"
                    && e.finding.status == moat_model::Status::Fail)
                .all(|e| e.finding.severity == Severity::Critical)
        );
    }

    #[test]
    fn nothing_read() {
        let mut e = Estate::new();
        e.errors.push(ScanError {
            file: "main.tf".into(),
            line: 2,
            message: "unexpected `}`".into(),
        });
        e.sources
            .insert(Arc::from("main.tf"), Arc::from("x {\n}\n"));
        e.files_scanned = 1;
        e.index();
        moat_terraform::adapt(&mut e);
        let o = run(
            vec![(PathBuf::from("."), vec![e])],
            &FileConfig::default(),
            &[],
        );
        assert!(o.nothing_read);
        let o = run(
            vec![(PathBuf::from("."), vec![])],
            &FileConfig::default(),
            &[],
        );
        assert!(o.nothing_read);
    }

    #[test]
    fn several_roots_are_prefixed() {
        let roots = vec![
            (PathBuf::from("infra/a"), vec![estate(PLAIN, 1)]),
            (PathBuf::from("infra/b/"), vec![estate(PLAIN, 1)]),
        ];
        let o = run(roots, &FileConfig::default(), &rule_metas());
        let files: BTreeSet<&str> = o
            .report
            .entries
            .iter()
            .map(|e| e.finding.file.as_str())
            .collect();
        assert_eq!(
            files,
            BTreeSet::from(["infra/a/main.tf", "infra/b/main.tf"])
        );
        assert!(o.report.source_line("infra/b/main.tf", 1).is_some());
    }

    /// An estate read from `main.tf` with no resource: only what `notes` say, and the module
    /// calls the frontend could not read.
    fn empty_estate(notes: Vec<Note>) -> Estate {
        let mut e = Estate::new();
        e.root = ".".into();
        e.unread_modules = notes
            .iter()
            .filter(|n| n.message == VPC_NOTE)
            .map(|n| vpc_unread(n.line))
            .collect();
        e.notes = notes;
        e.sources
            .insert(Arc::from("main.tf"), Arc::from("module \"vpc\" {}\n"));
        e.files_scanned = 1;
        e.index();
        moat_terraform::adapt(&mut e);
        e
    }

    /// What moat-terraform records beside `VPC_NOTE`.
    fn vpc_unread(line: u32) -> moat_model::UnreadModule {
        moat_model::UnreadModule {
            file: "main.tf".into(),
            line,
            name: "vpc".into(),
            source: Some("terraform-aws-modules/vpc/aws".into()),
            not_downloaded: true,
            reason: String::new(),
        }
    }

    const VPC_NOTE: &str = "module `vpc` (`terraform-aws-modules/vpc/aws`) was not resolved (run `terraform init` to download it); its resources are not analysed and its outputs are unknown";

    #[test]
    fn nothing_checked_when_the_only_module_was_not_downloaded() {
        let note = Note {
            file: "main.tf".into(),
            line: 3,
            message: VPC_NOTE.into(),
        };
        let o = run(
            vec![(PathBuf::from("."), vec![empty_estate(vec![note.clone()])])],
            &FileConfig::default(),
            &rule_metas(),
        );
        let want = "nothing could be checked: module `vpc` (`terraform-aws-modules/vpc/aws`) was not downloaded, and nothing else declares a resource; run `terraform init` (moat then reads the module from `.terraform/modules`) or scan the module's source directory";
        assert_eq!(o.nothing_checked.as_deref(), Some(want));
        assert!(!o.nothing_read);
        assert_eq!(
            o.report.errors,
            vec![ScanError {
                file: "main.tf".into(),
                line: 3,
                message: want.into(),
            }]
        );
        // The frontend's note stays a note.
        assert_eq!(o.report.notes, vec![note]);
    }

    #[test]
    fn no_resources_and_no_unread_module_is_fine() {
        let o = run(
            vec![(PathBuf::from("."), vec![empty_estate(vec![])])],
            &FileConfig::default(),
            &rule_metas(),
        );
        assert_eq!(o.nothing_checked, None);
        assert!(!o.nothing_read);
        assert!(o.report.errors.is_empty());
        // Another note (a value that stayed unknown) does not explain an empty estate.
        let other = Note {
            file: "main.tf".into(),
            line: 1,
            message: "count of `aws_instance.x` is unknown (variable `n` has no value); analysed as one instance".into(),
        };
        let o = run(
            vec![(PathBuf::from("."), vec![empty_estate(vec![other])])],
            &FileConfig::default(),
            &rule_metas(),
        );
        assert_eq!(o.nothing_checked, None);
    }

    #[test]
    fn an_unread_module_beside_resources_is_only_a_note() {
        let mut e = estate(PLAIN, 1);
        e.notes.push(Note {
            file: "main.tf".into(),
            line: 9,
            message: VPC_NOTE.into(),
        });
        let o = run(
            vec![(PathBuf::from("."), vec![e])],
            &FileConfig::default(),
            &rule_metas(),
        );
        assert_eq!(o.nothing_checked, None);
        assert!(o.report.errors.is_empty(), "{:?}", o.report.errors);
        assert_eq!(o.report.notes.len(), 1);
    }

    #[test]
    fn a_root_with_nothing_to_check_among_others_is_an_error_entry() {
        let note = Note {
            file: "main.tf".into(),
            line: 1,
            message: VPC_NOTE.into(),
        };
        let o = run(
            vec![
                (PathBuf::from("infra/a"), vec![estate(PLAIN, 1)]),
                (PathBuf::from("infra/b"), vec![empty_estate(vec![note])]),
            ],
            &FileConfig::default(),
            &rule_metas(),
        );
        // Something was checked: no exit 2, but the empty root is reported.
        assert_eq!(o.nothing_checked, None);
        assert_eq!(o.report.errors.len(), 1, "{:?}", o.report.errors);
        assert_eq!(o.report.errors[0].file, "infra/b/main.tf");
        assert!(o.report.errors[0]
            .message
            .starts_with("nothing could be checked in root module `infra/b`: module `vpc`"));
    }

    /// moat-terraform records the module calls it could not read (not downloaded, or a local
    /// directory it could not read).
    #[test]
    fn the_frontend_records_unread_modules() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            "module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n\nmodule \"net\" {\n  source = \"./nowhere\"\n}\n",
        )
        .unwrap();
        let estates = moat_terraform::load(dir.path(), &Default::default());
        let unread: Vec<&moat_model::UnreadModule> = estates
            .iter()
            .flat_map(|e| e.unread_modules.iter())
            .collect();
        assert_eq!(unread.len(), 2, "{estates:?}");
        assert_eq!(unread[0], &vpc_unread(1));
        assert_eq!(unread[1].name, "net");
        assert_eq!(unread[1].line, 5);
        assert_eq!(unread[1].source.as_deref(), Some("./nowhere"));
        assert!(!unread[1].not_downloaded);
        assert!(!unread[1].reason.is_empty());
    }
}
