//! Helpers shared by the tests that compare moat's IAM evaluator with `@cloud-copilot/iam-simulate`
//! (`differential`): finding the peer and running our oracle script over a batch of requests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

#[path = "../../../../tests/support/peers.rs"]
mod peers;
pub use peers::missing_peer;

/// How to get the peer.
pub const IAM_SIMULATE_INSTALL: &str = "bash .ci/install-peers (npm install of the pinned \
     @cloud-copilot/iam-simulate into $HOME/.cache/moat-peers/iam-simulate; needs node on PATH \
     or MOAT_NODE), or set MOAT_IAM_SIMULATE_DIR to an npm prefix holding it";

/// Our oracle script (moat's code; it only calls iam-simulate, which stays outside the repo).
pub fn oracle_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/iam-simulate.mjs")
}

fn node() -> PathBuf {
    std::env::var_os("MOAT_NODE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("node"))
}

/// The npm prefix iam-simulate is installed under: `MOAT_IAM_SIMULATE_DIR`, else
/// `$HOME/.cache/moat-peers/iam-simulate` (where `.ci/install-peers` puts the pinned release).
pub fn iam_simulate_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MOAT_IAM_SIMULATE_DIR") {
        return Some(PathBuf::from(dir));
    }
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/moat-peers/iam-simulate"))
}

/// The version of iam-simulate the oracle runs, when node and the peer are there.
pub fn iam_simulate_version() -> Option<String> {
    let dir = iam_simulate_dir()?;
    let out = Command::new(node())
        .arg(oracle_script())
        .arg("--version")
        .env("MOAT_IAM_SIMULATE_DIR", dir)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!v.is_empty()).then_some(v)
}

/// Runs every request through the oracle in one `node` process; one answer per request, in order
/// (`{"decision": ...}` or `{"error": ...}`). Panics when the process fails: the caller checked
/// that the peer is there.
pub fn run_oracle(requests: &[Value]) -> Vec<Value> {
    let dir = iam_simulate_dir().expect("iam-simulate dir");
    let mut child = Command::new(node())
        .arg(oracle_script())
        .env("MOAT_IAM_SIMULATE_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn node");
    let mut stdin = child.stdin.take().expect("stdin");
    let lines: Vec<String> = requests.iter().map(|r| r.to_string()).collect();
    // Written from another thread: the oracle answers while it reads, and both pipes are finite.
    let writer = std::thread::spawn(move || {
        for line in lines {
            stdin.write_all(line.as_bytes()).expect("write to oracle");
            stdin.write_all(b"\n").expect("write to oracle");
        }
    });
    let stdout = child.stdout.take().expect("stdout");
    let answers: Vec<Value> = BufReader::new(stdout)
        .lines()
        .map(|l| serde_json::from_str(&l.expect("read oracle")).expect("oracle answers JSON"))
        .collect();
    writer.join().expect("writer thread");
    let status = child.wait().expect("wait for node");
    assert!(status.success(), "the oracle exited with {status}");
    assert_eq!(
        answers.len(),
        requests.len(),
        "the oracle answered {} of {} requests",
        answers.len(),
        requests.len()
    );
    answers
}

/// The oracle's decision, or `error: ...` / `ignored context keys: ...` when it did not decide
/// the request as given.
pub fn oracle_outcome(answer: &Value) -> Outcome {
    if let Some(err) = answer.get("error") {
        return Outcome::Refused(err.to_string());
    }
    if let Some(ignored) = answer.get("ignored_context_keys") {
        return Outcome::Refused(format!("ignored context keys {ignored}"));
    }
    if answer.get("result_type").is_some() {
        return Outcome::Refused("wildcard resource".to_string());
    }
    match answer.get("decision").and_then(Value::as_str) {
        Some(d) => Outcome::Decision(d.to_string()),
        None => Outcome::Refused(format!("no decision in {answer}")),
    }
}

/// What one side said about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `allow`, `explicit_deny`, `implicit_deny` (or any other decision string moat returns).
    Decision(String),
    /// The side did not decide the request as given (an error, a refused input).
    Refused(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Decision(d) => f.write_str(d),
            Outcome::Refused(e) => write!(f, "error: {e}"),
        }
    }
}
