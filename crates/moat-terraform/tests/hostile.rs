//! A scanned repository is untrusted: reads stay inside the scanned tree, evaluation stays
//! within its limits, and every refusal is an error at file:line while the rest of the
//! configuration is still evaluated (issue 6).

#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use moat_model::{Estate, Limits, Value};
use moat_terraform::{load, Options};

const SENTINEL: &str = "MOAT-SENTINEL-SECRET-7f3a";

/// A scanned tree and, beside it, a directory with a secret that must never be read.
struct Trees {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    secret: std::path::PathBuf,
}

fn trees() -> Trees {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let secret = outside.join("secret.txt");
    std::fs::write(&secret, SENTINEL).unwrap();
    std::fs::write(
        outside.join("evil.tf"),
        format!("resource \"aws_s3_bucket\" \"{SENTINEL}\" {{}}\n"),
    )
    .unwrap();
    Trees {
        _tmp: tmp,
        root,
        secret,
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

/// A resource every case keeps, to show that the scan went on.
const GOOD: &str = "resource \"aws_s3_bucket\" \"good\" {\n  bucket = \"good\"\n}\n";

fn scan(root: &Path) -> Vec<Estate> {
    scan_with(root, Limits::default())
}

fn scan_with(root: &Path, limits: Limits) -> Vec<Estate> {
    load(
        root,
        &Options {
            limits,
            ..Default::default()
        },
    )
}

fn errors(es: &[Estate]) -> Vec<(String, u32, String)> {
    let mut v: Vec<(String, u32, String)> = es
        .iter()
        .flat_map(|e| e.errors.iter())
        .map(|e| (e.file.clone(), e.line, e.message.clone()))
        .collect();
    v.sort();
    v
}

fn has_error(es: &[Estate], file: &str, line: u32, needle: &str) -> bool {
    errors(es)
        .iter()
        .any(|(f, l, m)| f == file && *l == line && m.contains(needle))
}

/// Everything the estates hold as text: no byte of the secret may be among it.
fn assert_no_secret(es: &[Estate]) {
    let mut all = format!("{:?}", errors(es));
    for e in es {
        all.push_str(&format!("{:?}{:?}", e.notes, e.sources));
        for r in &e.resources {
            all.push_str(&format!("{} {:?}", r.address, r.attrs));
        }
    }
    assert!(!all.contains(SENTINEL), "the secret was read: {all}");
}

fn resource<'a>(e: &'a Estate, addr: &str) -> Option<&'a moat_model::Resource> {
    e.by_address(addr).and_then(|id| e.get(id))
}

fn has_resource(es: &[Estate], addr: &str) -> bool {
    es.iter().any(|e| resource(e, addr).is_some())
}

fn attr(es: &[Estate], addr: &str, key: &str) -> Value {
    es.iter()
        .find_map(|e| resource(e, addr))
        .and_then(|r| r.path(key))
        .map(|n| n.value.clone())
        .unwrap_or(Value::Null)
}

#[test]
fn symlinked_tf_file_out_of_the_tree_is_refused() {
    let t = trees();
    write(&t.root, "main.tf", GOOD);
    symlink(
        t.secret.parent().unwrap().join("evil.tf"),
        t.root.join("leak.tf"),
    )
    .unwrap();
    let es = scan(&t.root);
    assert!(has_resource(&es, "aws_s3_bucket.good"));
    assert!(
        has_error(&es, "leak.tf", 0, "resolves outside the scanned tree"),
        "{:?}",
        errors(&es)
    );
    assert_no_secret(&es);
}

#[test]
fn symlinked_directory_out_of_the_tree_is_not_walked() {
    let t = trees();
    write(&t.root, "main.tf", GOOD);
    symlink(t.secret.parent().unwrap(), t.root.join("vendor")).unwrap();
    let es = scan(&t.root);
    assert!(has_resource(&es, "aws_s3_bucket.good"));
    assert!(has_error(
        &es,
        "vendor",
        0,
        "resolves outside the scanned tree"
    ));
    assert_no_secret(&es);
}

#[test]
fn file_function_through_a_symlink_or_dotdot_is_refused_and_unknown() {
    let t = trees();
    symlink(&t.secret, t.root.join("notes.txt")).unwrap();
    let abs = t.secret.to_string_lossy().to_string();
    write(
        &t.root,
        "main.tf",
        &format!(
            "{GOOD}resource \"aws_ssm_parameter\" \"p\" {{\n  name  = \"p\"\n  value = file(\"notes.txt\")\n  other = file(\"../outside/secret.txt\")\n  abs   = templatefile(\"{abs}\", {{}})\n  there = fileexists(\"../outside/secret.txt\")\n}}\n"
        ),
    );
    let es = scan(&t.root);
    for line in [6, 7, 8, 9] {
        assert!(
            has_error(&es, "main.tf", line, "resolves outside the scanned tree"),
            "line {line}: {:?}",
            errors(&es)
        );
    }
    for k in ["value", "other", "abs", "there"] {
        assert!(attr(&es, "aws_ssm_parameter.p", k).is_unknown(), "{k}");
    }
    assert!(has_resource(&es, "aws_s3_bucket.good"));
    assert_no_secret(&es);
}

#[test]
fn devices_and_fifos_are_refused_without_reading_or_hanging() {
    let t = trees();
    write(&t.root, "main.tf", GOOD);
    symlink("/dev/zero", t.root.join("zero.tf")).unwrap();
    symlink("/dev/stdin", t.root.join("stdin.tf")).unwrap();
    let fifo = t.root.join("pipe.tf");
    let have_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let es = scan(&t.root);
    assert!(has_resource(&es, "aws_s3_bucket.good"));
    assert!(has_error(
        &es,
        "zero.tf",
        0,
        "resolves outside the scanned tree"
    ));
    assert!(
        has_error(&es, "stdin.tf", 0, "outside the scanned tree")
            || has_error(&es, "stdin.tf", 0, "not a regular file")
    );
    if have_fifo {
        assert!(
            has_error(&es, "pipe.tf", 0, "is a FIFO, not a regular file"),
            "{:?}",
            errors(&es)
        );
    }
}

#[test]
fn module_sources_and_tfvars_out_of_the_tree_are_refused() {
    let t = trees();
    write(
        &t.root,
        "main.tf",
        &format!("{GOOD}module \"evil\" {{\n  source = \"../outside\"\n}}\nvariable \"v\" {{\n  default = \"d\"\n}}\n"),
    );
    symlink(&t.secret, t.root.join("terraform.tfvars")).unwrap();
    let es = scan(&t.root);
    assert!(has_resource(&es, "aws_s3_bucket.good"));
    assert!(
        has_error(
            &es,
            "main.tf",
            4,
            "module `evil` (`../outside`) is not loaded"
        ),
        "{:?}",
        errors(&es)
    );
    assert!(has_error(
        &es,
        "terraform.tfvars",
        0,
        "resolves outside the scanned tree"
    ));
    assert!(!has_resource(
        &es,
        &format!("module.evil.aws_s3_bucket.{SENTINEL}")
    ));
    assert_no_secret(&es);
}

#[test]
fn modules_json_naming_a_directory_out_of_the_tree_is_refused() {
    let t = trees();
    write(
        &t.root,
        "main.tf",
        &format!("{GOOD}module \"reg\" {{\n  source = \"terraform-aws-modules/vpc/aws\"\n}}\n"),
    );
    let outside = t.secret.parent().unwrap().to_string_lossy().to_string();
    write(
        &t.root,
        ".terraform/modules/modules.json",
        &format!("{{\"Modules\":[{{\"Key\":\"reg\",\"Source\":\"x\",\"Dir\":\"{outside}\"}}]}}"),
    );
    let es = scan(&t.root);
    assert!(has_resource(&es, "aws_s3_bucket.good"));
    assert!(
        has_error(&es, "main.tf", 4, "resolves outside the scanned tree"),
        "{:?}",
        errors(&es)
    );
    assert_no_secret(&es);
}

#[test]
fn huge_format_width_is_a_limit_error_not_an_abort() {
    let t = trees();
    write(
        &t.root,
        "main.tf",
        &format!("{GOOD}locals {{\n  a = format(\"%999999999999d\", 1)\n  b = format(\"%-2000000000s\", \"x\")\n  c = format(\"%.99999999999f\", 1)\n}}\nresource \"aws_s3_bucket\" \"x\" {{\n  bucket = \"${{local.a}}${{local.b}}${{local.c}}\"\n}}\n"),
    );
    let es = scan(&t.root);
    for line in [5, 6, 7] {
        assert!(
            has_error(&es, "main.tf", line, "exceeds the limit `max_string_bytes`"),
            "line {line}: {:?}",
            errors(&es)
        );
    }
    assert!(attr(&es, "aws_s3_bucket.x", "bucket").is_unknown());
    assert!(has_resource(&es, "aws_s3_bucket.good"));
}

#[test]
fn doubling_strings_stop_at_the_string_limit() {
    let t = trees();
    let mut locals = String::from("locals {\n  s0 = \"0123456789abcdef\"\n");
    for i in 1..=40 {
        locals.push_str(&format!(
            "  s{i} = \"${{local.s{}}}${{local.s{}}}\"\n",
            i - 1,
            i - 1
        ));
    }
    locals.push_str("}\n");
    write(
        &t.root,
        "main.tf",
        &format!("{GOOD}{locals}resource \"aws_s3_bucket\" \"x\" {{\n  bucket = local.s40\n}}\n"),
    );
    let es = scan(&t.root);
    // 16 bytes doubled 17 times is 2 MiB: the first local over 1 MiB is s17 (line 22).
    assert!(
        has_error(&es, "main.tf", 22, "exceeds the limit `max_string_bytes`"),
        "{:?}",
        errors(&es)
    );
    assert!(attr(&es, "aws_s3_bucket.x", "bucket").is_unknown());
    assert!(has_resource(&es, "aws_s3_bucket.good"));
}

#[test]
fn nested_for_runs_out_of_fuel_with_an_error() {
    let t = trees();
    write(
        &t.root,
        "main.tf",
        &format!("{GOOD}locals {{\n  big = [for x in range(1000) : [for y in range(1000) : [for z in range(1000) : z]]]\n}}\nresource \"aws_s3_bucket\" \"x\" {{\n  bucket = \"b${{length(local.big)}}\"\n}}\n"),
    );
    let limits = Limits {
        fuel: 200_000,
        ..Limits::default()
    };
    let es = scan_with(&t.root, limits);
    // The local alone runs over its share (a fifth of the fuel): it is unknown, the rest is
    // still evaluated.
    assert!(
        errors(&es).iter().any(|(f, _, m)| f == "main.tf"
            && m.contains("used more than its share of the work limit `fuel` (40000 units")),
        "{:?}",
        errors(&es)
    );
    assert!(attr(&es, "aws_s3_bucket.x", "bucket").is_unknown());
    assert_eq!(
        attr(&es, "aws_s3_bucket.good", "bucket"),
        Value::String("good".into())
    );
}

#[test]
fn many_items_within_their_share_run_out_of_the_total_fuel() {
    let t = trees();
    let mut text = String::new();
    for i in 0..10 {
        text.push_str(&format!(
            "resource \"test\" \"r{i}\" {{\n  v = length(flatten([for x in range(1000) : [for y in range(12) : y]]))\n}}\n"
        ));
    }
    write(&t.root, "main.tf", &text);
    let limits = Limits {
        fuel: 300_000,
        ..Limits::default()
    };
    let es = scan_with(&t.root, limits);
    assert!(
        errors(&es).iter().any(|(f, _, m)| f == "main.tf"
            && m.contains("the work limit `fuel` (300000 units) ran out")),
        "{:?}",
        errors(&es)
    );
    // Each resource costs about 53,000 units, within its share (60,000): the first five are
    // evaluated, then the fuel runs out and the last are unknown.
    assert_eq!(attr(&es, "test.r0", "v"), Value::Number(12_000.0));
    assert!(attr(&es, "test.r9", "v").is_unknown());
    assert_eq!(es.iter().map(|e| e.work).max(), Some(300_000));
}

#[test]
fn deeply_nested_dynamic_blocks_are_bounded() {
    let t = trees();
    let mut body = String::from("tag = 1\n");
    for i in 0..30 {
        body = format!("dynamic \"b{i}\" {{\n for_each = [1, 2]\n content {{\n {body} }}\n}}\n");
    }
    write(
        &t.root,
        "main.tf",
        &format!("{GOOD}resource \"aws_instance\" \"x\" {{\n{body}}}\n"),
    );
    let limits = Limits {
        fuel: 100_000,
        ..Limits::default()
    };
    let es = scan_with(&t.root, limits);
    assert!(
        errors(&es).iter().any(|(_, _, m)| m.contains("`fuel`")),
        "{:?}",
        errors(&es)
    );
    assert!(has_resource(&es, "aws_s3_bucket.good"));
}

#[test]
fn module_count_times_resource_count_hits_the_instance_limits() {
    let t = trees();
    write(
        &t.root,
        "main.tf",
        &format!("{GOOD}module \"m\" {{\n  source = \"./m\"\n  count  = 1000\n}}\n"),
    );
    write(
        &t.root,
        "m/main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  count  = 100\n  bucket = \"b${count.index}\"\n}\n",
    );
    let es = scan(&t.root);
    assert!(
        has_error(
            &es,
            "m/main.tf",
            2,
            "100 more resource instances for `module.m[249].aws_s3_bucket.b` (after 24901) exceeds the limit `max_resource_instances` (25000); these instances are not analysed"
        ),
        "{:?}",
        errors(&es)
    );
    let n: usize = es.iter().map(|e| e.resources.len()).sum();
    // The good bucket and 249 modules' 100 buckets; the 250th would pass the limit.
    assert_eq!(n, 24_901);
    assert!(has_resource(&es, "aws_s3_bucket.good"));
}

#[test]
fn modules_calling_each_other_are_a_cycle_not_a_fan_out() {
    let t = trees();
    write(
        &t.root,
        "main.tf",
        &format!("{GOOD}module \"a\" {{\n  source = \"./a\"\n}}\n"),
    );
    write(
        &t.root,
        "a/main.tf",
        "module \"b\" {\n  source = \"../b\"\n  count  = 10\n}\nresource \"aws_s3_bucket\" \"x\" {}\n",
    );
    write(
        &t.root,
        "b/main.tf",
        "module \"a\" {\n  source = \"../a\"\n  count  = 10\n}\n",
    );
    let es = scan(&t.root);
    // Terraform rejects recursive modules: the cycle is reported and not expanded.
    assert_eq!(
        errors(&es),
        vec![(
            "b/main.tf".to_string(),
            1,
            "module `a` calls itself: `a` -> `b` -> `a` (Terraform rejects recursive modules); it is not expanded again".to_string()
        )]
    );
    let n: usize = es.iter().map(|e| e.resources.len()).sum();
    // The good bucket and `module.a`'s; `module.a.module.b[*]` hold none and their `a` is not
    // expanded.
    assert_eq!(n, 2);
    assert!(has_resource(&es, "aws_s3_bucket.good"));
    assert!(has_resource(&es, "module.a.aws_s3_bucket.x"));
}

#[test]
fn toset_and_distinct_over_100k_values_are_linear() {
    let t = trees();
    write(
        &t.root,
        "main.tf",
        "locals {\n  all = flatten([for i in range(1000) : [for j in range(50) : \"${i}-${j}\"]])\n  twice = concat(local.all, local.all)\n}\nresource \"test\" \"t\" {\n  set = length(toset(local.twice))\n  dis = length(distinct(local.twice))\n  sub = length(setsubtract(local.twice, slice(local.all, 0, 20000)))\n  int = length(setintersection(local.all, slice(local.all, 0, 10)))\n}\n",
    );
    // Lists this large are far beyond real configurations: the test raises the fuel and
    // checks the set functions' results (and, by running at all, that they are not quadratic).
    let limits = Limits {
        fuel: 50_000_000,
        ..Limits::default()
    };
    let es = scan_with(&t.root, limits);
    assert_eq!(errors(&es), vec![]);
    assert_eq!(attr(&es, "test.t", "set"), Value::Number(50_000.0));
    assert_eq!(attr(&es, "test.t", "dis"), Value::Number(50_000.0));
    assert_eq!(attr(&es, "test.t", "sub"), Value::Number(30_000.0));
    assert_eq!(attr(&es, "test.t", "int"), Value::Number(10.0));
}

#[test]
fn resource_cycle_is_an_error() {
    let t = trees();
    write(
        &t.root,
        "main.tf",
        "resource \"aws_security_group\" \"a\" {\n  description = aws_security_group.b.name\n}\nresource \"aws_security_group\" \"b\" {\n  description = aws_security_group.a.name\n}\n",
    );
    let es = scan(&t.root);
    assert_eq!(
        errors(&es),
        vec![(
            "main.tf".to_string(),
            1,
            "cycle between resources: `aws_security_group.a` -> `aws_security_group.b` -> `aws_security_group.a` (Terraform rejects this configuration); the values in the cycle are unknown".to_string()
        )]
    );
}

#[test]
fn a_cycle_only_through_module_inputs_is_not_reported() {
    // Terraform evaluates a module's inputs one by one: `module.m.out` does not depend on
    // `aws_s3_bucket.a`, so there is no cycle, though moat evaluates all inputs at once.
    let t = trees();
    write(
        &t.root,
        "main.tf",
        "module \"m\" {\n  source = \"./m\"\n  in     = aws_s3_bucket.a.bucket\n}\nresource \"aws_s3_bucket\" \"a\" {\n  bucket = module.m.out\n}\n",
    );
    write(
        &t.root,
        "m/main.tf",
        "variable \"in\" {}\noutput \"out\" {\n  value = \"fixed\"\n}\n",
    );
    let es = scan(&t.root);
    assert!(
        !errors(&es).iter().any(|(_, _, m)| m.contains("cycle")),
        "{:?}",
        errors(&es)
    );
}

#[test]
fn variable_default_referencing_a_variable_is_an_error() {
    let t = trees();
    write(
        &t.root,
        "main.tf",
        "variable \"a\" {\n  default = \"x\"\n}\nvariable \"b\" {\n  default = var.a\n}\nresource \"test\" \"t\" {\n  v = var.b\n}\n",
    );
    let es = scan(&t.root);
    assert!(
        has_error(
            &es,
            "main.tf",
            5,
            "references to `var` are not allowed here"
        ),
        "{:?}",
        errors(&es)
    );
    assert!(attr(&es, "test.t", "v").is_unknown());
}

#[test]
fn repeated_object_keys_are_accepted_and_the_last_wins() {
    let t = trees();
    write(
        &t.root,
        "main.tf",
        "locals {\n  o = { port = 80, port = 81, \"x\" = 1, \"x\" = 2, port = 82 }\n}\nresource \"test\" \"t\" {\n  tags = {\n    Name = \"a\"\n    Name = \"b\"\n  }\n  port = local.o.port\n  x    = local.o.x\n}\n",
    );
    let es = scan(&t.root);
    assert_eq!(errors(&es), vec![]);
    assert_eq!(attr(&es, "test.t", "port"), Value::Number(82.0));
    assert_eq!(attr(&es, "test.t", "x"), Value::Number(2.0));
    let r = es.iter().find_map(|e| resource(e, "test.t")).unwrap();
    assert_eq!(r.path("tags.Name").and_then(|n| n.as_str()), Some("b"));
    // Lines are unchanged by the rewrite.
    assert_eq!(
        r.path("tags.Name")
            .and_then(|n| n.loc.clone())
            .map(|l| l.line),
        Some(7)
    );
}

#[test]
fn utf16_file_is_named_as_utf16() {
    let t = trees();
    write(&t.root, "main.tf", GOOD);
    let mut bytes = vec![0xFF, 0xFE];
    for u in "resource \"aws_s3_bucket\" \"w\" {}\n".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    std::fs::write(t.root.join("win.tf"), &bytes).unwrap();
    let no_bom: Vec<u8> = "variable \"x\" {}\n"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    std::fs::write(t.root.join("nobom.tf"), &no_bom).unwrap();
    let es = scan(&t.root);
    assert!(
        has_error(&es, "win.tf", 0, "encoded in UTF-16LE, not UTF-8"),
        "{:?}",
        errors(&es)
    );
    assert!(has_error(
        &es,
        "nobom.tf",
        0,
        "encoded in UTF-16LE, not UTF-8"
    ));
    assert!(has_resource(&es, "aws_s3_bucket.good"));
}

#[test]
fn sensitive_values_and_file_contents_are_redacted() {
    let t = trees();
    let policy = format!("{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Sid\":\"{}\"}}]}}", "x".repeat(40));
    write(&t.root, "policy.json", &policy);
    write(
        &t.root,
        "main.tf",
        "variable \"db_password\" {\n  default   = \"hunter2-prod\"\n  sensitive = true\n}\nresource \"test\" \"t\" {\n  p      = var.db_password\n  s      = sensitive(\"token-abcdef\")\n  policy = file(\"policy.json\")\n}\n",
    );
    let es = scan(&t.root);
    let e = es.iter().find(|e| resource(e, "test.t").is_some()).unwrap();
    assert_eq!(
        e.redact("password hunter2-prod, token token-abcdef"),
        "password (sensitive value), token (sensitive value)"
    );
    assert_eq!(
        e.redact(&format!("policy {policy}")),
        "policy (contents of a file read by `file()`)"
    );
    // The values themselves are still evaluated for the checks.
    assert_eq!(
        attr(&es, "test.t", "p"),
        Value::String("hunter2-prod".into())
    );
}
