//! Differential oracle: every fixture under `tests/fixtures/realistic/` is planned by Terraform
//! itself (`terraform init` + `plan -out` + `show -json`, offline, against a provider filesystem
//! mirror; data sources answered by a local `moto_server`) and compared with
//! `moat_terraform::load` on the same directory:
//!
//! - the set of managed resource addresses must be identical;
//! - every attribute moat has must equal Terraform's planned value where Terraform knows it
//!   (attributes moat lacks are provider defaults; `tags_all` is ignored); moat being unknown
//!   where Terraform knows the value is counted and printed (a weakness), a different known
//!   value fails the test (a bug);
//! - moat must report no errors on these valid configurations.
//!
//! When `terraform` or the AWS provider mirror is absent the test skips (prints why, passes), and
//! fixtures that contain a file named `needs-moto` are skipped when `moto_server` is absent;
//! under `MOAT_REQUIRE_PEERS=1` (as in CI) either fails the test instead (`tests/common`).
//! Environment: `MOAT_TERRAFORM` (binary), `MOAT_TF_PLUGIN_MIRROR` (default `/opt/tf-plugins`),
//! `MOAT_MOTO_SERVER` (binary), `MOAT_PLAN_DIFF_ONLY` (run only fixtures whose name contains it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use moat_model::{format_number, Mode, Node, Value};
use serde_json::Value as J;

mod common;
use common::{missing_peer, terraform_and_mirror};

/// How to get moto.
const MOTO_INSTALL: &str = "python3 -m pip install 'moto[server]' (bash .ci/install-peers)";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realistic")
}

/// How to start moto: an explicit binary, `moto_server` on PATH, or `python3 -m moto.server`.
fn moto_command() -> Option<Vec<String>> {
    let runs = |cmd: &[String]| {
        let mut c = Command::new(&cmd[0]);
        c.args(&cmd[1..])
            .arg("--help")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c.status().is_ok_and(|s| s.success())
    };
    let mut candidates: Vec<Vec<String>> = Vec::new();
    if let Some(b) = std::env::var_os("MOAT_MOTO_SERVER") {
        candidates.push(vec![b.to_string_lossy().into_owned()]);
    }
    candidates.push(vec!["moto_server".into()]);
    candidates.push(vec!["python3".into(), "-m".into(), "moto.server".into()]);
    candidates.into_iter().find(|c| runs(c))
}

struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto(cmd: &[String]) -> Option<Moto> {
    let port = TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let moto = Moto { child, port };
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(moto);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(&name));
        } else {
            std::fs::copy(&p, to.join(&name)).unwrap();
        }
    }
}

const OVERRIDE: &str = r#"provider "aws" {
  access_key                  = "AKIAMOATTESTING00000"
  secret_key                  = "moat-test-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
"#;

/// Plan a fixture with Terraform; returns the `terraform show -json` document.
fn plan(tf: &Path, mirror: &Path, fixture: &Path, moto_port: Option<u16>) -> Result<J, String> {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("cfg");
    copy_dir(fixture, &dir);
    let mut over = OVERRIDE.to_string();
    if let Some(port) = moto_port {
        let url = format!("http://127.0.0.1:{port}");
        over.push_str("  s3_use_path_style           = true\n  endpoints {\n");
        for svc in [
            "ec2", "iam", "kms", "s3", "sts", "sns", "sqs", "elbv2", "rds",
        ] {
            over.push_str(&format!("    {svc} = \"{url}\"\n"));
        }
        over.push_str("  }\n");
    }
    over.push_str("}\n");
    std::fs::write(dir.join("moat_provider_override.tf"), over).unwrap();
    // An unpacked filesystem mirror is linked, not copied, into `.terraform`: no plugin cache
    // is needed (a shared one is not safe while another fixture is being planned).
    let rc = work.path().join("cli.tfrc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| -> Result<Vec<u8>, String> {
        let out = Command::new(tf)
            .args(args)
            .current_dir(&dir)
            .env("TF_CLI_CONFIG_FILE", &rc)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("AWS_ACCESS_KEY_ID", "AKIAMOATTESTING00000")
            .env("AWS_SECRET_ACCESS_KEY", "moat-test-secret")
            .env_remove("AWS_PROFILE")
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .output()
            .map_err(|e| format!("terraform {args:?}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "terraform {:?} failed:\n{}{}",
                args,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(out.stdout)
    };
    {
        // One init at a time (it is quick; plans run two at a time).
        static INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _guard = INIT.lock().unwrap_or_else(|p| p.into_inner());
        run(&["init", "-input=false", "-no-color", "-backend=false"])?;
    }
    run(&["validate", "-no-color"])?;
    run(&[
        "plan",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-out=plan.bin",
    ])?;
    let js = run(&["show", "-json", "plan.bin"])?;
    serde_json::from_slice(&js).map_err(|e| format!("show -json: {e}"))
}

/// Managed resources of a plan: address -> (planned values, after_unknown).
fn tf_resources(plan: &J) -> BTreeMap<String, (J, J)> {
    fn walk(m: &J, out: &mut BTreeMap<String, J>) {
        for r in m["resources"].as_array().into_iter().flatten() {
            if r["mode"] == "managed" {
                out.insert(
                    r["address"].as_str().unwrap().to_string(),
                    r["values"].clone(),
                );
            }
        }
        for c in m["child_modules"].as_array().into_iter().flatten() {
            walk(c, out);
        }
    }
    let mut values = BTreeMap::new();
    walk(&plan["planned_values"]["root_module"], &mut values);
    let mut unknown = BTreeMap::new();
    for rc in plan["resource_changes"].as_array().into_iter().flatten() {
        if rc["mode"] == "managed" {
            unknown.insert(
                rc["address"].as_str().unwrap().to_string(),
                rc["change"]["after_unknown"].clone(),
            );
        }
    }
    values
        .into_iter()
        .map(|(a, v)| {
            let u = unknown.remove(&a).unwrap_or(J::Null);
            (a, (v, u))
        })
        .collect()
}

#[derive(Default)]
struct Report {
    compared: usize,
    equal: usize,
    moat_unknown: Vec<String>,
    mismatches: Vec<String>,
    /// Terraform plans null where moat has a value (printed, not failed).
    tf_null: Vec<String>,
    /// moat has null where Terraform plans a value (printed, not failed).
    moat_null: Vec<String>,
}

/// Meta-arguments and blocks that are configuration, not resource attributes.
const META: &[&str] = &[
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
    "tags_all",
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Eq {
    Yes,
    /// moat's string has `${...}` placeholders for unknown parts and the rest matches.
    Partial,
    No,
}

fn placeholder_re() -> regex::Regex {
    regex::Regex::new(r"\$\{[^{}]*\}").unwrap()
}

/// A moat string with placeholders against a known string.
fn template_match(m: &str, t: &str) -> Eq {
    if m == t {
        return Eq::Yes;
    }
    let re = placeholder_re();
    if !re.is_match(m) {
        return Eq::No;
    }
    let mut pat = String::from("(?s)^");
    let mut last = 0;
    for mt in re.find_iter(m) {
        pat.push_str(&regex::escape(&m[last..mt.start()]));
        pat.push_str(".*");
        last = mt.end();
    }
    pat.push_str(&regex::escape(&m[last..]));
    pat.push('$');
    match regex::Regex::new(&pat) {
        Ok(r) if r.is_match(t) => Eq::Partial,
        _ => Eq::No,
    }
}

/// JSON documents compared as JSON; strings may hold placeholders.
fn json_match(m: &J, t: &J) -> Eq {
    match (m, t) {
        (J::Object(a), J::Object(b)) => {
            if a.len() != b.len() {
                return Eq::No;
            }
            let mut r = Eq::Yes;
            for (k, v) in a {
                match b.get(k).map(|w| json_match(v, w)) {
                    Some(Eq::Yes) => {}
                    Some(Eq::Partial) => r = Eq::Partial,
                    _ => return Eq::No,
                }
            }
            r
        }
        (J::Array(a), J::Array(b)) => {
            if a.len() != b.len() {
                return Eq::No;
            }
            let mut r = Eq::Yes;
            for (v, w) in a.iter().zip(b) {
                match json_match(v, w) {
                    Eq::Yes => {}
                    Eq::Partial => r = Eq::Partial,
                    Eq::No => return Eq::No,
                }
            }
            r
        }
        (J::String(a), J::String(b)) => template_match(a, b),
        (J::Number(a), J::Number(b)) => {
            if a.as_f64() == b.as_f64() {
                Eq::Yes
            } else {
                Eq::No
            }
        }
        (a, b) => {
            if a == b {
                Eq::Yes
            } else {
                Eq::No
            }
        }
    }
}

fn scalar_eq(m: &Value, t: &J) -> Eq {
    let yes = |b: bool| if b { Eq::Yes } else { Eq::No };
    match (m, t) {
        (Value::Bool(a), J::Bool(b)) => yes(a == b),
        (Value::Number(a), J::Number(b)) => yes(b.as_f64().is_some_and(|b| (a - b).abs() < 1e-9)),
        (Value::String(a), J::String(b)) => {
            if a == b {
                return Eq::Yes;
            }
            // `aws_instance.user_data` is planned as the SHA-1 of the text.
            if b.len() == 40 && b.bytes().all(|c| c.is_ascii_hexdigit()) {
                use sha1::Digest;
                let h = sha1::Sha1::digest(a.as_bytes());
                let hex: String = h.iter().map(|x| format!("{x:02x}")).collect();
                if hex == *b {
                    return Eq::Yes;
                }
            }
            // JSON documents (policies) are compared as JSON.
            match (
                serde_json::from_str::<J>(a),
                serde_json::from_str::<J>(b.as_str()),
            ) {
                (Ok(x @ (J::Object(_) | J::Array(_))), Ok(y)) => json_match(&x, &y),
                _ => template_match(a, b),
            }
        }
        // Terraform converts primitives to the schema's type.
        (Value::Number(a), J::String(b)) => yes(format_number(*a) == *b),
        (Value::String(a), J::Number(b)) => yes(a.parse::<f64>().ok() == b.as_f64()),
        (Value::Bool(a), J::String(b)) => yes(a.to_string() == *b),
        (Value::String(a), J::Bool(b)) => yes(*a == b.to_string()),
        _ => Eq::No,
    }
}

/// Compare one moat node with Terraform's planned value. Returns false on a mismatch (recorded).
fn cmp(n: &Node, t: &J, unk: &J, path: &str, rep: &mut Report, record: bool) -> bool {
    if unk == &J::Bool(true) {
        return true;
    }
    match &n.value {
        Value::Null => {
            // Null in moat (set to null, or absent) where Terraform plans a value: a schema
            // default. Listed for inspection, not failed.
            if record
                && !t.is_null()
                && t != &J::Array(vec![])
                && t != &J::Object(Default::default())
            {
                rep.moat_null.push(format!("{path}: terraform {t}"));
            }
            true
        }
        Value::Unknown(u) => {
            if record && !t.is_null() {
                rep.compared += 1;
                rep.moat_unknown
                    .push(format!("{path}: terraform {t}, moat {u:?}"));
            }
            true
        }
        Value::List(_) | Value::Map(_) if t.is_string() => {
            // A document moat keeps structured (jsonencode around unknowns) against
            // Terraform's JSON text.
            match t.as_str().and_then(|s| serde_json::from_str::<J>(s).ok()) {
                Some(doc @ (J::Object(_) | J::Array(_))) => {
                    cmp(n, &doc, &J::Null, path, rep, record)
                }
                _ => {
                    if record {
                        rep.compared += 1;
                        rep.mismatches.push(format!(
                            "{path}: moat {} {}, terraform {t}",
                            n.value.type_name(),
                            n.value.to_json()
                        ));
                    }
                    false
                }
            }
        }
        Value::List(items) => {
            let J::Array(ts) = t else {
                if record {
                    rep.compared += 1;
                    rep.mismatches.push(format!(
                        "{path}: moat list {}, terraform {t}",
                        n.value.to_json()
                    ));
                }
                return false;
            };
            if items.len() != ts.len() {
                if record {
                    rep.compared += 1;
                    rep.mismatches.push(format!(
                        "{path}: moat {} elements {}, terraform {} {t}",
                        items.len(),
                        n.value.to_json(),
                        ts.len()
                    ));
                }
                return false;
            }
            let unk_at = |i: usize| unk.get(i).cloned().unwrap_or(J::Null);
            let mut scratch = Report::default();
            let ordered = items
                .iter()
                .zip(ts)
                .enumerate()
                .all(|(i, (m, t))| cmp(m, t, &unk_at(i), path, &mut scratch, false));
            if ordered {
                if record {
                    for (i, (m, t)) in items.iter().zip(ts).enumerate() {
                        cmp(m, t, &unk_at(i), &format!("{path}[{i}]"), rep, true);
                    }
                }
                return true;
            }
            // Sets: Terraform orders them its own way; match every element to a distinct one.
            let mut used = vec![false; ts.len()];
            let mut pairs = Vec::new();
            for (i, m) in items.iter().enumerate() {
                let found = (0..ts.len()).find(|&j| {
                    !used[j] && cmp(m, &ts[j], &unk_at(j), path, &mut Report::default(), false)
                });
                match found {
                    Some(j) => {
                        used[j] = true;
                        pairs.push((i, j));
                    }
                    None => {
                        if record {
                            rep.compared += 1;
                            rep.mismatches.push(format!(
                                "{path}[{i}]: moat {} matches no element of terraform {t}",
                                m.value.to_json()
                            ));
                        }
                        return false;
                    }
                }
            }
            if record {
                for (i, j) in pairs {
                    cmp(
                        &items[i],
                        &ts[j],
                        &unk_at(j),
                        &format!("{path}[{i}]"),
                        rep,
                        true,
                    );
                }
            }
            true
        }
        Value::Map(m) => {
            let obj = match t {
                J::Object(o) => o,
                J::Array(a) if a.len() == 1 && a[0].is_object() => {
                    return cmp(n, &a[0], unk.get(0).unwrap_or(&J::Null), path, rep, record);
                }
                _ => {
                    if record {
                        rep.compared += 1;
                        rep.mismatches.push(format!(
                            "{path}: moat map {}, terraform {t}",
                            n.value.to_json()
                        ));
                    }
                    return false;
                }
            };
            let mut ok = true;
            for (k, v) in m {
                if k.starts_with("__moat") {
                    continue;
                }
                let p = format!("{path}.{k}");
                match obj.get(k) {
                    Some(tv) => {
                        let u = unk.get(k).unwrap_or(&J::Null);
                        ok &= cmp(v, tv, u, &p, rep, record);
                    }
                    None => {
                        if v.is_null() || unk.get(k) == Some(&J::Bool(true)) {
                            continue;
                        }
                        if record {
                            rep.compared += 1;
                            rep.mismatches
                                .push(format!("{p}: moat has it, terraform does not"));
                        }
                        ok = false;
                    }
                }
            }
            ok
        }
        other => {
            if t.is_null() {
                // Terraform null where moat knows a value: a value the provider dropped, or a
                // value unknown only inside a set (after_unknown cannot say which element).
                if record {
                    rep.tf_null
                        .push(format!("{path}: moat {}", other.to_json()));
                }
                return true;
            }
            let eq = scalar_eq(other, t);
            if record {
                rep.compared += 1;
                match eq {
                    Eq::Yes => rep.equal += 1,
                    Eq::Partial => rep.moat_unknown.push(format!(
                        "{path}: terraform {t}, moat has placeholders: {}",
                        other.to_json()
                    )),
                    Eq::No => rep
                        .mismatches
                        .push(format!("{path}: moat {}, terraform {t}", other.to_json())),
                }
            }
            eq != Eq::No
        }
    }
}

fn compare(name: &str, fixture: &Path, plan: &J) -> (Report, Vec<String>) {
    let mut failures = Vec::new();
    let estates = moat_terraform::load(fixture, &moat_terraform::Options::default());
    if estates.len() != 1 {
        failures.push(format!("{name}: moat found {} root modules", estates.len()));
    }
    let mut moat: BTreeMap<String, &moat_model::Resource> = BTreeMap::new();
    for e in &estates {
        for err in &e.errors {
            failures.push(format!(
                "{name}: moat error {}:{}: {}",
                err.file, err.line, err.message
            ));
        }
        for r in &e.resources {
            if r.mode == Mode::Managed {
                moat.insert(r.address.clone(), r);
            }
        }
    }
    let tf = tf_resources(plan);
    let ta: BTreeSet<&String> = tf.keys().collect();
    let ma: BTreeSet<&String> = moat.keys().collect();
    for a in ta.difference(&ma) {
        failures.push(format!(
            "{name}: terraform plans `{a}`, moat does not have it"
        ));
    }
    for a in ma.difference(&ta) {
        failures.push(format!(
            "{name}: moat has `{a}`, terraform does not plan it"
        ));
    }
    let mut rep = Report::default();
    for (addr, (values, unknown)) in &tf {
        let Some(r) = moat.get(addr) else { continue };
        for (k, n) in &r.attrs {
            if META.contains(&k.as_str()) {
                continue;
            }
            let p = format!("{addr}.{k}");
            match values.get(k) {
                Some(tv) => {
                    cmp(
                        n,
                        tv,
                        unknown.get(k).unwrap_or(&J::Null),
                        &p,
                        &mut rep,
                        true,
                    );
                }
                None if n.is_null() || unknown.get(k) == Some(&J::Bool(true)) => {}
                None => rep
                    .mismatches
                    .push(format!("{p}: moat has it, terraform does not")),
            }
        }
    }
    for m in &rep.mismatches {
        failures.push(format!("{name}: {m}"));
    }
    (rep, failures)
}

#[test]
fn realistic_fixtures_match_terraform_plan() {
    let Some((tf, mirror)) = terraform_and_mirror() else {
        return;
    };
    let only = std::env::var("MOAT_PLAN_DIFF_ONLY").ok();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            only.as_deref()
                .is_none_or(|o| p.file_name().unwrap().to_string_lossy().contains(o))
        })
        .collect();
    fixtures.sort();
    let needs_moto = fixtures.iter().any(|f| f.join("needs-moto").exists());
    let moto = if needs_moto {
        match moto_command() {
            Some(cmd) => {
                let m = start_moto(&cmd);
                if m.is_none() {
                    missing_peer(
                        &format!(
                            "`{}` did not start (fixtures with data sources need it)",
                            cmd.join(" ")
                        ),
                        MOTO_INSTALL,
                    );
                }
                m
            }
            None => {
                missing_peer(
                    "moto_server (MOAT_MOTO_SERVER, PATH or `python3 -m moto.server`; fixtures with data sources need it)",
                    MOTO_INSTALL,
                );
                None
            }
        }
    } else {
        None
    };
    let port = moto.as_ref().map(|m| m.port);
    fixtures.retain(|f| {
        let keep = !f.join("needs-moto").exists() || port.is_some();
        if !keep {
            eprintln!("skipped: {} (needs moto)", f.display());
        }
        keep
    });
    // Two planners at a time (terraform plan is mostly provider start-up).
    let results: Vec<(String, Result<J, String>)> = std::thread::scope(|s| {
        let mut out = Vec::new();
        for chunk in fixtures.chunks(2) {
            let hs: Vec<_> = chunk
                .iter()
                .map(|f| {
                    let (tf, mirror) = (&tf, &mirror);
                    s.spawn(move || {
                        let name = f.file_name().unwrap().to_string_lossy().into_owned();
                        (name, plan(tf, mirror, f, port))
                    })
                })
                .collect();
            for h in hs {
                out.push(h.join().unwrap());
            }
        }
        out
    });
    let mut failures = Vec::new();
    let (mut compared, mut equal, mut unknown) = (0, 0, 0);
    for (name, res) in results {
        let plan = match res {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let (rep, f) = compare(&name, &fixtures_dir().join(&name), &plan);
        eprintln!(
            "{name}: {} values compared, {} equal, {} unknown in moat but known to terraform, {} different",
            rep.compared,
            rep.equal,
            rep.moat_unknown.len(),
            rep.mismatches.len()
        );
        for u in &rep.moat_unknown {
            eprintln!("  unknown in moat: {u}");
        }
        for u in &rep.tf_null {
            eprintln!("  null in terraform: {u}");
        }
        for u in &rep.moat_null {
            eprintln!("  null in moat: {u}");
        }
        compared += rep.compared;
        equal += rep.equal;
        unknown += rep.moat_unknown.len();
        failures.extend(f);
    }
    eprintln!(
        "total: {compared} values compared, {equal} equal, {unknown} unknown in moat but known to terraform"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
