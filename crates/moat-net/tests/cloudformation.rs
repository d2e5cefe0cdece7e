//! Reachability parity between the frontends: the standard network fixture written in Terraform
//! (`fixtures/network/standard/terraform`) and in CloudFormation
//! (`fixtures/network/standard/cloudformation`) gives the same verdicts, paths and exposures,
//! resource names aside (Terraform addresses, CloudFormation logical IDs).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use moat_model::aws::network::Protocol;
use moat_model::Estate;
use moat_net::{exposure, reach, Endpoint, PortSet, Query, ReachResult, Verdict};

fn fixture(frontend: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/network/standard")
        .join(frontend)
}

fn terraform() -> Estate {
    let mut v = moat_terraform::load(&fixture("terraform"), &moat_terraform::Options::default());
    assert_eq!(v.len(), 1);
    let e = v.remove(0);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    e
}

fn cloudformation() -> Estate {
    let mut v = moat_cloudformation::load(
        &fixture("cloudformation"),
        &moat_cloudformation::Options::default(),
    );
    assert_eq!(v.len(), 1);
    let e = v.remove(0);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    e
}

/// Terraform address -> CloudFormation logical ID, for every resource a query or an answer
/// names.
const NAMES: &[(&str, &str)] = &[
    ("aws_lb.web", "Web"),
    ("aws_instance.app", "AppServer"),
    ("aws_db_instance.main", "Database"),
    ("aws_security_group.alb", "AlbSg"),
    ("aws_security_group.app", "AppSg"),
    ("aws_security_group.db", "DbSg"),
    ("aws_subnet.app", "App"),
    ("aws_subnet.public_a", "PublicA"),
    ("aws_subnet.public_b", "PublicB"),
    ("aws_subnet.db_a", "DbA"),
    ("aws_subnet.db_b", "DbB"),
    ("aws_internet_gateway.igw", "Igw"),
    ("aws_nat_gateway.nat", "Nat"),
    ("aws_route_table.public", "PublicRoutes"),
    ("aws_route_table.private", "PrivateRoutes"),
    ("aws_lb_listener.https", "Https"),
    ("aws_lb_target_group.app", "AppTargets"),
    ("aws_vpc.main", "Main"),
];

fn cfn_name(tf: &str) -> &str {
    NAMES.iter().find(|(t, _)| *t == tf).map_or(tf, |(_, c)| c)
}

fn ep(e: &Estate, s: &str) -> Endpoint {
    if s == "internet" {
        Endpoint::Internet
    } else if let Ok(c) = s.parse() {
        Endpoint::Cidr(c)
    } else {
        Endpoint::Resource(e.by_address(s).unwrap_or_else(|| panic!("no {s}")))
    }
}

fn ask(e: &Estate, from: &str, to: &str, port: u16) -> ReachResult {
    reach(
        &e.aws.network,
        e,
        &Query::new(ep(e, from), ep(e, to), Protocol::Tcp, PortSet::single(port)),
    )
    .unwrap()
}

/// (from, to, port, verdict): the Terraform names; the same query is asked of both.
const QUERIES: &[(&str, &str, u16, Verdict)] = &[
    ("internet", "aws_lb.web", 443, Verdict::Reachable),
    ("internet", "aws_lb.web", 80, Verdict::Blocked),
    ("internet", "aws_instance.app", 443, Verdict::Reachable),
    ("internet", "aws_instance.app", 22, Verdict::Blocked),
    ("internet", "aws_db_instance.main", 3306, Verdict::Blocked),
    ("aws_lb.web", "aws_instance.app", 8000, Verdict::Reachable),
    ("aws_lb.web", "aws_db_instance.main", 3306, Verdict::Blocked),
    (
        "aws_instance.app",
        "aws_db_instance.main",
        3306,
        Verdict::Reachable,
    ),
    (
        "aws_instance.app",
        "aws_db_instance.main",
        5432,
        Verdict::Blocked,
    ),
    ("aws_instance.app", "internet", 443, Verdict::Reachable),
    ("aws_db_instance.main", "internet", 443, Verdict::Blocked),
    (
        "aws_db_instance.main",
        "aws_instance.app",
        8000,
        Verdict::Blocked,
    ),
    ("10.0.1.0/24", "aws_instance.app", 8000, Verdict::Blocked),
];

#[test]
fn the_standard_network_gives_the_same_verdicts_from_both_frontends() {
    let tf = terraform();
    let cfn = cloudformation();
    let mut got = Vec::new();
    for (from, to, port, _) in QUERIES {
        let a = ask(&tf, from, to, *port);
        let b = ask(&cfn, cfn_name(from), cfn_name(to), *port);
        // The same paths, hop kinds and resources (renamed), in the same order.
        let shape = |r: &ReachResult, rename: &dyn Fn(&str) -> String| {
            r.paths
                .iter()
                .map(|p| {
                    p.hops
                        .iter()
                        .map(|h| (h.kind, rename(&h.resource)))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        let tf_shape = shape(&a, &|s| cfn_name(s).to_string());
        let cfn_shape = shape(&b, &|s| s.to_string());
        assert_eq!(
            tf_shape, cfn_shape,
            "{from} -> {to}:{port}: paths differ\nterraform: {a:#?}\ncloudformation: {b:#?}"
        );
        assert_eq!(
            a.blocked
                .as_ref()
                .map(|x| (x.kind, x.code, cfn_name(&x.resource).to_string())),
            b.blocked
                .as_ref()
                .map(|x| (x.kind, x.code, x.resource.clone())),
            "{from} -> {to}:{port}: blocked at different components"
        );
        got.push((*from, *to, *port, a.verdict, b.verdict));
    }
    let want: Vec<_> = QUERIES
        .iter()
        .map(|(f, t, p, v)| (*f, *t, *p, *v, *v))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn the_standard_network_exposes_the_same_ports_from_both_frontends() {
    let tf = terraform();
    let cfn = cloudformation();
    let show = |e: &Estate, rename: &dyn Fn(&str) -> String| {
        let mut v: Vec<String> = exposure(&e.aws.network, e)
            .iter()
            .map(|x| {
                let via: Vec<String> = x.via.iter().map(|s| rename(s)).collect();
                format!(
                    "{} {} {} via {:?} from {:?} unknown {}",
                    rename(&x.resource),
                    x.protocol,
                    x.ports,
                    via,
                    x.sources,
                    x.unknown.len()
                )
            })
            .collect();
        v.sort();
        v
    };
    let a = show(&tf, &|s| cfn_name(s).to_string());
    let b = show(&cfn, &|s| s.to_string());
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

fn load_variant(code: &str, variant: &str) -> (Estate, Estate) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/network");
    let mut tf = moat_terraform::load(
        &dir.join(code).join("terraform").join(variant),
        &moat_terraform::Options::default(),
    );
    let mut cfn = moat_cloudformation::load(
        &dir.join(code)
            .join("cloudformation")
            .join(format!("{variant}.yaml")),
        &moat_cloudformation::Options::default(),
    );
    assert_eq!((tf.len(), cfn.len()), (1, 1), "{code}/{variant}");
    let (tf, cfn) = (tf.remove(0), cfn.remove(0));
    assert!(
        tf.errors.iter().all(|x| x.is_reference_cycle()),
        "{:?}",
        tf.errors
    );
    assert!(cfn.errors.is_empty(), "{:?}", cfn.errors);
    (tf, cfn)
}

/// The NET rule fixtures written in both languages answer the same questions alike:
/// `(CODE, variant, (from, to) in Terraform, (from, to) in CloudFormation, port, verdict)`.
#[test]
fn net_fixtures_give_the_same_verdicts_from_both_frontends() {
    type Case = (
        &'static str,
        &'static str,
        (&'static str, &'static str),
        (&'static str, &'static str),
        u16,
        Verdict,
    );
    let cases: &[Case] = &[
        (
            "NET006",
            "fail",
            ("internet", "aws_instance.app"),
            ("internet", "AppServer"),
            8000,
            Verdict::Reachable,
        ),
        (
            "NET010",
            "fail",
            ("internet", "aws_db_instance.main"),
            ("internet", "Database"),
            3306,
            Verdict::Reachable,
        ),
        (
            "NET010",
            "via_nlb_fail",
            ("internet", "aws_lb.db_gateway"),
            ("internet", "DbGateway"),
            3306,
            Verdict::Reachable,
        ),
        (
            // The database is an IP target: not reached as a resource directly.
            "NET010",
            "via_nlb_fail",
            ("internet", "aws_db_instance.main"),
            ("internet", "Database"),
            3306,
            Verdict::Blocked,
        ),
        (
            "NET007",
            "fail",
            ("aws_instance.app", "aws_instance.proxy"),
            ("AppServer", "Proxy"),
            3306,
            Verdict::Blocked,
        ),
        (
            "NET007",
            "pass",
            ("aws_instance.app", "aws_instance.proxy"),
            ("AppServer", "Proxy"),
            3306,
            Verdict::Reachable,
        ),
        (
            "NET003",
            "fail",
            ("aws_lb.web", "aws_instance.app"),
            ("Web", "AppServer"),
            8000,
            Verdict::Blocked,
        ),
        (
            "NET004",
            "fail",
            ("aws_lb.web", "aws_instance.app"),
            ("Web", "AppServer"),
            8000,
            Verdict::Blocked,
        ),
        (
            "NET004",
            "pass",
            ("aws_lb.web", "aws_instance.app"),
            ("Web", "AppServer"),
            8000,
            Verdict::Reachable,
        ),
    ];
    let mut got = Vec::new();
    let mut want = Vec::new();
    for (code, variant, (tf_from, tf_to), (cfn_from, cfn_to), port, verdict) in cases {
        let (tf, cfn) = load_variant(code, variant);
        let a = ask(&tf, tf_from, tf_to, *port).verdict;
        let b = ask(&cfn, cfn_from, cfn_to, *port).verdict;
        got.push((*code, *variant, a, b));
        want.push((*code, *variant, *verdict, *verdict));
    }
    assert_eq!(got, want);
}
