//! Fixture tests of the NET rules: each fixture is a whole architecture written like the seeds'
//! scenarios, under `fixtures/network/<CODE>/terraform/<variant>/main.tf` at the workspace root
//! (case `NET001_seed000_fail` is code `NET001`, variant `seed000_fail`), and the shared
//! `fixtures/network/standard/terraform/main.tf`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

/// The directory of a case: `NET001_fail` -> `fixtures/network/NET001/terraform/fail`.
fn case_dir(case: &str) -> PathBuf {
    let net = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/network");
    match case.split_once('_') {
        Some((code, variant)) => net.join(code).join("terraform").join(variant),
        None => net.join(case).join("terraform"),
    }
}

use moat_model::{Finding, Status};

fn fixture(case: &str) -> Vec<Finding> {
    let dir = case_dir(case);
    let estates = moat_terraform::load(&dir, &moat_terraform::Options::default());
    assert_eq!(estates.len(), 1, "{case}: one root module");
    let e = &estates[0];
    // Seed 000's fixtures write mutual inline security-group references, which Terraform
    // rejects as a cycle: moat reports it and still reads every resource.
    assert!(
        e.errors.iter().all(|x| x.is_reference_cycle()),
        "{case}: {:?}",
        e.errors
    );
    crate::check(e)
        .into_iter()
        .filter(|f| f.rule_id.starts_with("NET"))
        .collect()
}

/// `(rule, resource, line, status)` of every NET finding.
fn brief(f: &[Finding]) -> Vec<(String, String, u32, Status)> {
    f.iter()
        .map(|f| (f.rule_id.clone(), f.resource.clone(), f.line, f.status))
        .collect()
}

fn text(f: &[Finding]) -> String {
    f.iter()
        .map(|f| {
            format!(
                "{} {}:{} {}\n  {}",
                f.rule_id, f.file, f.line, f.resource, f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn line_of(case: &str, needle: &str) -> u32 {
    let path = case_dir(case).join("main.tf");
    let src = std::fs::read_to_string(path).unwrap();
    let i = src
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {case}"));
    i as u32 + 1
}

fn fail(rule: &str, resource: &str, line: u32) -> (String, String, u32, Status) {
    (rule.into(), resource.into(), line, Status::Fail)
}

#[test]
fn standard_design_passes_every_net_rule() {
    let f = fixture("standard");
    assert!(f.is_empty(), "{}", text(&f));
}

#[test]
fn net001_traffic_port_not_admitted() {
    let c = "NET001_fail";
    let f = fixture(c);
    assert_eq!(
        brief(&f),
        vec![fail(
            "NET001",
            "aws_security_group.app",
            line_of(c, "resource \"aws_security_group\" \"app\"")
        )],
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
}

#[test]
fn net001_seed000_nlb_to_rds_ip_target() {
    let c = "NET001_seed000_fail";
    let f = fixture(c);
    assert_eq!(
        brief(&f),
        vec![fail(
            "NET001",
            "aws_security_group.database",
            line_of(c, "resource \"aws_security_group\" \"database\"")
        )],
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
    let f = fixture("NET001_seed000_pass");
    assert!(f.is_empty(), "{}", text(&f));
}

#[test]
fn net002_health_check_port_not_admitted() {
    let c = "NET002_fail";
    let f = fixture(c);
    assert_eq!(
        brief(&f),
        vec![
            fail(
                "NET003",
                "aws_security_group.alb",
                line_of(c, "resource \"aws_security_group\" \"alb\"")
            ),
            fail(
                "NET002",
                "aws_security_group.app",
                line_of(c, "resource \"aws_security_group\" \"app\"")
            ),
        ],
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
    let f = fixture("NET002_pass");
    assert!(f.is_empty(), "{}", text(&f));
}

#[test]
fn net003_lb_egress_missing() {
    let c = "NET003_fail";
    let f = fixture(c);
    assert_eq!(
        brief(&f),
        vec![fail(
            "NET003",
            "aws_security_group.alb",
            line_of(c, "resource \"aws_security_group\" \"alb\"")
        )],
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
}

#[test]
fn net004_nacl_drops_the_reply_on_ephemeral_ports() {
    let c = "NET004_fail";
    let f = fixture(c);
    let nacl = line_of(c, "resource \"aws_network_acl\" \"app\"");
    assert_eq!(
        brief(&f),
        vec![
            fail("NET004", "aws_network_acl.app", nacl),
            fail("NET004", "aws_network_acl.app", nacl),
        ],
        "{}",
        text(&f)
    );
    assert!(
        f.iter().all(|x| x
            .message
            .contains("ephemeral ports tcp/1024-3305,3307-65535")),
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
    let f = fixture("NET004_pass");
    assert!(f.is_empty(), "{}", text(&f));
}

#[test]
fn net005_target_open_to_the_world_behind_alb() {
    let c = "NET005_fail";
    let f = fixture(c);
    assert_eq!(
        brief(&f),
        vec![fail(
            "NET005",
            "aws_security_group.app",
            line_of(c, "description = \"app port from anywhere\"") - 1
        )],
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
}

#[test]
fn net006_target_reachable_around_the_alb() {
    let c = "NET006_fail";
    let f = fixture(c);
    assert_eq!(
        brief(&f),
        vec![
            fail(
                "NET005",
                "aws_security_group.app",
                line_of(c, "description = \"app port from anywhere\"") - 1
            ),
            fail(
                "NET006",
                "aws_instance.app",
                line_of(c, "associate_public_ip_address = true")
            ),
        ],
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
}

#[test]
fn net007_nlb_instance_targets_must_admit_the_clients() {
    let c = "NET007_fail";
    let f = fixture(c);
    assert_eq!(
        brief(&f),
        vec![fail(
            "NET007",
            "aws_security_group.proxy",
            line_of(c, "resource \"aws_security_group\" \"proxy\"")
        )],
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
    let f = fixture("NET007_pass");
    assert!(f.is_empty(), "{}", text(&f));
}

#[test]
fn net008_ip_target_outside_the_vpc() {
    let c = "NET008_fail";
    let f = fixture(c);
    assert_eq!(
        brief(&f),
        vec![fail(
            "NET008",
            "aws_lb_target_group_attachment.onprem",
            line_of(c, "resource \"aws_lb_target_group_attachment\" \"onprem\"")
        )],
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
    let f = fixture("NET008_pass");
    assert!(f.is_empty(), "{}", text(&f));
}

#[test]
fn net009_private_subnet_routed_to_igw() {
    let c = "NET009_fail";
    let f = fixture(c);
    assert_eq!(
        brief(&f),
        vec![fail(
            "NET009",
            "aws_subnet.app",
            line_of(c, "resource \"aws_route_table_association\" \"app\"")
        )],
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
}

#[test]
fn net010_database_reachable_from_internet() {
    let c = "NET010_fail";
    let f = fixture(c);
    // The database also sits in public subnets (NET011), at its subnet group line.
    assert_eq!(
        brief(&f),
        vec![
            fail(
                "NET011",
                "aws_db_instance.main",
                line_of(c, "db_subnet_group_name   = aws_db_subnet_group.db.name")
            ),
            fail(
                "NET010",
                "aws_db_instance.main",
                line_of(c, "publicly_accessible    = true")
            )
        ],
        "{}",
        text(&f)
    );
    insta::assert_snapshot!(text(&f));
}

#[test]
fn net010_database_behind_an_internet_facing_nlb() {
    let c = "NET010_via_nlb_fail";
    let f = fixture(c);
    assert_eq!(
        brief(&f),
        vec![fail(
            "NET010",
            "aws_db_instance.main",
            line_of(c, "resource \"aws_db_instance\" \"main\"")
        )],
        "{}",
        text(&f)
    );
    assert!(
        f[0].message.contains("through NLB `aws_lb.db_gateway`"),
        "{}",
        f[0].message
    );
    insta::assert_snapshot!(text(&f));
}

#[test]
fn catalogue_lists_the_net_rules_with_docs() {
    let ids: Vec<&str> = crate::catalogue()
        .into_iter()
        .filter(|r| r.family == "net")
        .map(|r| {
            assert!(
                r.doc.contains("## What it does") && r.doc.contains("## Use instead"),
                "{}",
                r.id
            );
            r.id
        })
        .collect();
    assert_eq!(
        ids,
        vec![
            "NET001", "NET002", "NET003", "NET004", "NET005", "NET006", "NET007", "NET008",
            "NET009", "NET010", "NET011", "NET012", "NET100"
        ]
    );
}

/// QA item 8: a database in a subnet group of public subnets (routes to an IGW) that is not
/// publicly accessible: NET011 on the database, at its `db_subnet_group_name`; the database
/// in private subnets passes. Run directly (the code is registered in `codes.rs`).
#[test]
fn net011_database_in_public_subnets() {
    let c = "NET011_fail";
    let dir = case_dir(c);
    let estates = moat_terraform::load(&dir, &moat_terraform::Options::default());
    let e = &estates[0];
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let ctx = crate::registry::Ctx::new(e);
    let f = super::database_in_public_subnet::RULE.run("NET011", &ctx);
    assert_eq!(
        brief(&f),
        vec![fail(
            "NET011",
            "aws_db_instance.internal",
            line_of(
                c,
                "db_subnet_group_name   = aws_db_subnet_group.public.name"
            )
        )],
        "{}",
        text(&f)
    );
    assert!(
        f[0].message.contains("`aws_subnet.public_a`")
            && f[0].message.contains("`aws_subnet.public_c`"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].message.contains("internet gateway at main.tf:37"),
        "{}",
        f[0].message
    );
}

/// QA round 3: an NLB with a subnet in us-east-1a only; instance `b` in us-east-1b is
/// registered but never receives traffic. NET012 on `b`, at its attachment; `a` passes.
#[test]
fn net012_target_in_a_zone_the_lb_does_not_serve() {
    let c = "NET012_fail";
    let f: Vec<Finding> = fixture(c)
        .into_iter()
        .filter(|f| f.rule_id == "NET012")
        .collect();
    assert_eq!(
        brief(&f),
        vec![fail(
            "NET012",
            "aws_instance.b",
            line_of(c, "resource \"aws_lb_target_group_attachment\" \"b\"")
        )],
        "{}",
        text(&f)
    );
    assert!(f[0].message.contains("us-east-1b"), "{}", f[0].message);
    insta::assert_snapshot!(text(&f));
}
