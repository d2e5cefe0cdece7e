#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use moat_model::{Estate, Node, Unknown, Value};
use moat_terraform::{load, Options};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn one(name: &str, opts: &Options) -> Estate {
    let mut v = load(&fixture(name), opts);
    assert_eq!(v.len(), 1, "expected one estate");
    v.remove(0)
}

fn attr<'a>(e: &'a Estate, addr: &str, path: &str) -> &'a Node {
    let id = e
        .by_address(addr)
        .unwrap_or_else(|| panic!("no resource {addr}"));
    e.get(id)
        .unwrap()
        .path(path)
        .unwrap_or_else(|| panic!("no {path} in {addr}"))
}

fn addresses(e: &Estate) -> Vec<&str> {
    e.resources.iter().map(|r| r.address.as_str()).collect()
}

#[test]
fn core_addresses_lines_and_values() {
    let e = one("core", &Options::default());
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    assert_eq!(
        addresses(&e),
        vec![
            "aws_instance.web",
            "aws_security_group.web",
            "aws_subnet.db[\"a\"]",
            "aws_subnet.db[\"b\"]",
            "aws_subnet.private[0]",
            "aws_subnet.private[1]",
            "aws_vpc.main",
        ]
    );
    let web = e.get(e.by_address("aws_instance.web").unwrap()).unwrap();
    assert_eq!(&*web.loc.file, "main.tf");
    assert_eq!(web.loc.line, 55);
    // tfvars overrides the default; locals in any order.
    assert_eq!(
        attr(&e, "aws_instance.web", "tags.Name").as_str(),
        Some("web-prod")
    );
    assert_eq!(
        attr(&e, "aws_security_group.web", "name").as_str(),
        Some("app-prod-web")
    );
    assert_eq!(attr(&e, "aws_security_group.web", "name").line(), Some(23));
    // count / for_each with cidrsubnet.
    assert_eq!(
        attr(&e, "aws_subnet.private[1]", "cidr_block").as_str(),
        Some("10.0.1.0/24")
    );
    assert_eq!(
        attr(&e, "aws_subnet.db[\"b\"]", "cidr_block").as_str(),
        Some("10.1.1.0/24")
    );
    // blocks and dynamic blocks.
    assert_eq!(
        attr(&e, "aws_security_group.web", "ingress.0.from_port").as_f64(),
        Some(22.0)
    );
    assert_eq!(
        attr(&e, "aws_security_group.web", "egress.1.to_port").as_f64(),
        Some(443.0)
    );
    assert_eq!(
        attr(&e, "aws_security_group.web", "ingress.0.from_port").line(),
        Some(27)
    );
    // a variable without value is unknown, never a default.
    assert_eq!(
        attr(&e, "aws_instance.web", "user_data").value,
        Value::Unknown(Unknown::Variable {
            name: "no_value".into()
        })
    );
    // computed references.
    assert_eq!(
        attr(&e, "aws_instance.web", "subnet_id").computed_ref(),
        Some(("aws_subnet.private[0]", "id"))
    );
}

#[test]
fn computed_references_become_edges() {
    let e = one("core", &Options::default());
    let web = e.by_address("aws_instance.web").unwrap();
    let sg = e.by_address("aws_security_group.web").unwrap();
    assert_eq!(
        e.referrers(sg, "aws_instance", Some("vpc_security_group_ids")),
        vec![web]
    );
    let vpc = e.by_address("aws_vpc.main").unwrap();
    assert_eq!(e.referrers(vpc, "aws_subnet", Some("vpc_id")).len(), 4);
}

#[test]
fn var_precedence_cli_over_var_file_over_tfvars() {
    let opts = Options {
        vars: vec![],
        var_files: vec![],
        ..Default::default()
    };
    let e = one("core", &opts);
    assert_eq!(
        attr(&e, "aws_instance.web", "tags.Name").as_str(),
        Some("web-prod")
    );
    let opts = Options {
        vars: vec![
            ("env".into(), "cli".into()),
            ("ports".into(), "[8080]".into()),
        ],
        var_files: vec![],
        ..Default::default()
    };
    let e = one("core", &opts);
    assert_eq!(
        attr(&e, "aws_instance.web", "tags.Name").as_str(),
        Some("web-cli")
    );
    assert_eq!(
        attr(&e, "aws_security_group.web", "ingress.0.from_port").as_f64(),
        Some(8080.0)
    );
    assert_eq!(
        attr(&e, "aws_security_group.web", "egress")
            .as_list()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn variable_precedence_across_all_sources() {
    let dir = fixture("vars");
    let opts = Options {
        vars: vec![("e".into(), "cli".into())],
        var_files: vec![dir.join("extra.tfvars")],
        ..Default::default()
    };
    let e = one("vars", &opts);
    // `file("/etc/hostname")` is refused: outside the scanned tree, an error at its line.
    let errors: Vec<(&str, u32, &str)> = e
        .errors
        .iter()
        .map(|x| (x.file.as_str(), x.line, x.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        vec![(
            "main.tf",
            28,
            "`/etc/hostname` resolves outside the scanned tree, not read"
        )]
    );
    let get = |k: &str| attr(&e, "test.vars", k).value.clone();
    assert_eq!(get("a"), Value::String("tfvars".into()));
    assert_eq!(get("b"), Value::String("auto_a".into()));
    assert_eq!(get("c"), Value::String("auto_b".into()));
    assert_eq!(get("d"), Value::String("var_file".into()));
    assert_eq!(get("e"), Value::String("cli".into()));
    // "41" from a tfvars file converted to the declared number type
    assert_eq!(get("n"), Value::Number(42.0));
    assert_eq!(get("m"), Value::String("json".into()));
    // the attribute keeps its own line in the resource
    assert_eq!(attr(&e, "test.vars", "a").line(), Some(15));
    // without the var file and --var, defaults remain
    let e = one("vars", &Options::default());
    assert_eq!(attr(&e, "test.vars", "d").as_str(), Some("default"));
}

#[test]
fn templatefile_and_file_inside_the_tree_only() {
    let e = one("vars", &Options::default());
    let policy: serde_json::Value =
        serde_json::from_str(attr(&e, "test.files", "policy").as_str().unwrap()).unwrap();
    assert_eq!(
        policy["Statement"][0]["Action"],
        serde_json::json!(["s3:GetObject", "s3:PutObject"])
    );
    assert_eq!(policy["Statement"][0]["Resource"], "arn:aws:s3:::tfvars/*");
    assert_eq!(attr(&e, "test.files", "raw").as_str(), Some("hello\n"));
    assert_eq!(attr(&e, "test.files", "exists").as_bool(), Some(true));
    assert!(attr(&e, "test.files", "outside").is_unknown());
}
