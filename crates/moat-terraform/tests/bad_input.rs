#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::Path;

use moat_model::Estate;
use moat_terraform::{load, parse_and_evaluate_str, Options};

fn write(dir: &Path, name: &str, content: &[u8]) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

fn load_one(dir: &Path) -> Estate {
    let mut v = load(dir, &Options::default());
    assert_eq!(v.len(), 1, "estates: {}", v.len());
    v.remove(0)
}

const GOOD: &[u8] = b"resource \"aws_s3_bucket\" \"ok\" {\n  bucket = \"ok\"\n}\n";

#[test]
fn syntax_error_has_file_and_line_and_scan_goes_on() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.tf", GOOD);
    write(
        d.path(),
        "bad.tf",
        b"resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl = \n}\n",
    );
    let e = load_one(d.path());
    assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
    assert_eq!(e.errors[0].file, "bad.tf");
    assert_eq!(e.errors[0].line, 3);
    assert!(e.errors[0].message.starts_with("syntax error"));
    assert!(e.by_address("aws_s3_bucket.ok").is_some());
}

#[test]
fn invalid_utf8_binary_and_oversized_files_are_skipped_with_errors() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.tf", GOOD);
    write(d.path(), "latin1.tf", b"# ok\n# caf\xe9\n");
    write(d.path(), "binary.tf", b"\x7fELF\x00\x00\x01");
    let mut big = b"# padding\n".repeat(1_100_000);
    big.extend_from_slice(GOOD);
    write(d.path(), "big.tf", &big);
    let e = load_one(d.path());
    let errs: Vec<(&str, u32, &str)> = e
        .errors
        .iter()
        .map(|x| (x.file.as_str(), x.line, x.message.as_str()))
        .collect();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert!(errs
        .iter()
        .any(|(f, _, m)| *f == "big.tf" && m.contains("larger than 10 MB")));
    assert!(errs
        .iter()
        .any(|(f, _, m)| *f == "binary.tf" && m.contains("binary")));
    assert!(errs
        .iter()
        .any(|(f, l, m)| *f == "latin1.tf" && *l == 2 && m.contains("UTF-8")));
    assert_eq!(e.resources.len(), 1);
    assert_eq!(e.files_scanned, 1, "only good.tf could be read");
}

#[test]
fn only_broken_files_still_give_an_estate() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.tf", b"resource {{{");
    let e = load_one(d.path());
    assert_eq!(e.errors.len(), 1);
    assert_eq!(e.errors[0].file, "a.tf");
    assert!(e.resources.is_empty());
}

#[test]
fn wrong_types_for_count_and_for_each() {
    let e = parse_and_evaluate_str(
        "main.tf",
        "resource \"aws_instance\" \"a\" {\n  count = \"abc\"\n}\nresource \"aws_instance\" \"b\" {\n  for_each = 5\n}\nresource \"aws_instance\" \"c\" {\n  count = -1\n}\n",
    );
    let errs: Vec<(u32, &str)> = e
        .errors
        .iter()
        .map(|x| (x.line, x.message.as_str()))
        .collect();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert_eq!(errs[0].0, 2);
    assert!(errs[0].1.contains("abc"));
    assert_eq!(errs[1].0, 5);
    assert_eq!(errs[2].0, 8);
    // still analysed, as one instance each
    assert!(e.by_address("aws_instance.a").is_some());
    assert!(e.by_address("aws_instance.b").is_some());
}

#[test]
fn unknown_count_gives_one_placeholder_and_a_note() {
    let e = parse_and_evaluate_str(
        "main.tf",
        "variable \"n\" {}\nresource \"aws_instance\" \"a\" {\n  count = var.n\n  ami = \"x-${count.index}\"\n}\nresource \"aws_instance\" \"z\" {\n  count = 0\n}\nresource \"aws_instance\" \"e\" {\n  for_each = {}\n}\n",
    );
    assert!(e.errors.is_empty());
    let addrs: Vec<&str> = e.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addrs, vec!["aws_instance.a"]);
    assert!(e.resources[0].get("ami").unwrap().is_unknown());
    assert_eq!(e.notes.len(), 1);
    assert_eq!(e.notes[0].line, 3);
    assert!(e.notes[0]
        .message
        .contains("count of `aws_instance.a` is unknown"));
}

#[test]
fn local_cycle_is_an_error() {
    let e = parse_and_evaluate_str(
        "main.tf",
        "locals {\n  a = local.b\n  b = local.a\n}\nresource \"t\" \"x\" {\n  v = local.a\n}\n",
    );
    assert!(!e.errors.is_empty());
    assert!(e.errors.iter().all(|x| x.message.contains("cycle")));
    assert!(e.resources[0].get("v").unwrap().is_unknown());
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_are_reported() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "main.tf", GOOD);
    std::os::unix::fs::symlink(d.path(), d.path().join("loop")).unwrap();
    std::os::unix::fs::symlink(d.path().join("nowhere.tf"), d.path().join("dangling.tf")).unwrap();
    let v = load(d.path(), &Options::default());
    assert_eq!(v.len(), 1);
    let e = &v[0];
    assert!(e.by_address("aws_s3_bucket.ok").is_some());
    assert!(
        e.errors
            .iter()
            .any(|x| x.file == "loop" && x.message.contains("loop")),
        "{:?}",
        e.errors
    );
    assert!(
        e.errors.iter().any(|x| x.file == "dangling.tf"),
        "{:?}",
        e.errors
    );
}

#[test]
fn missing_path_is_an_error_not_a_panic() {
    let v = load(Path::new("/nonexistent/moat/path"), &Options::default());
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].errors.len(), 1);
}

#[test]
fn hostile_expressions_do_not_panic() {
    let deep = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let _ = parse_and_evaluate_str("deep.tf", &deep);
    let _ = parse_and_evaluate_str("r.tf", "locals {\n  r = range(1e12)\n  s = setproduct(range(1000), range(1000))\n  c = cidrsubnet(\"10.0.0.0/8\", 40, 1)\n  i = [1][5]\n  d = 1 / 0\n}\nresource \"t\" \"x\" {\n  v = [local.r, local.s, local.c, local.i, local.d]\n}\n");
    for deep in [
        format!(
            "locals {{\n  x = {}{}\n}}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
        format!(
            "resource \"a\" \"b\" {{\n{}{}}}\n",
            "a {\n".repeat(100_000),
            "}\n".repeat(100_000)
        ),
        format!("locals {{\n  x = {}1\n}}\n", "1+".repeat(100_000)),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        let e = parse_and_evaluate_str("deep.tf", &deep);
        assert_eq!(e.errors.len(), 1);
        let e = parse_and_evaluate_str("deep.tf.json", &deep);
        assert_eq!(e.errors.len(), 1);
    }
    let _ = parse_and_evaluate_str("j.tf.json", "{\"resource\": [1, {\"a\": {\"b\": \"${\"}}]}");
}
