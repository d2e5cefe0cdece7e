#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use moat_model::{Estate, Node, Unknown, Value};
use moat_terraform::{load, Options};

fn estate() -> Estate {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/modules");
    let mut v = load(&p, &Options::default());
    // modules/net and modules/sg are only used as modules: one root.
    assert_eq!(v.len(), 1);
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

#[test]
fn local_modules_with_count_and_for_each() {
    let e = estate();
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let addrs: Vec<&str> = e.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addrs,
        vec![
            "aws_instance.app",
            "module.net[0].aws_subnet.private[0]",
            "module.net[0].aws_subnet.private[1]",
            "module.net[0].aws_vpc.this",
            "module.net[1].aws_subnet.private[0]",
            "module.net[1].aws_subnet.private[1]",
            "module.net[1].aws_vpc.this",
            "module.sg[\"ssh\"].aws_security_group.this",
            "module.sg[\"web\"].aws_security_group.this",
            "module.vpc.aws_vpc.this",
            "module.vpc.module.flow.aws_flow_log.this",
        ]
    );
    let sub = e
        .get(e.by_address("module.net[1].aws_subnet.private[1]").unwrap())
        .unwrap();
    assert_eq!(sub.module, "module.net[1]");
    assert_eq!(&*sub.loc.file, "modules/net/main.tf");
    assert_eq!(sub.loc.line, 14);
    assert_eq!(sub.str_attr("cidr_block"), Some("10.1.1.0/24"));
    assert_eq!(
        attr(
            &e,
            "module.sg[\"ssh\"].aws_security_group.this",
            "ingress.0.from_port"
        )
        .as_f64(),
        Some(22.0)
    );
}

#[test]
fn module_outputs_reach_the_caller() {
    let e = estate();
    assert_eq!(
        attr(&e, "aws_instance.app", "subnet_id").computed_ref(),
        Some(("module.net[1].aws_subnet.private[0]", "id"))
    );
    assert_eq!(
        attr(&e, "aws_instance.app", "tags.cidr").as_str(),
        Some("10.0.0.0/16")
    );
    // registry module resolved through .terraform/modules/modules.json
    assert_eq!(
        attr(&e, "aws_instance.app", "tags.vpc").as_str(),
        Some("registry")
    );
    let app = e.by_address("aws_instance.app").unwrap();
    let sg = e
        .by_address("module.sg[\"web\"].aws_security_group.this")
        .unwrap();
    assert!(e
        .refs_from(app)
        .any(|x| x.to == sg && x.attr == "vpc_security_group_ids"));
    // nested module inside the registry module
    assert_eq!(
        attr(&e, "module.vpc.module.flow.aws_flow_log.this", "vpc_id").computed_ref(),
        Some(("module.vpc.aws_vpc.this", "id"))
    );
}

#[test]
fn unresolved_module_outputs_are_unknown_with_a_note() {
    let e = estate();
    assert_eq!(
        attr(&e, "aws_instance.app", "tags.remote").value,
        Value::Unknown(Unknown::Module {
            name: "remote".into(),
            source: "git::https://example.com/x.git".into()
        })
    );
    assert!(e
        .notes
        .iter()
        .any(|n| n.file == "main.tf" && n.line == 21 && n.message.contains("`remote`")));
}

#[test]
fn module_dir_scanned_alone_is_a_root() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/modules/modules/net");
    let v = load(&p, &Options::default());
    assert_eq!(v.len(), 1);
    let e = &v[0];
    // cidr has no value: the vpc cidr is an unknown variable, count still known (default azs).
    let vpc = e.get(e.by_address("aws_vpc.this").unwrap()).unwrap();
    assert_eq!(
        vpc.get("cidr_block").unwrap().value,
        Value::Unknown(Unknown::Variable {
            name: "cidr".into()
        })
    );
    assert!(e.by_address("aws_subnet.private[1]").is_some());
}
