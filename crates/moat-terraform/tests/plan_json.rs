//! The Terraform plan JSON frontend (`moat_terraform::plan`) against the HCL frontend on the
//! same configurations.
//!
//! The plans under `tests/fixtures/plan/` (and `examples/three-tier-plan/plan.json`) are real
//! `terraform show -json` output of `tests/fixtures/realistic/<name>` (and
//! `examples/three-tier`), pretty-printed so that lines mean something. Most tests read them
//! and need no Terraform; `committed_plans_are_current` plans the configurations again with
//! Terraform (offline, provider mirror, data sources answered by moto) and checks that the
//! committed plans still describe them; `MOAT_REGENERATE_PLANS=1` rewrites them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use moat_model::aws::network::{Ref, RouteTarget};
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Mode, Unknown, Value};

mod common;
use common::{missing_peer, terraform_and_mirror};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn repo() -> PathBuf {
    crate_dir().join("../..")
}

/// (name, configuration directory, committed plan).
fn cases() -> Vec<(&'static str, PathBuf, PathBuf)> {
    let mut out = vec![(
        "three-tier",
        repo().join("examples/three-tier"),
        repo().join("examples/three-tier-plan/plan.json"),
    )];
    for name in [
        "network",
        "web_tier",
        "storage",
        "guarded_release",
        "services",
        "data_platform",
        "platform_edge",
    ] {
        out.push((
            name,
            crate_dir().join("tests/fixtures/realistic").join(name),
            crate_dir().join(format!("tests/fixtures/plan/{name}.json")),
        ));
    }
    out
}

fn hcl(dir: &Path) -> Estate {
    let mut v = moat_terraform::load(dir, &moat_terraform::Options::default());
    assert_eq!(v.len(), 1, "{}", dir.display());
    v.pop().unwrap()
}

fn plan(file: &Path) -> Estate {
    let mut v = moat_terraform::plan::load(file, &moat_terraform::Options::default());
    assert_eq!(v.len(), 1, "{}", file.display());
    v.pop().unwrap()
}

fn addr(e: &Estate, id: moat_model::ResourceId) -> String {
    e.get(id).map(|r| r.address.clone()).unwrap_or_default()
}

fn rref(e: &Estate, r: &Ref) -> String {
    match r {
        Ref::Res(id) => addr(e, *id),
        Ref::External(s) => format!("external {s}"),
        Ref::Unknown(_) => "?".into(),
    }
}

fn attr<T: Debug>(a: &Attr<T>) -> String {
    match &a.value {
        AttrValue::Known(v) | AttrValue::Default(v) => format!("{v:?}"),
        AttrValue::Unknown(_) => "?".into(),
        AttrValue::Invalid { written, .. } => format!("invalid {written}"),
    }
}

/// The parts of the typed state that both frontends decide, by resource address, with
/// resource ids replaced by addresses.
fn typed(e: &Estate) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let n = &e.aws.network;
    for g in &n.security_groups {
        let mut rules: Vec<String> = g
            .rules
            .iter()
            .map(|r| {
                let mut groups: Vec<String> = r.groups.iter().map(|x| rref(e, x)).collect();
                groups.sort();
                format!(
                    "{:?} {:?} {:?} v4={:?} v6={:?} groups={groups:?} self={} unknown={} implicit={}",
                    r.direction,
                    r.protocol,
                    r.ports.map(|p| (p.from, p.to)),
                    r.ipv4,
                    r.ipv6,
                    r.self_ref,
                    !r.unknown.is_empty() || r.addresses_unknown,
                    r.implicit
                )
            })
            .collect();
        rules.sort();
        let vpc = g.vpc.as_ref().map(|v| rref(e, v));
        out.insert(
            format!("sg {}", g.address),
            format!("vpc={vpc:?} {rules:#?}"),
        );
    }
    for rt in &n.route_tables {
        let mut routes: Vec<String> = rt
            .routes
            .iter()
            .map(|r| {
                let target = match &r.target {
                    RouteTarget::Igw(x) => format!("igw {}", rref(e, x)),
                    RouteTarget::Nat(x) => format!("nat {}", rref(e, x)),
                    RouteTarget::Peering(x) => format!("pcx {}", rref(e, x)),
                    RouteTarget::Eni(x) => format!("eni {}", rref(e, x)),
                    RouteTarget::Endpoint(x) => format!("vpce {}", rref(e, x)),
                    RouteTarget::TransitGateway(x) => format!("tgw {}", rref(e, x)),
                    other => format!("{other:?}"),
                };
                format!("{:?} -> {target}", r.dest)
            })
            .collect();
        routes.sort();
        let mut subnets: Vec<String> = rt.subnets.iter().map(|(s, _)| rref(e, s)).collect();
        subnets.sort();
        out.insert(
            format!("rt {}", rt.address),
            format!("main={} routes={routes:?} subnets={subnets:?}", rt.main),
        );
    }
    for s in &n.subnets {
        out.insert(
            format!("subnet {}", s.address),
            format!(
                "vpc={:?} cidr={:?} az={:?} public_ip={}",
                s.vpc.as_ref().map(|v| rref(e, v)),
                s.cidr,
                s.az,
                attr(&s.map_public_ip_on_launch)
            ),
        );
    }
    for v in &n.vpcs {
        out.insert(format!("vpc {}", v.address), format!("{:?}", v.cidrs));
    }
    for i in &n.enis {
        let mut groups: Vec<String> = i.groups.iter().map(|x| rref(e, x)).collect();
        groups.sort();
        out.insert(
            format!("eni {} {}", i.address, addr(e, i.owner)),
            format!(
                "{:?} subnet={:?} groups={groups:?} public={:?}",
                i.kind,
                i.subnet.as_ref().map(|s| rref(e, s)),
                i.public_ip
            ),
        );
    }
    for lb in &n.load_balancers {
        let mut subnets: Vec<String> = lb.subnets.iter().map(|x| rref(e, x)).collect();
        subnets.sort();
        let mut groups: Vec<String> = lb.groups.iter().map(|x| rref(e, x)).collect();
        groups.sort();
        out.insert(
            format!("lb {}", lb.address),
            format!(
                "{:?} internal={:?} subnets={subnets:?} groups={groups:?}",
                lb.kind, lb.internal
            ),
        );
    }
    for l in &n.listeners {
        out.insert(
            format!("listener {}", l.address),
            format!(
                "lb={:?} port={:?} protocol={:?} tgs={:?}",
                l.lb.as_ref().map(|x| rref(e, x)),
                l.port,
                l.protocol,
                l.target_groups
                    .iter()
                    .map(|(t, _)| rref(e, t))
                    .collect::<Vec<_>>()
            ),
        );
    }
    for b in &e.aws.storage.buckets {
        let p = &b.public_access_block;
        let mut policies: Vec<String> = b.policies.iter().map(|x| addr(e, *x)).collect();
        policies.sort();
        out.insert(
            format!("bucket {}", addr(e, b.id)),
            format!(
                "sse={} versioning={} pab=[{} {} {} {}] logging={} acl={} lifecycle={} policies={policies:?}",
                attr(&b.encryption),
                attr(&b.versioning),
                attr(&p.block_public_acls),
                attr(&p.block_public_policy),
                attr(&p.ignore_public_acls),
                attr(&p.restrict_public_buckets),
                attr(&b.logging),
                attr(&b.acl),
                attr(&b.lifecycle)
            ),
        );
    }
    out
}

/// Differences that are expected, with the reason, by (case, key).
fn expected_difference(case: &str, key: &str) -> Option<&'static str> {
    match (case, key) {
        // `nat_gateway_id = aws_nat_gateway.this[each.value].id` with `for_each =
        // local.az_index`: the plan's configuration does not hold local values, so which NAT
        // gateway is meant is not known; the first is assumed (and a note says so).
        ("three-tier", "rt module.network.aws_route_table.app[\"ap-northeast-2c\"]") => {
            Some("NAT of the second AZ")
        }
        // `subnet_ids = [for ... in module.vpc.subnet_ids : ... if ...]` in the module call:
        // the plan's configuration names only `module.vpc.subnet_ids` (whose output is every
        // `aws_subnet.this`), not the filter, so the endpoint is placed in every subnet.
        ("network", k) if k.starts_with("eni module.endpoints.aws_vpc_endpoint.interface[") => {
            Some("filtered subnet list")
        }
        // `route_table_id = each.value.public ? aws_route_table.public.id :
        // aws_route_table.private[...].id`: a condition on a value the plan does not hold, so
        // the association's route table is unknown: the association is not linked to either
        // table, and its subnet gets a stand-in table of its own whose routes beyond the VPC
        // are unknown (never the main table, which would be a guess).
        ("network", k)
            if k.starts_with("rt module.vpc.aws_route_table.")
                || k.starts_with("rt module.vpc.aws_route_table_association.this[") =>
        {
            Some("conditional route table")
        }
        // `security_groups = var.allow_from_sg == "" ? [] : [var.allow_from_sg]`, with
        // `allow_from_sg = module.api.security_group_id` (unknown): the plan's configuration
        // lists the reference but not the condition, so the plan side names the group where
        // HCL says nothing; on both sides the rule is unknown (its CIDRs are unknown too).
        ("services", "sg module.worker[0].aws_security_group.this") => {
            Some("conditional on an unknown value")
        }
        _ => None,
    }
}

#[test]
fn same_addresses_as_hcl() {
    for (name, dir, file) in cases() {
        let (h, p) = (hcl(&dir), plan(&file));
        assert!(p.errors.is_empty(), "{name}: {:?}", p.errors);
        let set = |e: &Estate, mode: Mode| -> BTreeSet<String> {
            e.resources
                .iter()
                .filter(|r| r.mode == mode)
                .map(|r| r.address.clone())
                .collect()
        };
        assert_eq!(
            set(&h, Mode::Managed),
            set(&p, Mode::Managed),
            "{name}: managed resources"
        );
        // Every data source of the plan is one the HCL frontend has (the plan leaves out none
        // that Terraform reads).
        let (hd, pd) = (set(&h, Mode::Data), set(&p, Mode::Data));
        assert!(pd.is_subset(&hd), "{name}: {:?}", pd.difference(&hd));
        assert_eq!(hd, pd, "{name}: data sources");
        for r in &p.resources {
            assert_eq!(r.frontend, moat_model::Frontend::TerraformPlan);
            let file_name = file.file_name().unwrap().to_string_lossy();
            assert_eq!(&*r.loc.file, &*file_name, "{name}: {}", r.address);
        }
        assert_eq!(p.root, file.file_name().unwrap().to_string_lossy());
    }
}

#[test]
fn same_typed_state_as_hcl() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for (name, dir, file) in cases() {
        let (h, p) = (typed(&hcl(&dir)), typed(&plan(&file)));
        let keys: BTreeSet<&String> = h.keys().chain(p.keys()).collect();
        for k in keys {
            compared += 1;
            let (a, b) = (h.get(k), p.get(k));
            if a == b {
                assert!(
                    expected_difference(name, k).is_none(),
                    "{name}: `{k}` is listed as an expected difference but is the same"
                );
                continue;
            }
            if expected_difference(name, k).is_some() {
                continue;
            }
            failures.push(format!("{name}: {k}\n  hcl:  {a:?}\n  plan: {b:?}"));
        }
    }
    assert!(compared > 40, "{compared}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn typed_state_examples() {
    let p = plan(&repo().join("examples/three-tier-plan/plan.json"));
    let t = typed(&p);
    // The DB group admits MySQL from the app group: a reference rebuilt from the configuration
    // (`security_groups` is unknown in the plan).
    let db = &t["sg aws_security_group.db"];
    assert!(
        db.contains(
            r#"Ingress Some(Tcp) Some((3306, 3306)) v4=[] v6=[] groups=[\"aws_security_group.app\"] self=false unknown=false"#
        ),
        "{db}"
    );
    assert!(
        db.contains("vpc=Some(\"module.network.aws_vpc.this\")"),
        "{db}"
    );
    let public = &t["rt module.network.aws_route_table.public"];
    assert!(
        public.contains("-> igw module.network.aws_internet_gateway.this"),
        "{public}"
    );
    assert!(
        public.contains("module.network.aws_subnet.public[1]"),
        "{public}"
    );
    let data = &t["bucket aws_s3_bucket.app_data"];
    assert!(data.contains("versioning=\"Disabled\""), "{data}");
    assert!(data.contains("pab=[true true true true]"), "{data}");
    // Lines point into the plan file (pretty-printed: one value per line).
    let r = p
        .get(p.by_address("aws_security_group.db").unwrap())
        .unwrap();
    let text = &p.sources[&r.loc.file];
    let line = text.lines().nth(r.loc.line as usize - 1).unwrap();
    assert!(line.trim_end().ends_with('{'), "{line}");
    let next = text.lines().nth(r.loc.line as usize).unwrap();
    assert!(
        next.contains("\"address\": \"aws_security_group.db\""),
        "{next}"
    );
    let desc = r.get("description").unwrap();
    let l = text.lines().nth(desc.line().unwrap() as usize - 1).unwrap();
    assert!(
        l.contains("Database tier: MySQL from the app tier only"),
        "{l}"
    );
}

#[test]
fn unknowns_follow_after_unknown() {
    let p = plan(&repo().join("examples/three-tier-plan/plan.json"));
    let get = |a: &str| p.get(p.by_address(a).unwrap()).unwrap();
    // A reference through a module output: `vpc_id = module.network.vpc_id`.
    let tg = get("aws_lb_target_group.app");
    assert_eq!(
        tg.get("vpc_id").unwrap().computed_ref(),
        Some(("module.network.aws_vpc.this", "id"))
    );
    // `count.index` on both sides with the same count: the same instance.
    let att = get("aws_lb_target_group_attachment.app[1]");
    assert_eq!(
        att.get("target_id").unwrap().computed_ref(),
        Some(("aws_instance.app[1]", "id"))
    );
    // A splat through a module output: every instance.
    let lb = get("aws_lb.web");
    let subnets: Vec<_> = lb
        .get("subnets")
        .unwrap()
        .as_list()
        .unwrap()
        .iter()
        .map(|n| n.computed_ref().unwrap().0.to_string())
        .collect();
    assert_eq!(
        subnets,
        [
            "module.network.aws_subnet.public[0]",
            "module.network.aws_subnet.public[1]"
        ]
    );
    // A computed attribute that the configuration does not set is left out, as in HCL.
    assert!(tg.get("arn").is_none());
    assert!(tg.get("id").is_none());
    // Known values stay known (the plan knows the account from the data source).
    assert_eq!(
        get("aws_s3_bucket.logs").str_attr("bucket"),
        Some("shop-prod-logs-123456789012")
    );
    // Every unknown the plan lists for a configured attribute is unknown here.
    let kms = get("aws_instance.app[0]")
        .path("root_block_device.0.kms_key_id")
        .unwrap();
    assert_eq!(kms.computed_ref(), Some(("aws_kms_key.main", "arn")));
    // Edges for references, as with HCL.
    let from = p.by_address("aws_instance.app[0]").unwrap();
    let to: BTreeSet<String> = p.refs_from(from).map(|e| addr(&p, e.to)).collect();
    for t in [
        "aws_security_group.app",
        "aws_kms_key.main",
        "module.network.aws_subnet.app[\"ap-northeast-2a\"]",
    ] {
        assert!(to.contains(t), "{t} not in {to:?}");
    }
    // A policy document read at apply is rendered with placeholders, as with HCL.
    let policy = get("aws_iam_role_policy.app").get("policy").unwrap();
    let text = policy.as_str().unwrap();
    assert!(text.contains("${aws_s3_bucket.app_data.arn}"), "{text}");
    assert!(text.contains("\"s3:ListBucket\""), "{text}");
}

#[test]
fn edges_match_hcl() {
    let (h, p) = (
        hcl(&repo().join("examples/three-tier")),
        plan(&repo().join("examples/three-tier-plan/plan.json")),
    );
    let edges = |e: &Estate| -> BTreeSet<(String, String)> {
        e.edges
            .iter()
            .map(|x| (addr(e, x.from), addr(e, x.to)))
            .collect()
    };
    let (he, pe) = (edges(&h), edges(&p));
    // Every edge the plan finds, HCL finds, but for the instance choice listed in
    // `expected_difference`.
    let extra: Vec<_> = pe.difference(&he).collect();
    assert_eq!(
        extra,
        [&(
            "module.network.aws_route_table.app[\"ap-northeast-2c\"]".to_string(),
            "module.network.aws_nat_gateway.this[0]".to_string()
        )]
    );
    assert!(p.notes.iter().any(|n| n.message.contains(
        "`module.network.aws_route_table.app[\"ap-northeast-2c\"].route.0.nat_gateway_id` refers to `module.network.aws_nat_gateway.this`, which has 2 instances"
    )), "{:?}", p.notes);
    // HCL has more only where the plan knows the value (data sources read while planning)
    // and for that one.
    for (from, to) in he.difference(&pe) {
        assert!(
            to.starts_with("data.aws_caller_identity")
                || to.starts_with("data.aws_elb_service_account")
                || to == "module.network.aws_nat_gateway.this[1]",
            "{from} -> {to}"
        );
    }
}

#[test]
fn sensitive_values_are_redacted_and_kept() {
    let p = plan(&crate_dir().join("tests/fixtures/plan/guarded_release.json"));
    let r = p
        .get(
            p.by_address("aws_secretsmanager_secret_version.token")
                .unwrap(),
        )
        .unwrap();
    // Kept for analysis.
    assert_eq!(r.str_attr("secret_string"), Some("not-a-real-token"));
    // Never shown.
    let shown = p.redact("the token is not-a-real-token.");
    assert_eq!(shown, "the token is (sensitive value).");
    assert!(p.redactions.iter().any(|x| x.text == "not-a-real-token"));
}

fn three_tier_text() -> String {
    std::fs::read_to_string(repo().join("examples/three-tier-plan/plan.json")).unwrap()
}

/// Every resource with its attributes, locations left out.
fn fingerprint(e: &Estate) -> Vec<(String, String)> {
    fn show(v: &Value) -> String {
        match v {
            Value::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|n| show(&n.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, n)| format!("{k}: {}", show(&n.value)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => format!("{other:?}"),
        }
    }
    e.resources
        .iter()
        .map(|r| {
            let attrs: Vec<String> = r
                .attrs
                .iter()
                .map(|(k, v)| format!("{k}: {}", show(&v.value)))
                .collect();
            (r.address.clone(), attrs.join(", "))
        })
        .collect()
}

#[test]
fn encodings_give_the_same_estate() {
    let text = three_tier_text();
    let base = moat_terraform::plan::load_str("plan.json", &text);
    assert!(base.errors.is_empty(), "{:?}", base.errors);
    assert!(base.resources.len() > 40);
    let dir = tempfile::tempdir().unwrap();
    let utf16 = |be: bool, bom: bool| -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if be { [0xFE, 0xFF] } else { [0xFF, 0xFE] });
        }
        for u in text.encode_utf16() {
            out.extend(if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        out
    };
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("utf8.json", text.as_bytes().to_vec()),
        (
            "bom.json",
            [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        ),
        ("utf16le.json", utf16(false, true)),
        ("utf16be.json", utf16(true, true)),
        ("utf16le-nobom.json", utf16(false, false)),
    ];
    for (name, bytes) in &variants {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    // A Terraform JSON configuration and other JSON beside the plans are not plans.
    std::fs::write(dir.path().join("main.tf.json"), "{\"resource\": {}}").unwrap();
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"x\"}").unwrap();
    let estates = moat_terraform::plan::load(dir.path(), &Default::default());
    let roots: Vec<&str> = estates.iter().map(|e| e.root.as_str()).collect();
    assert_eq!(
        roots,
        [
            "bom.json",
            "utf16be.json",
            "utf16le-nobom.json",
            "utf16le.json",
            "utf8.json"
        ]
    );
    let want = fingerprint(&base);
    for e in &estates {
        assert!(e.errors.is_empty(), "{}: {:?}", e.root, e.errors);
        assert_eq!(fingerprint(e), want, "{}", e.root);
        assert_eq!(e.files_scanned, 1);
        // Lines are the same in every encoding.
        let r = e
            .get(e.by_address("aws_security_group.db").unwrap())
            .unwrap();
        let b = base
            .get(base.by_address("aws_security_group.db").unwrap())
            .unwrap();
        assert_eq!(r.loc.line, b.loc.line, "{}", e.root);
    }
}

#[test]
fn single_line_plan_as_terraform_writes_it() {
    // `terraform show -json` writes one line: every location is line 1, with its column.
    let v: serde_json::Value = serde_json::from_str(&three_tier_text()).unwrap();
    let compact = serde_json::to_string(&v).unwrap();
    let e = moat_terraform::plan::load_str("tfplan.json", &compact);
    assert!(e.errors.is_empty());
    let r = e
        .get(e.by_address("aws_security_group.db").unwrap())
        .unwrap();
    assert_eq!(r.loc.line, 1);
    assert!(r.loc.column > 1);
    assert_eq!(
        fingerprint(&e),
        fingerprint(&moat_terraform::plan::load_str("p", &three_tier_text()))
    );
}

#[test]
fn corrupted_plans_are_errors_with_their_line() {
    let text = three_tier_text();
    // Truncated in the middle.
    let cut = text.len() / 2;
    let cut = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap();
    let e = moat_terraform::plan::load_str("plan.json", &text[..cut]);
    assert!(e.resources.is_empty());
    assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
    let err = &e.errors[0];
    assert_eq!(err.file, "plan.json");
    let lines = text[..cut].lines().count() as u32;
    assert_eq!(err.line, lines, "{err:?}");
    assert!(err.message.contains("end of file"), "{}", err.message);
    assert!(
        err.message.contains(&format!("line {lines}, column")),
        "{}",
        err.message
    );

    // A syntax error on a known line.
    let broken = text.replacen(
        "\"format_version\": \"1.2\",",
        "\"format_version\": \"1.2\",,",
        1,
    );
    let e = moat_terraform::plan::load_str("plan.json", &broken);
    assert_eq!(e.errors[0].line, 2, "{:?}", e.errors);

    // Wrong types: the resources of a module are not a list; another resource has no type.
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["planned_values"]["root_module"]["child_modules"][0]["resources"] = serde_json::json!("x");
    v["planned_values"]["root_module"]["resources"][0]
        .as_object_mut()
        .unwrap()
        .remove("type");
    let e = moat_terraform::plan::load_str("plan.json", &serde_json::to_string_pretty(&v).unwrap());
    let msgs: Vec<&str> = e.errors.iter().map(|x| x.message.as_str()).collect();
    assert_eq!(e.errors.len(), 2, "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m.contains("`child_modules[].resources` must be an array, found a string")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("must be an object with the strings `address`, `type` and `name`")),
        "{msgs:?}"
    );
    assert!(e.errors.iter().all(|x| x.line > 1));
    // The rest is still read.
    assert!(e.by_address("aws_security_group.db").is_some());
    assert!(e.by_address("module.network.aws_vpc.this").is_none());

    // In a directory: the broken plan is an error, the good one is read.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.json"), &text).unwrap();
    std::fs::write(dir.path().join("bad.json"), &text[..cut]).unwrap();
    std::fs::write(dir.path().join("notes.json"), "{\"broken\": ").unwrap();
    let estates = moat_terraform::plan::load(dir.path(), &Default::default());
    assert_eq!(estates.len(), 2);
    assert_eq!(estates[0].root, "bad.json");
    assert_eq!(estates[0].errors[0].line, lines);
    assert!(estates[1].errors.is_empty());
    assert!(estates[1].resources.len() > 40);
}

#[test]
fn hostile_plans_do_not_panic() {
    let deep = format!(
        "{{\"format_version\": \"1.2\", \"planned_values\": {}}}",
        "[".repeat(100_000)
    );
    let e = moat_terraform::plan::load_str("deep.json", &deep);
    assert!(
        e.errors[0].message.contains("nested deeper"),
        "{:?}",
        e.errors
    );
    for text in [
        "{\"format_version\": 1, \"planned_values\": null}",
        "{\"format_version\": 1, \"planned_values\": {\"root_module\": 3}}",
        "{\"format_version\": 1, \"planned_values\": {\"root_module\": {\"resources\": [1, {\"address\": 2}]}}, \"resource_changes\": {}}",
        "{\"format_version\": 1, \"planned_values\": {\"root_module\": {\"resources\": [{\"address\": \"a.b\", \"type\": \"a\", \"name\": \"b\", \"values\": [1]}]}}}",
        "{\"format_version\": 1, \"planned_values\": {\"root_module\": {\"resources\": [{\"address\": \"a.b\", \"type\": \"a\", \"name\": \"b\", \"values\": {\"x\": 1}}]}}, \"resource_changes\": [{\"address\": \"a.b\", \"change\": {\"after_unknown\": {\"x\": [true, {\"y\": true}], \"z\": true}}}], \"configuration\": {\"root_module\": {\"resources\": [{\"address\": \"a.b\", \"expressions\": {\"z\": {\"references\": [\"module.\", \"data.\", \"x[\", \"[\"]}}}]}}}",
        "\u{feff}",
        "",
    ] {
        let e = moat_terraform::plan::load_str("x.json", text);
        let _ = e.resources.len();
    }
}

/// How to get moto (three-tier reads `aws_caller_identity`).
const MOTO_INSTALL: &str = "python3 -m pip install 'moto[server]' (bash .ci/install-peers)";

struct Moto(Child, u16);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_moto() -> Option<Moto> {
    let port = TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let bin = std::env::var("MOAT_MOTO_SERVER").unwrap_or_else(|_| "moto_server".into());
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let m = Moto(child, port);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(m);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// `terraform show -json` of a configuration, planned offline (fake credentials, provider
/// mirror, AWS endpoints at moto), pretty-printed as committed.
fn terraform_plan(tf: &Path, mirror: &Path, config: &Path, moto_port: u16) -> String {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("cfg");
    copy_dir(config, &dir);
    let url = format!("http://127.0.0.1:{moto_port}");
    let mut over = String::from(
        "provider \"aws\" {\n  access_key = \"AKIAMOATTESTING00000\"\n  secret_key = \"moat-test-secret\"\n  skip_credentials_validation = true\n  skip_requesting_account_id = true\n  skip_metadata_api_check = true\n  skip_region_validation = true\n  s3_use_path_style = true\n  endpoints {\n",
    );
    for svc in [
        "ec2", "iam", "kms", "s3", "sts", "sns", "sqs", "elbv2", "rds",
    ] {
        over.push_str(&format!("    {svc} = \"{url}\"\n"));
    }
    over.push_str("  }\n}\n");
    std::fs::write(dir.join("moat_provider_override.tf"), over).unwrap();
    let rc = work.path().join("cli.tfrc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| -> Vec<u8> {
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
            .unwrap();
        assert!(
            out.status.success(),
            "terraform {args:?} in {}:\n{}{}",
            config.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    run(&["init", "-input=false", "-no-color", "-backend=false"]);
    run(&[
        "plan",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-out=plan.bin",
    ]);
    let js = run(&["show", "-json", "plan.bin"]);
    let v: serde_json::Value = serde_json::from_slice(&js).unwrap();
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

#[test]
fn committed_plans_are_current() {
    let Some((tf, mirror)) = terraform_and_mirror() else {
        return;
    };
    let Some(moto) = start_moto() else {
        missing_peer("moto_server (MOAT_MOTO_SERVER or PATH)", MOTO_INSTALL);
        return;
    };
    let regenerate = std::env::var_os("MOAT_REGENERATE_PLANS").is_some_and(|v| v == "1");
    for (name, dir, file) in cases() {
        let fresh = terraform_plan(&tf, &mirror, &dir, moto.1);
        if regenerate {
            std::fs::write(&file, &fresh).unwrap();
            continue;
        }
        let (a, b) = (
            moat_terraform::plan::load_str("plan.json", &fresh),
            plan(&file),
        );
        assert!(a.errors.is_empty(), "{name}: {:?}", a.errors);
        assert_eq!(
            fingerprint(&a),
            fingerprint(&b),
            "{name}: the committed plan {} is out of date; regenerate with MOAT_REGENERATE_PLANS=1",
            file.display()
        );
    }
}

#[test]
fn unknown_reference_kinds() {
    // A reference through a local value cannot be followed: the unknown names what it
    // depends on, and is not taken for a placeholder that is never a wildcard.
    let text = r#"{
  "format_version": "1.2",
  "terraform_version": "1.11.4",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_security_group.a", "mode": "managed", "type": "aws_security_group", "name": "a", "values": {"name": "a"}},
    {"address": "aws_instance.x", "mode": "managed", "type": "aws_instance", "name": "x",
     "values": {"ami": "ami-1"}, "sensitive_values": {"vpc_security_group_ids": []}}
  ]}},
  "resource_changes": [
    {"address": "aws_instance.x", "change": {"after_unknown": {"vpc_security_group_ids": true, "subnet_id": true, "arn": true}}}
  ],
  "configuration": {"root_module": {"resources": [
    {"address": "aws_instance.x", "mode": "managed", "type": "aws_instance", "name": "x",
     "expressions": {"ami": {"constant_value": "ami-1"},
       "vpc_security_group_ids": {"references": ["aws_security_group.a.id", "aws_security_group.a", "local.extra"]},
       "subnet_id": {"references": ["local.subnet"]}}}
  ]}}
}"#;
    let e = moat_terraform::plan::load_str("p.json", text);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let x = e.get(e.by_address("aws_instance.x").unwrap()).unwrap();
    let sgs = x.get("vpc_security_group_ids").unwrap().as_list().unwrap();
    assert_eq!(sgs.len(), 2);
    assert_eq!(sgs[0].computed_ref(), Some(("aws_security_group.a", "id")));
    assert!(matches!(
        sgs[1].unknown_reason(),
        Some(Unknown::Derived { .. })
    ));
    match x.get("subnet_id").unwrap().unknown_reason() {
        Some(Unknown::Derived { reason, refs }) => {
            assert!(refs.is_empty());
            assert!(reason.contains("local value"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(x.get("arn").is_none());
}

/// `tests/fixtures/plan/update.json`: a plan against deployed resources. `update/main.tf` was
/// applied to moto with `https_port = 443`, the default changed to 8443, and planned again:
/// IDs are known (`subnet-...`, `sg-...`), the group is updated in place. (Not regenerated by
/// `committed_plans_are_current`: it needs an apply.)
#[test]
fn update_plan_links_known_ids() {
    let p = plan(&crate_dir().join("tests/fixtures/plan/update.json"));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let get = |a: &str| p.get(p.by_address(a).unwrap()).unwrap();
    let web1 = get("aws_instance.web[1]");
    assert_eq!(
        web1.get("subnet_id").unwrap().computed_ref(),
        Some(("aws_subnet.public[1]", "id"))
    );
    let sgs = web1
        .get("vpc_security_group_ids")
        .unwrap()
        .as_list()
        .unwrap();
    assert_eq!(sgs.len(), 1);
    assert_eq!(
        sgs[0].computed_ref(),
        Some(("aws_security_group.web", "id"))
    );
    let rt = get("aws_route_table.public");
    assert_eq!(
        rt.path("route.0.gateway_id").unwrap().computed_ref(),
        Some(("aws_internet_gateway.gw", "id"))
    );
    // A value set in the target's configuration stays a value, as in HCL.
    let subnet = get("aws_subnet.public[0]");
    assert_eq!(subnet.str_attr("cidr_block"), Some("10.20.0.0/24"));
    assert_eq!(
        subnet.get("vpc_id").unwrap().computed_ref(),
        Some(("aws_vpc.main", "id"))
    );
    // The typed state is the HCL frontend's, with the new port.
    let (h, t) = (
        typed(&hcl(&crate_dir().join("tests/fixtures/plan/update"))),
        typed(&p),
    );
    // moto gave the VPC an IPv6 block, which the state (and so the plan) has.
    let (mut h, mut t) = (h, t);
    assert_eq!(h.remove("vpc aws_vpc.main").unwrap(), "[10.20.0.0/16]");
    assert_eq!(
        t.remove("vpc aws_vpc.main").unwrap(),
        "[10.20.0.0/16, 100:db8::/56]"
    );
    assert_eq!(h, t);
    assert!(
        t["sg aws_security_group.web"].contains("Some((8443, 8443)) v4=[0.0.0.0/0]"),
        "{}",
        t["sg aws_security_group.web"]
    );
    assert!(
        t["eni aws_instance.web[1] aws_instance.web[1]"]
            .contains("subnet=Some(\"aws_subnet.public[1]\") groups=[\"aws_security_group.web\"]"),
        "{}",
        t["eni aws_instance.web[1] aws_instance.web[1]"]
    );
}

#[test]
fn unknowns_where_the_configuration_says_nothing() {
    // `aws_security_group.dyn` writes its rules with `dynamic "ingress"` (not in the plan's
    // configuration); `aws_instance.orphan` has no configuration at all. Their unknown values
    // stay unknown instead of being read as unset.
    let text = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_security_group.dyn", "mode": "managed", "type": "aws_security_group", "name": "dyn",
     "values": {"name": "dyn", "ingress": [{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": []}]}},
    {"address": "aws_instance.orphan", "mode": "managed", "type": "aws_instance", "name": "orphan",
     "values": {"ami": "ami-1"}}
  ]}},
  "resource_changes": [
    {"address": "aws_security_group.dyn", "change": {"after_unknown": {"ingress": [{"security_groups": true}], "arn": true}}},
    {"address": "aws_instance.orphan", "change": {"after_unknown": {"subnet_id": true}}}
  ],
  "configuration": {"root_module": {"resources": [
    {"address": "aws_security_group.dyn", "mode": "managed", "type": "aws_security_group", "name": "dyn",
     "expressions": {"name": {"constant_value": "dyn"}}}
  ]}}
}"#;
    let e = moat_terraform::plan::load_str("p.json", text);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let get = |a: &str| e.get(e.by_address(a).unwrap()).unwrap();
    let dyn_sg = get("aws_security_group.dyn");
    assert!(dyn_sg
        .path("ingress.0.security_groups")
        .unwrap()
        .is_unknown());
    assert!(dyn_sg.get("arn").is_none());
    assert!(get("aws_instance.orphan")
        .get("subnet_id")
        .unwrap()
        .is_unknown());
    // The typed rule is not read as closed.
    let sg = &e.aws.network.security_groups[0];
    assert!(
        sg.rules
            .iter()
            .any(|r| r.addresses_unknown || !r.unknown.is_empty()),
        "{sg:#?}"
    );
}

#[test]
fn a_plan_too_large_to_read_is_an_error_other_large_json_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let big = "a".repeat(11 * 1024 * 1024);
    std::fs::write(
        dir.path().join("out.json"),
        format!(
            "{{\"format_version\": \"1.2\", \"terraform_version\": \"1.11.4\", \"variables\": {{\"x\": {{\"value\": \"{big}\"}}}}, \"planned_values\": {{}}}}"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("data.json"),
        format!("{{\"data\": \"{big}\"}}"),
    )
    .unwrap();
    let estates = moat_terraform::plan::load(dir.path(), &Default::default());
    assert_eq!(estates.len(), 1);
    assert_eq!(estates[0].errors.len(), 1);
    assert_eq!(estates[0].errors[0].file, "out.json");
    assert!(
        estates[0].errors[0].message.contains("larger than 10 MB"),
        "{:?}",
        estates[0].errors
    );
}
