//! Fuzz the whole Terraform pipeline on a directory tree: the walker, file reads, module
//! loading, `file`/`templatefile`, variables files, then evaluation.
//!
//! The input is a small text archive (readable, so seeds can be written by hand and the
//! dictionary helps mutations):
//!
//! ```text
//! text before the first header goes to main.tf
//! @@ a/main.tf
//! module "up" { source = "../y" }
//! @@ a/link -> @SECRET@
//! @@ loop -> ..
//! @@ empty/dir/
//! ```
//!
//! `@@ PATH` starts a file, `@@ PATH -> TARGET` makes a symlink, `@@ PATH/` a directory. In
//! contents and targets, `@sN@` is snippet N of [`SNIPPETS`] and the placeholders below are
//! replaced: `@SECRET@` (a sentinel file outside the tree), `@OUT@` (the directory holding
//! it, which also holds a module and a FIFO), `@FIFO@`, `@PASSWD@` (/etc/passwd), `@ENV@`
//! (/proc/self/environ), `@ZERO@` (/dev/zero), `@NULL@` (/dev/null), `@ROOT@` (/).
//!
//! Invariants checked beyond "no panic":
//! * the sentinel text (random per process, also put in this process's environment so that
//!   /proc/self/environ holds it) appears nowhere in the estates: not in a resource value, an
//!   error, a note or a source text. Finding it means moat read outside the scanned tree;
//! * the first line of /etc/passwd appears nowhere unless the input itself contains it;
//! * every file an estate holds or locates a resource in is named inside the tree.
//!
//! Hangs and memory blow-ups are caught by libFuzzer (`-timeout`, `-rss_limit_mb`).
//!
//! `MOAT_FUZZ_WALKER_SKIP=zero,fifo,root,environ,passwd,null` drops symlinks to those targets.
//! It exists only to explore past a known, already reported bug; CI never sets it.
#![no_main]

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

mod common;

/// Interesting pieces of configuration, referenced as `@sN@` (N modulo the length).
const SNIPPETS: &[&str] = &[
    // 0..7: module calls: child, sibling, self, parent, registry, out of the tree, fan-out
    "module \"a\" {\n  source = \"./a\"\n}\n",
    "module \"up\" {\n  source = \"../y\"\n}\n",
    "module \"self\" {\n  source = \"./\"\n  count  = 3\n}\n",
    "module \"parent\" {\n  source = \"..\"\n}\n",
    "module \"reg\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.0.0\"\n}\n",
    "module \"out\" {\n  source = \"../outside\"\n}\n",
    "module \"abs\" {\n  source = \"@OUT@\"\n}\n",
    "module \"fan\" {\n  source   = \"./m\"\n  for_each = toset([\"a\", \"b\", \"c\"])\n  name     = each.key\n}\n",
    // 8..10: reads through links, absolute paths and `..`; an SG that echoes what was read
    "locals {\n  f = file(\"link\")\n  g = file(\"@SECRET@\")\n  h = file(\"../outside/secret.txt\")\n  i = file(\"../../../../../../../../etc/passwd\")\n  j = file(\"@ENV@\")\n}\n",
    "locals {\n  t = templatefile(\"link\", { x = 1 })\n  e = fileexists(\"link\")\n  u = fileexists(\"@SECRET@\")\n  z = file(\"zero\")\n  p = file(\"pipe\")\n}\n",
    "resource \"aws_security_group\" \"leak\" {\n  name        = \"leak\"\n  description = local.f\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [file(\"link\"), local.f, local.g]\n  }\n}\n",
    // 11..16: count, for_each, dynamic, variables
    "resource \"aws_s3_bucket\" \"b\" {\n  count  = 3\n  bucket = \"b-${count.index}\"\n}\n",
    "resource \"aws_s3_bucket\" \"e\" {\n  for_each = { a = 1, b = 2 }\n  bucket   = \"e-${each.key}-${each.value}\"\n}\n",
    "resource \"aws_security_group\" \"dyn\" {\n  dynamic \"ingress\" {\n    for_each = var.ports\n    content {\n      from_port   = ingress.value\n      to_port     = ingress.value\n      protocol    = \"tcp\"\n      cidr_blocks = [\"0.0.0.0/0\"]\n    }\n  }\n}\n",
    "variable \"ports\" {\n  default = [22, 80, 443]\n}\n",
    "variable \"name\" {}\n",
    "ports = [22, 3389]\nname  = \"x\"\n",
    // 17..22: outputs, policies, JSON syntax
    "output \"o\" {\n  value = module.a\n}\n",
    "locals {\n  big = [for i in range(40) : [for j in range(40) : \"${i}-${j}\"]]\n}\n",
    "data \"aws_iam_policy_document\" \"p\" {\n  statement {\n    actions   = [\"*\"]\n    resources = [\"*\"]\n  }\n}\n",
    "resource \"aws_iam_policy\" \"p\" {\n  policy = data.aws_iam_policy_document.p.json\n}\n",
    "{\"resource\": {\"aws_s3_bucket\": {\"j\": {\"bucket\": \"${file(\\\"link\\\")}\"}}}}\n",
    "{\"module\": {\"j\": {\"source\": \"./a\"}}, \"variable\": {\"ports\": {\"default\": [22]}}}\n",
    // 23..24: string growth, format verbs
    "locals {\n  s0 = \"ab\"\n  s1 = \"${local.s0}${local.s0}\"\n  s2 = \"${local.s1}${local.s1}\"\n  s3 = \"${local.s2}${local.s2}\"\n}\n",
    "locals {\n  w = format(\"%5.2f|%-10s|%q|%v|%#v|%t|%d\", 1.5, \"x\", \"y\", [1], { a = 1 }, true, 3)\n}\n",
    "resource \"aws_instance\" \"x\" {\n  count = length(module.fan)\n  ami   = \"ami-1\"\n}\n",
    // 26: .terraform/modules/modules.json pointing out of the tree
    "{\"Modules\": [{\"Key\": \"\", \"Source\": \"\", \"Dir\": \".\"}, {\"Key\": \"reg\", \"Source\": \"registry.terraform.io/terraform-aws-modules/vpc/aws\", \"Dir\": \"@OUT@\"}, {\"Key\": \"a\", \"Source\": \"x\", \"Dir\": \"../../outside\"}]}\n",
    // 27..30: cycles, variable defaults, repeated keys, heredocs and template directives
    "resource \"aws_security_group\" \"a\" {\n  description = aws_security_group.b.description\n}\nresource \"aws_security_group\" \"b\" {\n  description = aws_security_group.a.description\n}\n",
    "variable \"v\" {\n  default = var.w\n}\nvariable \"w\" {\n  default = var.v\n}\n",
    "locals {\n  p = { port = 80, port = 22 }\n}\n",
    "locals {\n  h = <<-EOT\n    ${file(\"link\")}\n    %{ for x in [1, 2] ~}${x}%{ endfor ~}\n  EOT\n}\n",
    // 31..35: more module shapes, templates
    "module \"m\" {\n  source = \"./m\"\n  name   = \"m\"\n}\n",
    "variable \"name\" {\n  default = \"n\"\n}\nresource \"aws_s3_bucket\" \"m\" {\n  bucket = var.name\n}\nmodule \"loop\" {\n  source = \"../a\"\n}\n",
    "locals {\n  tf = templatefile(\"tmpl.tpl\", { name = \"x\", items = [1, 2] })\n}\n",
    "%{ for i in items }${name}-${i} ${file(\"link\")}%{ endfor }\n",
    "resource \"aws_s3_bucket\" \"c\" {\n  count  = var.n\n  bucket = \"c\"\n}\nvariable \"n\" {\n  default = 2\n}\n",
];

const MAX_ENTRIES: usize = 24;
const MAX_DEPTH: usize = 4;
const MAX_FILE_BYTES: usize = 64 * 1024;

struct World {
    /// Holds `outside/` (sentinel, module, FIFO) and one `tree-N/` per input.
    base: PathBuf,
    outside: PathBuf,
    secret: String,
    passwd_line: Option<String>,
    skip: Vec<String>,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let pid = std::process::id();
        let secret = format!("MOAT-SENTINEL-SECRET-{pid}-{nanos}");
        let tmp = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        remove_stale(&tmp);
        let base = tmp.join(format!("moat-fuzz-walker-{pid}-{nanos}"));
        let outside = base.join("outside");
        fs::create_dir_all(&outside).expect("create the fuzz base directory");
        fs::write(outside.join("secret.txt"), &secret).expect("write the sentinel");
        fs::write(
            outside.join("main.tf"),
            format!(
                "resource \"aws_security_group\" \"outside\" {{\n  description = \"{secret}\"\n  ingress {{\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"{secret}\"]\n  }}\n}}\n"
            ),
        )
        .expect("write the outside module");
        let fifo = outside.join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(made, "mkfifo {} failed", fifo.display());
        // /proc/self/environ of this process now holds the sentinel too.
        std::env::set_var("MOAT_FUZZ_SENTINEL", &secret);
        let passwd_line = fs::read_to_string("/etc/passwd")
            .ok()
            .and_then(|t| t.lines().next().map(str::to_string))
            .filter(|l| l.len() >= 8);
        let skip = std::env::var("MOAT_FUZZ_WALKER_SKIP")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        World {
            base,
            outside,
            secret,
            passwd_line,
            skip,
        }
    })
}

/// Remove the directories of earlier runs that were killed (their process is gone).
fn remove_stale(tmp: &Path) {
    let Ok(rd) = fs::read_dir(tmp) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("moat-fuzz-walker-") else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

impl World {
    fn expand(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find("@s") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let digits: String = after
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .take(4)
                .collect();
            if !digits.is_empty() && after[digits.len()..].starts_with('@') {
                let n: usize = digits.parse().unwrap_or(0);
                out.push_str(SNIPPETS[n % SNIPPETS.len()]);
                rest = &after[digits.len() + 1..];
            } else {
                out.push_str("@s");
                rest = after;
            }
            if out.len() > MAX_FILE_BYTES {
                break;
            }
        }
        out.push_str(rest);
        let out = out
            .replace(
                "@SECRET@",
                &self.outside.join("secret.txt").to_string_lossy(),
            )
            .replace("@OUT@", &self.outside.to_string_lossy())
            .replace("@FIFO@", &self.outside.join("fifo").to_string_lossy())
            .replace("@PASSWD@", "/etc/passwd")
            .replace("@ENV@", "/proc/self/environ")
            .replace("@ZERO@", "/dev/zero")
            .replace("@NULL@", "/dev/null")
            .replace("@ROOT@", "/");
        out.chars().take(MAX_FILE_BYTES).collect()
    }

    fn skipped(&self, target: &str) -> bool {
        let t = target.trim_end_matches('/');
        self.skip.iter().any(|s| match s.as_str() {
            "zero" => t == "/dev/zero",
            "null" => t == "/dev/null",
            "fifo" => t.ends_with("/fifo"),
            "root" => t.is_empty() || t == "/" || t == "/proc/self/root",
            "environ" => t.contains("/environ"),
            "passwd" => t == "/etc/passwd",
            _ => false,
        })
    }
}

/// A safe relative path (no `.`/`..`, bounded depth), or None.
fn rel_path(p: &str) -> Option<PathBuf> {
    let p = p.trim();
    let mut out = PathBuf::new();
    let mut n = 0;
    for c in p.split('/').filter(|c| !c.is_empty()) {
        if c == "." || c == ".." || c.contains('\0') || c.len() > 64 {
            return None;
        }
        out.push(c);
        n += 1;
    }
    (n > 0 && n <= MAX_DEPTH && out.components().all(|c| matches!(c, Component::Normal(_))))
        .then_some(out)
}

/// Create the directories of `rel` under `root` one level at a time, never through a symlink
/// (a fuzz input must not be able to make us write outside the tree).
fn make_dirs(root: &Path, rel: &Path) -> bool {
    let mut cur = root.to_path_buf();
    for c in rel.components() {
        cur.push(c);
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return false,
            Err(_) => {
                if fs::create_dir(&cur).is_err() {
                    return false;
                }
            }
        }
    }
    true
}

fn build_tree(w: &World, root: &Path, input: &str) {
    let mut entries: Vec<(&str, &str)> = Vec::new();
    let mut chunks = input.split("\n@@ ");
    let first = chunks.next().unwrap_or("");
    match first.strip_prefix("@@ ") {
        Some(rest) => entries.push(split_header(rest)),
        None => entries.push(("main.tf", first)),
    }
    for c in chunks {
        entries.push(split_header(c));
    }
    for (header, body) in entries.into_iter().take(MAX_ENTRIES) {
        if let Some((path, target)) = header.split_once(" -> ") {
            let Some(rel) = rel_path(path) else { continue };
            let target = w.expand(target.trim());
            if target.is_empty() || w.skipped(&target) {
                continue;
            }
            if let Some(parent) = rel.parent() {
                if !make_dirs(root, parent) {
                    continue;
                }
            }
            let _ = std::os::unix::fs::symlink(&target, root.join(&rel));
        } else if header.trim_end().ends_with('/') {
            if let Some(rel) = rel_path(header) {
                make_dirs(root, &rel);
            }
        } else {
            let Some(rel) = rel_path(header) else {
                continue;
            };
            if let Some(parent) = rel.parent() {
                if !make_dirs(root, parent) {
                    continue;
                }
            }
            // create_new: never write through an existing file or symlink.
            if let Ok(mut f) = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(root.join(&rel))
            {
                let _ = f.write_all(w.expand(body).as_bytes());
            }
        }
    }
}

fn split_header(chunk: &str) -> (&str, &str) {
    match chunk.split_once('\n') {
        Some((h, b)) => (h, b),
        None => (chunk, ""),
    }
}

fn inside(file: &str) -> bool {
    !(file.starts_with('/') || file == ".." || file.starts_with("../") || file.contains("/../"))
}

fuzz_target!(|data: &[u8]| {
    let _watchdog = common::Watchdog::start(data);
    let w = world();
    let input = String::from_utf8_lossy(data);
    static N: AtomicU64 = AtomicU64::new(0);
    let root = w
        .base
        .join(format!("tree-{}", N.fetch_add(1, Ordering::Relaxed)));
    fs::create_dir(&root).expect("create the tree directory");
    build_tree(w, &root, &input);

    let estates = moat_terraform::load(&root, &moat_terraform::Options::default());

    let dump = format!("{estates:?}");
    // Remove the tree before asserting, so a failing input leaves nothing behind.
    let _ = fs::remove_dir_all(&root);
    assert!(
        !dump.contains(&w.secret),
        "the sentinel outside the scanned tree was read: {}",
        excerpt(&dump, &w.secret)
    );
    if let Some(line) = &w.passwd_line {
        if !input.contains(line.as_str()) {
            assert!(
                !dump.contains(line.as_str()),
                "/etc/passwd was read: {}",
                excerpt(&dump, line)
            );
        }
    }
    for e in &estates {
        for f in e.sources.keys() {
            assert!(inside(f), "source text of `{f}` held, outside the tree");
        }
        for r in &e.resources {
            assert!(
                inside(&r.loc.file),
                "resource `{}` located in `{}`, outside the tree",
                r.address,
                r.loc.file
            );
        }
    }
});

fn excerpt(hay: &str, needle: &str) -> String {
    match hay.find(needle) {
        Some(i) => {
            let start = hay.floor_char_boundary(i.saturating_sub(300));
            let end = hay.floor_char_boundary((i + needle.len() + 100).min(hay.len()));
            hay[start..end].to_string()
        }
        None => String::new(),
    }
}
