//! The architecture's arrows, enforced (docs/ARCHITECTURE.md, "Dependency arrows"): every
//! workspace crate has a role in [`CRATES`], and each dependency between workspace crates must be
//! allowed for the two roles by [`ALLOWED`] (normal and build dependencies) or [`ALLOWED_DEV`]
//! (dev-dependencies, which only tests see). The graph comes from `cargo metadata`. A new crate
//! fails until it is given a role here. A second test checks that every library crate denies the
//! panic-free lints and printing in its non-test code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use Role::{Analysis, Cli, Facade, Frontend, Model, Report, Tooling};

/// What a crate is for, which decides what it may depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// The estate, the typed AWS state, findings: depends on no other moat crate.
    Model,
    /// Reads one input format and adapts it into the model: depends on the model only.
    Frontend,
    /// Reads the model and decides (rules, reachability, IAM): never sees a frontend.
    Analysis,
    /// Renders findings: depends on the model only, not on analysis internals.
    Report,
    /// The library facade (load, scan, reach, exposure, diagram), wiring the layers.
    Facade,
    /// The command line: parses flags and renders.
    Cli,
    /// Benchmarks and corpus generation, not shipped.
    Tooling,
}

/// The role of each crate, present or planned (a planned crate is classified before it exists).
const CRATES: &[(&str, Role)] = &[
    ("moat-model", Model),
    ("moat-terraform", Frontend),
    ("moat-cloudformation", Frontend),
    ("moat-inventory", Frontend),
    ("moat-k8s", Frontend),
    ("moat-net", Analysis),
    ("moat-rules", Analysis),
    ("moat-iam", Analysis),
    ("moat-report", Report),
    ("moat-core", Facade),
    ("moat", Cli),
    ("moat-bench", Tooling),
];

const ALL: &[Role] = &[Model, Frontend, Analysis, Report, Facade, Cli, Tooling];

/// Roles a crate may depend on, by its own role (normal and build dependencies). Everything not
/// listed is a forbidden arrow: model -> anything; frontend -> analysis or report; analysis ->
/// frontend; report -> analysis or frontend; anything but the CLI and tooling -> facade.
const ALLOWED: &[(Role, &[Role])] = &[
    (Model, &[]),
    (Frontend, &[Model]),
    (Analysis, &[Model, Analysis]),
    (Report, &[Model]),
    (Facade, &[Model, Frontend, Analysis, Report]),
    (Cli, &[Model, Frontend, Analysis, Report, Facade]),
    (Tooling, ALL),
];

/// The same for dev-dependencies: tests of analyses and reports may load an input through a
/// frontend; the model's tests use no other moat crate.
const ALLOWED_DEV: &[(Role, &[Role])] = &[
    (Model, &[]),
    (Frontend, &[Model]),
    (Analysis, &[Model, Analysis, Frontend]),
    (Report, &[Model, Frontend]),
    (Facade, &[Model, Frontend, Analysis, Report]),
    (Cli, &[Model, Frontend, Analysis, Report, Facade]),
    (Tooling, ALL),
];

fn role(name: &str) -> Option<Role> {
    CRATES.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
}

fn allowed(table: &[(Role, &'static [Role])], from: Role) -> &'static [Role] {
    table.iter().find(|(r, _)| *r == from).unwrap().1
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `cargo metadata --no-deps`: the workspace members.
fn metadata() -> serde_json::Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(workspace_root())
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata JSON")
}

/// `(package name, its JSON)` for every workspace member.
fn members(m: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_string(), p.clone()))
        .collect()
}

/// Every dependency between workspace crates that the tables forbid, as sentences.
fn violations(members: &BTreeMap<String, serde_json::Value>) -> Vec<String> {
    let mut out = Vec::new();
    for (name, p) in members {
        let Some(from) = role(name) else {
            out.push(format!(
                "crate `{name}` has no role: add it to CRATES in crates/moat/tests/architecture.rs \
                 (one of {ALL:?}) and to docs/ARCHITECTURE.md"
            ));
            continue;
        };
        for d in p["dependencies"].as_array().unwrap() {
            let dep = d["name"].as_str().unwrap();
            if !members.contains_key(dep) {
                continue; // not a workspace crate
            }
            let Some(to) = role(dep) else {
                continue; // reported as a crate without a role
            };
            let kind = d["kind"].as_str().unwrap_or("normal");
            let (table, what) = if kind == "dev" {
                (ALLOWED_DEV, "dev-dependency")
            } else {
                (ALLOWED, "dependency")
            };
            if !allowed(table, from).contains(&to) {
                out.push(format!(
                    "forbidden arrow: `{name}` ({from:?}) has a {what} on `{dep}` ({to:?})"
                ));
            }
        }
    }
    out
}

#[test]
fn dependencies_follow_the_architecture() {
    let m = metadata();
    let members = members(&m);
    assert!(
        members.contains_key("moat-model") && members.contains_key("moat"),
        "cargo metadata did not list the workspace: {:?}",
        members.keys().collect::<Vec<_>>()
    );
    let v = violations(&members);
    assert!(
        v.is_empty(),
        "docs/ARCHITECTURE.md forbids these:\n  {}",
        v.join("\n  ")
    );
}

/// The checker itself: it must see a forbidden arrow and an unclassified crate.
#[test]
fn forbidden_arrows_and_unknown_crates_are_reported() {
    let pkg = |name: &str, deps: &[(&str, Option<&str>)]| {
        let deps: Vec<serde_json::Value> = deps
            .iter()
            .map(|(n, k)| serde_json::json!({ "name": n, "kind": k }))
            .collect();
        (
            name.to_string(),
            serde_json::json!({ "name": name, "dependencies": deps }),
        )
    };
    let ws: BTreeMap<String, serde_json::Value> = [
        pkg("moat-model", &[("moat-terraform", Some("dev"))]),
        pkg(
            "moat-terraform",
            &[("moat-model", None), ("moat-rules", None)],
        ),
        pkg(
            "moat-rules",
            &[
                ("moat-model", None),
                ("moat-net", None),
                ("moat-terraform", Some("dev")),
            ],
        ),
        pkg("moat-net", &[("moat-terraform", None), ("serde", None)]),
        pkg("moat-report", &[("moat-model", None), ("moat-rules", None)]),
        pkg("moat-new", &[]),
    ]
    .into_iter()
    .collect();
    let v = violations(&ws);
    let expected = [
        "crate `moat-new` has no role",
        "`moat-model` (Model) has a dev-dependency on `moat-terraform` (Frontend)",
        "`moat-net` (Analysis) has a dependency on `moat-terraform` (Frontend)",
        "`moat-report` (Report) has a dependency on `moat-rules` (Analysis)",
        "`moat-terraform` (Frontend) has a dependency on `moat-rules` (Analysis)",
    ];
    assert_eq!(v.len(), expected.len(), "{v:#?}");
    for want in expected {
        assert!(
            v.iter().any(|got| got.contains(want)),
            "{v:#?} should say {want:?}"
        );
    }
}

/// The lints every library crate denies in its non-test code (`lib.rs`): no panic on hostile
/// input, and libraries never print (they write to the caller's writers).
const LIB_LINTS: &[&str] = &[
    "clippy::unwrap_used",
    "clippy::expect_used",
    "clippy::panic",
    "clippy::indexing_slicing",
    "clippy::print_stdout",
    "clippy::print_stderr",
];

/// The lints named in the crate-level `#![deny(...)]` and `#![cfg_attr(not(test), deny(...))]`
/// attributes of a source file.
fn denied_lints(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("#![") {
        let attr = &rest[i + 3..];
        let mut depth = 1;
        let end = attr
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(attr.len(), |(j, _)| j);
        let text: String = attr[..end].split_whitespace().collect();
        let body = text
            .strip_prefix("deny(")
            .or_else(|| text.strip_prefix("cfg_attr(not(test),deny("));
        if let Some(body) = body {
            out.extend(
                body.trim_end_matches(')')
                    .split(',')
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
            );
        }
        rest = &attr[end..];
    }
    out
}

#[test]
fn every_library_crate_is_panic_free_and_silent() {
    let m = metadata();
    let mut missing = Vec::new();
    for (name, p) in members(&m) {
        for t in p["targets"].as_array().unwrap() {
            let kinds = t["kind"].as_array().unwrap();
            if !kinds.iter().any(|k| k == "lib") {
                continue;
            }
            let path = t["src_path"].as_str().unwrap();
            let src = std::fs::read_to_string(path).unwrap();
            let denied = denied_lints(&src);
            let lack: Vec<&str> = LIB_LINTS
                .iter()
                .copied()
                .filter(|l| !denied.iter().any(|d| d == l))
                .collect();
            if !lack.is_empty() {
                missing.push(format!("{name} ({path}) does not deny {}", lack.join(", ")));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "every library crate's lib.rs starts with #![cfg_attr(not(test), deny({}))]:\n  {}",
        LIB_LINTS.join(", "),
        missing.join("\n  ")
    );
}

#[test]
fn denied_lints_reads_both_forms() {
    let src = "//! doc\n#![cfg_attr(\n    not(test),\n    deny(\n        clippy::panic,\n        clippy::print_stdout\n    )\n)]\n#![deny(clippy::unwrap_used)]\n#![cfg_attr(feature = \"x\", deny(clippy::todo))]\nfn f() {}\n";
    assert_eq!(
        denied_lints(src),
        [
            "clippy::panic",
            "clippy::print_stdout",
            "clippy::unwrap_used"
        ]
    );
}
