//! Hostile input (issue 6): a scanned repository is untrusted. For every case under
//! `tests/hostile/<case>/` (a degenerate `bad.tf`, or symlinks and FIFOs made at test time, next
//! to a `good.tf` with one known finding), the real `moat scan --format json` must:
//!
//! * finish within [`TIMEOUT`] under a [`MEM_LIMIT_KB`] address-space limit (`ulimit -v`), and
//!   exit 1 (the good file's finding is at `high`), never by a signal;
//! * print JSON that parses, with the good file's finding (SG001, `aws_security_group.good_ssh`,
//!   `good.tf`, line 6, `status: fail`) exactly once;
//! * report the refusal: an `errors` entry naming the bad file, at the line of the offending
//!   expression where there is one (or, where Terraform accepts the input, evaluate it as
//!   Terraform does: see [`Expect`] per case);
//! * print nothing that comes from outside the scanned tree: a sentinel file beside it (read
//!   through symlinks, absolute paths, `..`, a directory symlink, `moat.toml`), the first line of
//!   /etc/passwd, and this process's environment (the sentinel is also set in moat's
//!   environment, so reading /proc/self/environ would leak it).
//!
//! Each case is copied into a fresh temporary directory `<tmp>/tree` with the sentinel
//! directory at `<tmp>/outside`; `@OUTSIDE@` in a copied file is replaced by that directory's
//! absolute path. Symlinks and FIFOs are made by the case's setup, never committed.
//!
//! Binary: the one cargo built for this test run (`CARGO_BIN_EXE_moat`, the debug profile under
//! `cargo nextest run`), so the test never runs a stale build. Set `MOAT_HOSTILE_BIN` to run
//! another one, e.g. `cargo build --release -p moat && MOAT_HOSTILE_BIN=$PWD/target/release/moat
//! cargo nextest run -p moat --test hostile`. Each test prints its exit status, wall time and
//! peak resident memory (sampled from /proc) with `--no-capture`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A run that takes longer is a hang: the process is killed and the case fails.
const TIMEOUT: Duration = Duration::from_secs(60);
/// `ulimit -v` for moat, in KiB (about 1 GB of address space).
const MEM_LIMIT_KB: u64 = 1_000_000;
/// `ulimit -f` for moat, in 1 KiB blocks: output beyond 100 MB is itself a failure.
const FILE_LIMIT_BLOCKS: u64 = 100 * 1024;

/// The finding every case's `good.tf` must produce.
const GOOD: (&str, &str, &str, u64) = ("SG001", "aws_security_group.good_ssh", "good.tf", 6);

/// Which lines an `errors` entry may carry.
#[derive(Clone, Copy, Debug)]
enum Lines {
    /// Any line, 0 (the whole file) included: a file refused as a whole.
    Any,
    /// Some line of the file (>= 1): the place of the problem is not one fixed expression.
    Positive,
    /// Exactly one of these (the line of the offending expression).
    OneOf(&'static [u64]),
}

impl Lines {
    fn admits(self, line: u64) -> bool {
        match self {
            Lines::Any => true,
            Lines::Positive => line >= 1,
            Lines::OneOf(ls) => ls.contains(&line),
        }
    }
}

/// What a case must show, beyond what every case must show.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// An `errors` entry naming `file` at an admitted line.
    Error { file: &'static str, lines: Lines },
    /// An `errors` entry, at some line >= 1, naming one of `files` (a cycle or fan-out may be
    /// blamed on either end).
    ErrorInOneOf { files: &'static [&'static str] },
    /// An `errors` entry naming `path` or a file under it (a directory symlink).
    ErrorUnder { path: &'static str },
    /// Terraform accepts the input: this finding, and no `errors` entry naming its file.
    Accepted {
        rule: &'static str,
        resource: &'static str,
        file: &'static str,
        line: u64,
    },
    /// No finding on a resource whose address satisfies `pred` (described by `what`): a module
    /// recursion must be refused, not instantiated until a limit is reached.
    NoFindingOn {
        what: &'static str,
        pred: fn(&str) -> bool,
    },
    /// Either evaluated like Terraform (this finding) or visibly refused (an `errors` entry
    /// naming `file` at an admitted line); silently dropping the file is the failure.
    AcceptedOrError {
        rule: &'static str,
        resource: &'static str,
        file: &'static str,
        line: u64,
        error_lines: Lines,
    },
}

/// The temporary world of one case: the scanned copy and the sentinel directory beside it.
struct World {
    _tmp: tempfile::TempDir,
    base: PathBuf,
    tree: PathBuf,
    outside: PathBuf,
    secret: String,
}

impl World {
    /// A world whose tree is a copy of `tests/hostile/<case>/`.
    fn new(case: &str) -> World {
        let src = hostile_dir().join(case);
        World::from_dir(case, Some(&src))
    }

    /// A world whose tree is a copy of `src`, or empty.
    fn from_dir(case: &str, src: Option<&Path>) -> World {
        let tmp = tempfile::Builder::new()
            .prefix(&format!("moat-hostile-{case}-"))
            .tempdir()
            .unwrap();
        let base = tmp.path().to_path_buf();
        let tree = base.join("tree");
        let outside = base.join("outside");
        fs::create_dir_all(&outside).unwrap();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let secret = format!("MOAT-SENTINEL-SECRET-{}-{nanos}", std::process::id());
        fs::write(outside.join("secret.txt"), &secret).unwrap();
        // Valid Terraform: read through a symlink, its finding's message would carry the secret.
        fs::write(
            outside.join("main.tf"),
            format!(
                "resource \"aws_security_group\" \"outside\" {{\n  name        = \"outside\"\n  description = \"{secret}\"\n\n  ingress {{\n    description = \"{secret}\"\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"{secret}\"]\n  }}\n}}\n"
            ),
        )
        .unwrap();
        // A valid moat.toml: applied, it would hide the good finding.
        fs::write(
            outside.join("moat.toml"),
            format!("# {secret}\n[rules]\nignore = [\"SG001\"]\n"),
        )
        .unwrap();
        match src {
            Some(src) => {
                // A case without files of its own builds its input at run time (links, FIFOs).
                if src.is_dir() {
                    copy_tree(src, &tree, &outside);
                } else {
                    fs::create_dir_all(&tree).unwrap();
                }
                // Every case scans the same good file beside its hostile input (one copy,
                // `tests/hostile/good.tf`, not one per case).
                fs::copy(hostile_dir().join("good.tf"), tree.join("good.tf")).unwrap();
            }
            None => fs::create_dir_all(&tree).unwrap(),
        }
        World {
            _tmp: tmp,
            base,
            tree,
            outside,
            secret,
        }
    }

    fn link(&self, target: impl AsRef<Path>, at: &str) {
        let at = self.tree.join(at);
        if let Some(p) = at.parent() {
            fs::create_dir_all(p).unwrap();
        }
        std::os::unix::fs::symlink(target, at).unwrap();
    }

    fn fifo(&self) -> PathBuf {
        let p = self.outside.join("fifo");
        let ok = Command::new("mkfifo").arg(&p).status().unwrap().success();
        assert!(ok, "mkfifo {} failed", p.display());
        p
    }
}

fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

/// Copy regular files, replacing `@OUTSIDE@` in UTF-8 ones (others are copied byte for byte).
fn copy_tree(src: &Path, dst: &Path, outside: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        let ty = e.file_type().unwrap();
        if ty.is_dir() {
            copy_tree(&e.path(), &to, outside);
        } else if ty.is_file() {
            let bytes = fs::read(e.path()).unwrap();
            let bytes = match String::from_utf8(bytes) {
                Ok(s) => s
                    .replace("@OUTSIDE@", &outside.to_string_lossy())
                    .into_bytes(),
                Err(e) => e.into_bytes(),
            };
            fs::write(to, bytes).unwrap();
        }
    }
}

struct Outcome {
    status: std::process::ExitStatus,
    elapsed: Duration,
    peak_rss_kb: u64,
    stdout: String,
    stderr: String,
}

fn binary() -> PathBuf {
    match std::env::var_os("MOAT_HOSTILE_BIN") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_BIN_EXE_moat")),
    }
}

fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run `moat scan TREE --format json` under the limits; panic on a hang (after killing it).
fn scan(w: &World, case: &str) -> Outcome {
    let out_path = w.base.join("stdout");
    let err_path = w.base.join("stderr");
    let script = format!(
        "ulimit -v {MEM_LIMIT_KB} && ulimit -f {FILE_LIMIT_BLOCKS} && exec \"$0\" scan \"$1\" --format json"
    );
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(binary())
        .arg(&w.tree)
        .current_dir(&w.base)
        .env("MOAT_HOSTILE_SENTINEL", &w.secret)
        // glibc reserves 64 MB of address space per malloc arena (one per thread): keep the
        // address-space limit about memory use, not about the number of cores.
        .env("MALLOC_ARENA_MAX", "2")
        .env("RAYON_NUM_THREADS", "2")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = peak_rss_kb(child.id()) {
            peak = peak.max(kb);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{case}: HANG: moat scan still running after {} s (peak RSS {} MB); killed",
                TIMEOUT.as_secs(),
                peak / 1024
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
    Outcome {
        status,
        elapsed,
        peak_rss_kb: peak,
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

fn tail(s: &str, n: usize) -> &str {
    let start = s.len().saturating_sub(n);
    let start = (start..=s.len())
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0);
    &s[start..]
}

fn passwd_first_line() -> Option<String> {
    fs::read_to_string("/etc/passwd")
        .ok()?
        .lines()
        .next()
        .map(str::to_string)
        .filter(|l| l.len() >= 8)
}

fn errors_of(json: &Value) -> Vec<(String, u64, String)> {
    json["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["file"].as_str().unwrap_or("").to_string(),
                        e["line"].as_u64().unwrap_or(0),
                        e["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Findings with this rule, resource, file and line that were decided (`status: fail`): an
/// `unknown` finding means the value was not computed, which proves nothing here.
fn count_findings(json: &Value, rule: &str, resource: &str, file: &str, line: u64) -> usize {
    json["findings"].as_array().map_or(0, |fs| {
        fs.iter()
            .filter(|f| {
                f["rule_id"] == rule
                    && f["resource"] == resource
                    && f["file"] == file
                    && f["line"].as_u64() == Some(line)
                    && f["status"] == "fail"
            })
            .count()
    })
}

fn has_error(errors: &[(String, u64, String)], file: &str, lines: Lines) -> bool {
    errors.iter().any(|(f, l, _)| f == file && lines.admits(*l))
}

/// Run one case and check everything; all failures of the case are reported together.
fn check(case: &str, setup: fn(&World), expect: &[Expect]) {
    let w = World::new(case);
    setup(&w);
    let o = scan(&w, case);
    let summary = format!(
        "{case}: {} in {:.2} s, peak RSS {} MB",
        match (o.status.code(), o.status.signal()) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some(s)) => format!("killed by signal {s}"),
            _ => "unknown status".to_string(),
        },
        o.elapsed.as_secs_f64(),
        o.peak_rss_kb / 1024
    );
    println!("{summary}");
    let mut fails: Vec<String> = Vec::new();

    // Nothing from outside the tree, whatever else happened.
    for (what, out) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        if out.contains(&w.secret) {
            fails.push(format!(
                "{what} holds the sentinel from outside the scanned tree"
            ));
        }
        if let Some(l) = passwd_first_line() {
            if out.contains(&l) {
                fails.push(format!("{what} holds the first line of /etc/passwd"));
            }
        }
    }
    if o.stderr.contains("panicked") {
        fails.push("moat panicked".to_string());
    }
    match o.status.code() {
        Some(1) => {}
        Some(c) => fails.push(format!(
            "exit status {c}, expected 1 (the good file's finding)"
        )),
        None => fails.push(format!(
            "killed by signal {:?} (abort or out of memory)",
            o.status.signal()
        )),
    }
    let json: Option<Value> = serde_json::from_str(&o.stdout).ok();
    match &json {
        None => fails.push(format!(
            "stdout is not JSON ({} bytes): {:?}",
            o.stdout.len(),
            tail(&o.stdout, 300)
        )),
        Some(json) => {
            let (rule, res, file, line) = GOOD;
            let n = count_findings(json, rule, res, file, line);
            if n != 1 {
                fails.push(format!(
                    "the good file's finding ({rule} {res} {file}:{line}) is reported {n} times, expected once"
                ));
            }
            let errors = errors_of(json);
            for e in expect {
                let ok = match *e {
                    Expect::Error { file, lines } => has_error(&errors, file, lines),
                    Expect::ErrorInOneOf { files } => {
                        files.iter().any(|f| has_error(&errors, f, Lines::Positive))
                    }
                    Expect::ErrorUnder { path } => errors.iter().any(|(f, _, _)| {
                        f == path || f.strip_prefix(path).is_some_and(|r| r.starts_with('/'))
                    }),
                    Expect::Accepted {
                        rule,
                        resource,
                        file,
                        line,
                    } => {
                        count_findings(json, rule, resource, file, line) == 1
                            && !errors.iter().any(|(f, _, _)| f == file)
                    }
                    Expect::NoFindingOn { pred, .. } => {
                        json["findings"].as_array().is_none_or(|fs| {
                            !fs.iter()
                                .any(|f| pred(f["resource"].as_str().unwrap_or("")))
                        })
                    }
                    Expect::AcceptedOrError {
                        rule,
                        resource,
                        file,
                        line,
                        error_lines,
                    } => {
                        count_findings(json, rule, resource, file, line) == 1
                            || has_error(&errors, file, error_lines)
                    }
                };
                if !ok {
                    let resources: Vec<&str> = json["findings"]
                        .as_array()
                        .map(|fs| {
                            fs.iter()
                                .filter_map(|f| f["resource"].as_str())
                                .take(5)
                                .collect()
                        })
                        .unwrap_or_default();
                    let wanted = match e {
                        Expect::NoFindingOn { what, .. } => format!("no finding on {what}"),
                        other => format!("{other:?}"),
                    };
                    fails.push(format!(
                        "expected {wanted}; errors were {errors:?}; first findings on {resources:?}"
                    ));
                }
            }
        }
    }
    assert!(
        fails.is_empty(),
        "{summary}\n  - {}\nstderr (end): {}",
        fails.join("\n  - "),
        tail(&o.stderr, 2000)
    );
}

fn no_setup(_: &World) {}

// ---------------------------------------------------------------- evaluation limits

#[test]
fn format_width() {
    check(
        "format_width",
        no_setup,
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::OneOf(&[2]),
        }],
    );
}

#[test]
fn format_left_width() {
    check(
        "format_left_width",
        no_setup,
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::OneOf(&[2]),
        }],
    );
}

#[test]
fn doubling_locals() {
    // 2 * 2^40 bytes: some local along the chain must be refused.
    check(
        "doubling_locals",
        no_setup,
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::Positive,
        }],
    );
}

#[test]
fn nested_for() {
    // range(100000) three deep; Terraform refuses range() beyond 1024 values.
    check(
        "nested_for",
        no_setup,
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::OneOf(&[2]),
        }],
    );
}

#[test]
fn nested_for_1000() {
    // range(1000) three deep: valid ranges, 10^9 elements.
    check(
        "nested_for_1000",
        no_setup,
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::OneOf(&[2]),
        }],
    );
}

#[test]
fn nested_dynamic() {
    // 30 nested `dynamic` blocks of two each: 2^30 leaf blocks.
    check(
        "nested_dynamic",
        no_setup,
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::Positive,
        }],
    );
}

#[test]
fn module_count_fanout() {
    // count = 10000 modules of count = 10000 buckets: 10^8 resources.
    check(
        "module_count_fanout",
        no_setup,
        &[Expect::ErrorInOneOf {
            files: &["bad.tf", "fan/main.tf"],
        }],
    );
}

#[test]
fn module_cycle() {
    // a calls b ten times, b calls a ten times. Terraform rejects module recursion at any
    // count (`terraform init` recurses until "file name too long"; hashicorp/terraform#22648):
    // the call that closes the cycle is an error and is not instantiated.
    check(
        "module_cycle",
        no_setup,
        &[
            Expect::ErrorInOneOf {
                files: &["bad.tf", "a/main.tf", "b/main.tf"],
            },
            Expect::NoFindingOn {
                what: "an address holding `module.a` twice (the cycle expanded)",
                pred: |r| r.matches("module.a").count() > 1,
            },
        ],
    );
}

#[test]
fn module_self() {
    // The root calls itself ten times: invalid in Terraform at any count
    // (hashicorp/terraform#31557), so no `module.again` instance may be built.
    check(
        "module_self",
        no_setup,
        &[
            Expect::Error {
                file: "bad.tf",
                lines: Lines::OneOf(&[1, 2, 3]),
            },
            Expect::NoFindingOn {
                what: "a resource under `module.again`",
                pred: |r| r.contains("module.again"),
            },
        ],
    );
}

#[test]
fn toset_range() {
    // Terraform: "more than 1024 values were generated" for range(100000).
    check(
        "toset_range",
        no_setup,
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::OneOf(&[2]),
        }],
    );
}

#[test]
fn toset_100k() {
    // Valid Terraform (100000 values from nested ranges): computed (port 22, an SG001
    // finding) or refused visibly by a size limit.
    check(
        "toset_100k",
        no_setup,
        &[Expect::AcceptedOrError {
            rule: "SG001",
            resource: "aws_security_group.toset",
            file: "bad.tf",
            line: 10,
            error_lines: Lines::OneOf(&[2]),
        }],
    );
}

#[test]
fn distinct_100k() {
    // Valid Terraform: distinct over 100000 values (50000 distinct); quadratic when each value
    // is compared with every kept one.
    check(
        "distinct_100k",
        no_setup,
        &[Expect::AcceptedOrError {
            rule: "SG001",
            resource: "aws_security_group.distinct",
            file: "bad.tf",
            line: 10,
            error_lines: Lines::OneOf(&[2]),
        }],
    );
}

#[test]
fn resource_cycle() {
    // Terraform: "Cycle: aws_security_group.a, aws_security_group.b".
    check(
        "resource_cycle",
        no_setup,
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::Positive,
        }],
    );
}

#[test]
fn variable_default_ref() {
    // Terraform: "Variables not allowed" in a variable's default.
    check(
        "variable_default_ref",
        no_setup,
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::OneOf(&[6]),
        }],
    );
}

#[test]
fn duplicate_object_key() {
    // Terraform accepts `{ port = 80, port = 22 }` (the last wins), so the file is not an error.
    check(
        "duplicate_object_key",
        no_setup,
        &[Expect::Accepted {
            rule: "SG001",
            resource: "aws_security_group.dup",
            file: "bad.tf",
            line: 10,
        }],
    );
}

#[test]
fn utf16_bom() {
    // Decoded (its SG001 finding) or refused visibly: never silently skipped.
    check(
        "utf16_bom",
        no_setup,
        &[Expect::AcceptedOrError {
            rule: "SG001",
            resource: "aws_security_group.utf16",
            file: "bad.tf",
            line: 5,
            error_lines: Lines::Any,
        }],
    );
}

// ---------------------------------------------------------------- special files and escapes

#[test]
fn dev_zero_tf() {
    check(
        "dev_zero_tf",
        |w| w.link("/dev/zero", "bad.tf"),
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::Any,
        }],
    );
}

#[test]
fn dev_zero_file() {
    check(
        "dev_zero_file",
        |w| w.link("/dev/zero", "zero"),
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::OneOf(&[3]),
        }],
    );
}

#[test]
fn fifo_tf() {
    check(
        "fifo_tf",
        |w| {
            let f = w.fifo();
            w.link(f, "bad.tf");
        },
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::Any,
        }],
    );
}

#[test]
fn fifo_file() {
    check(
        "fifo_file",
        |w| {
            let f = w.fifo();
            w.link(f, "pipe");
        },
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::OneOf(&[3]),
        }],
    );
}

#[test]
fn proc_environ_tf() {
    check(
        "proc_environ_tf",
        |w| w.link("/proc/self/environ", "bad.tf"),
        &[Expect::Error {
            file: "bad.tf",
            lines: Lines::Any,
        }],
    );
}

#[test]
fn etc_passwd() {
    check(
        "etc_passwd",
        |w| {
            w.link("/etc/passwd", "leak.tf");
            w.link("/etc/passwd", "link");
        },
        &[
            Expect::Error {
                file: "leak.tf",
                lines: Lines::Any,
            },
            Expect::Error {
                file: "bad.tf",
                lines: Lines::OneOf(&[12]),
            },
        ],
    );
}

#[test]
fn outside_reads() {
    check(
        "outside_reads",
        |w| {
            w.link(w.outside.join("secret.txt"), "secret_link");
            w.link(w.outside.join("main.tf"), "secret.tf");
        },
        &[
            Expect::Error {
                file: "secret.tf",
                lines: Lines::Any,
            },
            // file("secret_link"), templatefile("secret_link"), the absolute path, `..`.
            Expect::Error {
                file: "bad.tf",
                lines: Lines::OneOf(&[14]),
            },
            Expect::Error {
                file: "bad.tf",
                lines: Lines::OneOf(&[15]),
            },
            Expect::Error {
                file: "bad.tf",
                lines: Lines::OneOf(&[16]),
            },
            Expect::Error {
                file: "bad.tf",
                lines: Lines::OneOf(&[17]),
            },
        ],
    );
}

#[test]
fn dir_symlink_outside() {
    check(
        "dir_symlink_outside",
        |w| w.link(&w.outside, "vendor"),
        &[Expect::ErrorUnder { path: "vendor" }],
    );
}

#[test]
fn symlink_loop() {
    // sub/up -> .. : the good file must still be reported once, not once per lap.
    check(
        "symlink_loop",
        |w| w.link("..", "sub/up"),
        &[Expect::ErrorUnder { path: "sub/up" }],
    );
}

#[test]
fn moat_toml_outside() {
    // moat.toml -> a file outside the tree that would ignore SG001: it must not be applied.
    check(
        "moat_toml_outside",
        |w| w.link(w.outside.join("moat.toml"), "moat.toml"),
        &[Expect::Error {
            file: "moat.toml",
            lines: Lines::Any,
        }],
    );
}

// ---------------------------------------------------------------- fuzz regressions

/// Every entry of `tests/hostile/regressions/` is an input a fuzz target once crashed or hung
/// on, scanned beside the good file under the same limits: a `*.tf` / `*.tf.json` file as
/// `bad.tf` (or `bad.tf.json`), a directory (a multi-file `walker` crash) copied as the tree.
/// It must exit 1 with the good finding once, no panic and no sentinel. (A `walker` crash that
/// needs symlinks becomes a case directory and a test above: they are made at test time.)
#[test]
fn fuzz_regressions() {
    let hostile = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut names: Vec<String> = fs::read_dir(hostile.join("regressions"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            e.path().is_dir() || n.ends_with(".tf") || n.ends_with(".tf.json")
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no regression inputs found");
    let mut fails = Vec::new();
    for name in &names {
        let src = hostile.join("regressions").join(name);
        let w = if src.is_dir() {
            World::from_dir("regression", Some(&src))
        } else {
            let w = World::from_dir("regression", None);
            let as_name = if name.ends_with(".json") {
                "bad.tf.json"
            } else {
                "bad.tf"
            };
            fs::copy(&src, w.tree.join(as_name)).unwrap();
            w
        };
        fs::copy(hostile.join("good.tf"), w.tree.join("good.tf")).unwrap();
        let o = scan(&w, name);
        let json: Option<Value> = serde_json::from_str(&o.stdout).ok();
        let good = json
            .as_ref()
            .map_or(0, |j| count_findings(j, GOOD.0, GOOD.1, GOOD.2, GOOD.3));
        println!(
            "{name}: {:?} in {:.2} s, peak RSS {} MB",
            o.status,
            o.elapsed.as_secs_f64(),
            o.peak_rss_kb / 1024
        );
        let ok = o.status.code() == Some(1)
            && good == 1
            && !o.stderr.contains("panicked")
            && !o.stdout.contains(&w.secret);
        if !ok {
            fails.push(format!(
                "{name}: {:?} in {:.2} s, good finding reported {good} times; stderr: {}",
                o.status,
                o.elapsed.as_secs_f64(),
                tail(&o.stderr, 1000)
            ));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}
