//! Scan orchestration: estates -> checked, filtered, suppressed, sorted report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use moat_model::{Estate, Finding, Mode, Note, ScanError, Severity};
use moat_report::{Entry, Report, RuleMeta, Suppression};

use crate::config::FileConfig;
use crate::suppress::Suppressions;

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

/// The result of a scan before rendering.
pub struct Outcome {
    pub report: Report,
    /// No file could be read at all (exit 2).
    pub nothing_read: bool,
}

/// Prefix a relative file name with the root it was found under (when several roots are
/// scanned, so that names stay unique).
fn prefixed(root: &Path, file: &str) -> String {
    if file.is_empty() {
        return root.display().to_string();
    }
    let r = root.to_string_lossy();
    let r = r.trim_end_matches('/');
    if r.is_empty() || r == "." {
        return file.to_string();
    }
    if root.is_file() {
        // A single-file root: the frontend already names the file.
        return file.to_string();
    }
    format!("{r}/{file}")
}

/// Run the checks on every estate and build the report.
pub fn run(
    roots: Vec<(PathBuf, Vec<Estate>)>,
    cfg: &FileConfig,
    catalogue: &[RuleMeta],
) -> Outcome {
    let families: BTreeMap<&str, &str> = catalogue
        .iter()
        .map(|r| (r.id.as_str(), r.family.as_str()))
        .collect();
    let family = |id: &str| families.get(id).copied().unwrap_or("").to_string();
    let several = roots.len() > 1;
    let mut report = Report::default();
    let mut readable_files: BTreeSet<String> = BTreeSet::new();
    let mut error_files: BTreeSet<String> = BTreeSet::new();
    for (root, estates) in roots {
        let name = |f: &str| {
            if several {
                prefixed(&root, f)
            } else {
                f.to_string()
            }
        };
        for estate in estates {
            let findings = cfg.apply(moat_rules::check(&estate), &family);
            let sup = Suppressions::collect(&estate);
            for mut f in findings {
                let applied = sup.find(&f, &estate);
                f.suppressed = applied.is_some();
                f.file = name(&f.file);
                report.entries.push(Entry {
                    suppression: applied.map(|a| Suppression {
                        reason: a.reason,
                        file: name(&a.file),
                        line: a.line,
                    }),
                    finding: f,
                });
            }
            for e in estate.errors.iter() {
                error_files.insert(name(&e.file));
                report.errors.push(ScanError {
                    file: name(&e.file),
                    ..e.clone()
                });
            }
            for e in sup.errors {
                report.errors.push(ScanError {
                    file: name(&e.file),
                    ..e
                });
            }
            for n in &estate.notes {
                report.notes.push(Note {
                    file: name(&n.file),
                    line: n.line,
                    message: n.message.clone(),
                });
            }
            for (file, text) in &estate.sources {
                let f = name(file);
                readable_files.insert(f.clone());
                report.sources.insert(Arc::from(f.as_str()), text.clone());
            }
            report.files_scanned += estate.files_scanned;
            report.resources += estate
                .resources
                .iter()
                .filter(|r| r.mode == Mode::Managed)
                .count();
        }
    }
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
    report.errors.sort();
    report.errors.dedup();
    report.notes.sort();
    report.notes.dedup();
    // Nothing was read: no supported file at all (a wrong PATH in CI must not pass), or every
    // file that was read has an error and no resource came out.
    let nothing_read = report.files_scanned == 0
        || (!error_files.is_empty()
            && report.resources == 0
            && readable_files.iter().all(|f| error_files.contains(f)));
    Outcome {
        report,
        nothing_read,
    }
}

/// The exit code for a report: 1 when an unsuppressed finding is at or above `fail_on`.
pub fn exit_code(report: &Report, fail_on: Severity) -> i32 {
    if report.active().any(|f| f.severity >= fail_on) {
        1
    } else {
        0
    }
}
