//! Human text: findings grouped by file, each like a compiler diagnostic with the offending
//! source line, then the errors, then one summary line:
//!
//! `N findings (C critical, H high, M medium, L low, I info), S suppressed, F files, R resources, E errors`
//!
//! Suppressed findings are hidden but counted. Everything taken from scanned files is
//! sanitised: control characters (terminal escapes hidden in a hostile file) are shown as
//! `\u{..}` escapes.

use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::{AnsiColor, Color, Style};
use moat_model::{Finding, Severity, Status};

use crate::Report;

/// How to render.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// Emit ANSI colours. The caller decides (TTY, `--no-color`, `NO_COLOR`).
    pub color: bool,
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, s: &str) -> String {
        if self.color {
            format!("{}{}{}", style.render(), s, style.render_reset())
        } else {
            s.to_string()
        }
    }
}

fn fg(c: AnsiColor) -> Style {
    Style::new().fg_color(Some(Color::Ansi(c)))
}

fn severity_style(f: &Finding) -> Style {
    if f.status == Status::Unknown {
        return fg(AnsiColor::Cyan).bold();
    }
    match f.severity {
        Severity::Critical => fg(AnsiColor::BrightRed).bold(),
        Severity::High => fg(AnsiColor::Red).bold(),
        Severity::Medium => fg(AnsiColor::Yellow).bold(),
        Severity::Low => fg(AnsiColor::Blue).bold(),
        Severity::Info => fg(AnsiColor::White).bold(),
    }
}

/// The label shown before a finding: its severity, or `unknown` when it could not be decided.
pub fn label(f: &Finding) -> &'static str {
    match f.status {
        Status::Unknown => "unknown",
        Status::Fail => f.severity.as_str(),
    }
}

/// Replace control characters so that a scanned file cannot drive the terminal.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push_str("    "),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Write the text report.
pub fn write(out: &mut dyn Write, report: &Report, opts: &TextOptions) -> io::Result<()> {
    let p = Painter { color: opts.color };
    let bold = Style::new().bold();
    let blue = fg(AnsiColor::Blue).bold();
    let mut current_file: Option<&str> = None;
    for f in report.active() {
        if current_file != Some(f.file.as_str()) {
            let n = report.active().filter(|g| g.file == f.file).count();
            let noun = if n == 1 { "finding" } else { "findings" };
            writeln!(
                out,
                "{} ({n} {noun})",
                p.paint(bold.underline(), &sanitize(&f.file))
            )?;
            writeln!(out)?;
            current_file = Some(f.file.as_str());
        }
        writeln!(
            out,
            "{}{} {}",
            p.paint(severity_style(f), &format!("{}[{}]", label(f), f.rule_id)),
            p.paint(bold, ":"),
            p.paint(bold, &sanitize(&f.title)),
        )?;
        let loc = if f.line > 0 {
            format!("{}:{}", f.file, f.line)
        } else {
            f.file.clone()
        };
        let gutter = f.line.to_string().len().max(1);
        let pad = " ".repeat(gutter);
        // The root module, when the finding is in a file outside it (a module shared by
        // several roots): say through which root it was found.
        let via = if !f.root.is_empty() && f.root != "." && !f.file.starts_with(&f.root) {
            format!(" (in root `{}`)", sanitize(&f.root))
        } else {
            String::new()
        };
        writeln!(
            out,
            "{pad}{} {} {}{via}",
            p.paint(blue, "-->"),
            sanitize(&loc),
            sanitize(&f.resource)
        )?;
        if let Some(src) = report.source_line(&f.file, f.line) {
            writeln!(out, "{pad} {}", p.paint(blue, "|"))?;
            writeln!(
                out,
                "{} {} {}",
                p.paint(blue, &f.line.to_string()),
                p.paint(blue, "|"),
                sanitize(src.trim_end())
            )?;
            writeln!(out, "{pad} {}", p.paint(blue, "|"))?;
        }
        writeln!(out, "{pad} {} {}", p.paint(blue, "="), sanitize(&f.message))?;
        if !f.equivalent.checkov.is_empty() {
            writeln!(
                out,
                "{pad} {} checkov: {}",
                p.paint(blue, "="),
                f.equivalent.checkov.join(", ")
            )?;
        }
        writeln!(out)?;
    }
    if !report.notes.is_empty() {
        for n in &report.notes {
            let at = if n.line > 0 {
                format!("{}:{}", n.file, n.line)
            } else {
                n.file.clone()
            };
            writeln!(
                out,
                "{}{} {}: {}",
                p.paint(fg(AnsiColor::Cyan).bold(), "note"),
                p.paint(bold, ":"),
                sanitize(&at),
                sanitize(&n.message)
            )?;
        }
        writeln!(out)?;
    }
    if !report.errors.is_empty() {
        for e in &report.errors {
            let at = if e.line > 0 {
                format!("{}:{}", e.file, e.line)
            } else {
                e.file.clone()
            };
            writeln!(
                out,
                "{}{} {}: {}",
                p.paint(fg(AnsiColor::Red).bold(), "error"),
                p.paint(bold, ":"),
                sanitize(&at),
                sanitize(&e.message)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", summary(report))
}

/// The summary line.
pub fn summary(report: &Report) -> String {
    let c = report.counts();
    format!(
        "{} findings ({} critical, {} high, {} medium, {} low, {} info), {} suppressed, {} files, {} resources, {} errors",
        c.findings,
        c.critical,
        c.high,
        c.medium,
        c.low,
        c.info,
        c.suppressed,
        report.files_scanned,
        report.resources,
        report.errors.len()
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::fixtures;

    fn render(color: bool) -> String {
        let mut buf = Vec::new();
        write(&mut buf, &fixtures::report(), &TextOptions { color }).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(false));
    }

    #[test]
    fn no_escape_codes_without_color() {
        assert!(!render(false).contains('\x1b'));
        assert!(render(true).contains("\x1b["));
    }

    #[test]
    fn suppressed_hidden_but_counted() {
        let s = render(false);
        assert!(!s.contains("aws_s3_bucket.scratch"));
        assert!(s.ends_with(
            "3 findings (0 critical, 1 high, 1 medium, 0 low, 1 info), 1 suppressed, 3 files, 4 resources, 1 errors\n"
        ));
    }

    #[test]
    fn hostile_source_cannot_drive_the_terminal() {
        let mut r = fixtures::report();
        r.sources.insert(
            "network.tf".into(),
            "x\n\n\n    cidr_blocks = [\"\x1b]0;pwned\x07\"]\n".into(),
        );
        r.entries[0].finding.message = "bad \x1b[2J".into();
        let mut buf = Vec::new();
        write(&mut buf, &r, &TextOptions { color: false }).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(!s.contains('\x1b'));
        assert!(!s.contains('\x07'));
        assert!(s.contains("\\u{1b}]0;pwned\\u{7}"));
    }
}
