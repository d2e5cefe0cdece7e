//! Regressions from the independent QA report on the network analysis (items named in each
//! test). Scenarios: `fixtures/qa/network.tf` (seed 002's VPC: public and private subnets,
//! IGW, NAT) plus the scenario's own files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use moat_model::aws::network::Protocol;
use moat_model::Estate;
use moat_net::{exposure, reach, Endpoint, Exposure, PortSet, Query, ReachResult, Verdict};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qa");

/// The shared network plus the files of one scenario, loaded as one root module.
fn scenario(name: &str) -> Estate {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(FIXTURES).join("network.tf"),
        dir.path().join("network.tf"),
    )
    .unwrap();
    for f in std::fs::read_dir(Path::new(FIXTURES).join(name)).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    let mut v = moat_terraform::load(dir.path(), &moat_terraform::Options::default());
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn ask(e: &Estate, from: &str, to: &str, port: u16) -> ReachResult {
    let net = e.aws.network.clone();
    let ep = |s: &str| {
        if s == "internet" {
            Endpoint::Internet
        } else if let Ok(c) = s.parse() {
            Endpoint::Cidr(c)
        } else if let Ok(ip) = s.parse::<std::net::IpAddr>() {
            Endpoint::Cidr(ip.into())
        } else {
            Endpoint::Resource(e.by_address(s).unwrap_or_else(|| panic!("no {s}")))
        }
    };
    let q = Query::new(ep(from), ep(to), Protocol::Tcp, PortSet::single(port));
    reach(&net, e, &q).unwrap()
}

fn exposures(e: &Estate) -> Vec<Exposure> {
    exposure(&e.aws.network.clone(), e)
}

/// QA item 2: an NLB with a security group, instance targets (client IP preserved), and a
/// target group rule that references the NLB's group: AWS documents that the targets accept
/// the NLB's traffic. Reachable, and listed by `exposure`.
#[test]
fn nlb_security_group_referenced_by_target_admits_preserved_clients() {
    let e = scenario("s06e_nlb_sg");
    // Some fixtures write the seeds' mutual inline security-group references, which Terraform
    // rejects as a cycle: moat reports it and still reads every resource.
    assert!(
        e.errors.iter().all(|x| x.is_reference_cycle()),
        "{:?}",
        e.errors
    );
    let r = ask(&e, "internet", "aws_instance.app", 443);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert_eq!(r.paths.len(), 1);
    assert_eq!(r.paths[0].via.as_deref(), Some("aws_lb.nlb"));
    let hop = r.paths[0]
        .hops
        .iter()
        .find(|h| h.resource == "aws_security_group.app")
        .expect("the target's group admits the NLB's group");
    assert_eq!(hop.loc.as_ref().unwrap().to_string(), "nlb.tf:28");
    let x = exposures(&e);
    let app: Vec<_> = x
        .iter()
        .filter(|x| x.resource == "aws_instance.app")
        .collect();
    assert_eq!(app.len(), 1, "{x:?}");
    assert_eq!(
        (
            app[0].ports.as_str(),
            app[0].via.clone(),
            app[0].sources.clone()
        ),
        (
            "443",
            vec!["aws_lb.nlb".to_string()],
            vec!["0.0.0.0/0".to_string()]
        )
    );
}

/// QA item 3: a rule whose source is a variable without value is listed by `exposure` as
/// unknown on its port, not hidden.
#[test]
fn exposure_lists_ports_of_rules_with_unknown_sources() {
    let e = scenario("s12_unknown");
    let x = exposures(&e);
    let admin: Vec<_> = x
        .iter()
        .filter(|x| x.resource == "aws_instance.admin")
        .collect();
    assert_eq!(admin.len(), 2, "{x:?}");
    let firm = admin.iter().find(|x| x.unknown.is_empty()).unwrap();
    assert_eq!(
        (firm.ports.as_str(), firm.sources.clone()),
        ("8080", vec!["0.0.0.0/0".to_string()])
    );
    let maybe = admin.iter().find(|x| !x.unknown.is_empty()).unwrap();
    assert_eq!(maybe.ports, "22");
    assert_eq!(maybe.unknown.len(), 1);
    assert!(
        maybe.unknown[0].contains("main.tf:15"),
        "{:?}",
        maybe.unknown
    );
    assert!(
        maybe.unknown[0].contains("admin_cidr"),
        "{:?}",
        maybe.unknown
    );
}

/// QA item 12: an unknown rule matters only for the ports it could match: port 23 is blocked
/// (the unknown rule is for 22 only), 22 is unknown and names the variable.
#[test]
fn unknown_rule_only_matters_for_its_ports() {
    let e = scenario("s12_unknown");
    let r = ask(&e, "internet", "aws_instance.admin", 23);
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    assert!(r.unknowns.is_empty(), "{:?}", r.unknowns);
    let b = r.blocked.unwrap();
    assert_eq!(
        (b.resource.as_str(), b.code),
        ("aws_security_group.admin", "ENI_SG_RULES_MISMATCH")
    );
    let r = ask(&e, "internet", "aws_instance.admin", 22);
    assert_eq!(r.verdict, Verdict::Unknown);
    assert!(
        r.unknowns.iter().any(|u| u.contains("admin_cidr")),
        "{:?}",
        r.unknowns
    );
    assert_eq!(
        ask(&e, "internet", "aws_instance.admin", 8080).verdict,
        Verdict::Reachable
    );
}

/// QA item 4: a dual-stack ALB with 443 from IPv4 and IPv6 but 80 from `::/0` only: one
/// entry per distinct source set.
#[test]
fn exposure_has_one_entry_per_source_set() {
    let e = scenario("s11_ipv6");
    let x = exposures(&e);
    let lb: Vec<(String, Vec<String>)> = x
        .iter()
        .filter(|x| x.resource == "aws_lb.web")
        .map(|x| (x.ports.clone(), x.sources.clone()))
        .collect();
    assert_eq!(
        lb,
        vec![
            (
                "443".to_string(),
                vec!["0.0.0.0/0".to_string(), "::/0".to_string()]
            ),
            ("80".to_string(), vec!["::/0".to_string()]),
        ]
    );
    for x in &x {
        assert!(!x.sources.iter().any(|s| s == "..."), "{x:?}");
    }
}

/// QA item 5: an address of the documentation range (`2001:db8::/32`) is an internet client,
/// not the VPC's (stand-in) IPv6 block; an address inside the stand-in range is unknown.
#[test]
fn ipv6_documentation_range_is_an_internet_source() {
    let e = scenario("s11_ipv6");
    let r = ask(&e, "2001:db8::/32", "aws_lb.web", 80);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert!(r.paths[0]
        .hops
        .iter()
        .any(|h| h.detail.contains("route ::/0 -> aws_internet_gateway.igw")));
    let r = ask(&e, "100:db8::1", "aws_lb.web", 80);
    assert_eq!(r.verdict, Verdict::Unknown, "{r:?}");
    assert!(
        r.unknowns.iter().any(|u| u.contains("100:db8::/32")),
        "{:?}",
        r.unknowns
    );
}

/// QA items 9 and 11: the blocking resource is the security group whose egress lacks the
/// port (at its declaration), and the reason names the destination by resource and CIDR, not
/// by a bare network address.
#[test]
fn blocked_names_the_security_group_not_the_load_balancer() {
    let e = scenario("s04_alb_egress");
    let r = ask(&e, "internet", "aws_instance.app", 443);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(
        (b.resource.as_str(), b.kind, b.code),
        (
            "aws_security_group.alb",
            "security-group",
            "ENI_SG_RULES_MISMATCH"
        )
    );
    assert_eq!(b.loc.unwrap().to_string(), "alb_web.tf:1");
    assert!(b.reason.contains("egress"), "{}", b.reason);
    assert!(
        b.reason.contains("`aws_instance.app` (10.0.11.0/24)"),
        "{}",
        b.reason
    );
}

/// QA item 6: the ALB subnets' NACL admits clients on 443 but drops the replies to their
/// ephemeral ports: NET004 on the NACL (reach already said blocked there).
#[test]
fn nacl_dropping_replies_to_internet_clients_is_diagnosed() {
    let e = scenario("s05d_nacl_pub_out");
    let r = ask(&e, "internet", "aws_lb.web", 443);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(
        r.blocked.as_ref().unwrap().resource,
        "aws_network_acl.public"
    );
    let net = e.aws.network.clone();
    let d: Vec<_> = moat_net::diagnose::diagnose(&net)
        .into_iter()
        .filter(|d| d.kind == moat_net::diagnose::DiagnosisKind::NaclDropsLbPath)
        .collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        e.get(d[0].resource).unwrap().address,
        "aws_network_acl.public"
    );
    assert_eq!(d[0].loc.to_string(), "nacl.tf:1");
    assert!(
        d[0].message.contains("listener tcp/443"),
        "{}",
        d[0].message
    );
    assert!(d[0].message.contains("1024-65535"), "{}", d[0].message);
    assert!(!d[0].unknown);
}

/// QA item 17: an NLB's IP target that is the private address of an instance of the estate
/// is drawn as that instance, not as a separate address node.
#[test]
fn diagram_draws_an_ip_target_as_its_instance() {
    let e = scenario("s07_zt_db");
    let net = e.aws.network.clone();
    let d = moat_net::diagram::build(&net, &e, &[]);
    assert!(!d.nodes.contains_key("10.0.12.20"), "{:?}", d.nodes.keys());
    let fwd: Vec<(&str, &str, &str)> = d
        .edges
        .iter()
        .filter(|x| x.kind == moat_net::diagram::EdgeKind::Forward)
        .map(|x| (x.from.as_str(), x.to.as_str(), x.label.as_str()))
        .collect();
    assert!(
        fwd.contains(&("aws_lb.db", "aws_instance.db", "tg 3306")),
        "{fwd:?}"
    );
}

fn lines_of(name: &str, file: &str, needle: &str) -> u32 {
    let text = std::fs::read_to_string(Path::new(FIXTURES).join(name).join(file)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1
}

/// Seed 002 variant: one listener, two target ports (8000 by default, 8001 through a listener
/// rule); the app admits only 8000 from the ALB. `reach` finds the 8000 path (only); the
/// target check and NET001 name the app's group for 8001.
#[test]
fn seed002_multiport_listener_rule_port_not_admitted() {
    let name = "seed002_multiport";
    let e = scenario(name);
    // Some fixtures write the seeds' mutual inline security-group references, which Terraform
    // rejects as a cycle: moat reports it and still reads every resource.
    assert!(
        e.errors.iter().all(|x| x.is_reference_cycle()),
        "{:?}",
        e.errors
    );
    let r = ask(&e, "internet", "aws_instance.app", 443);
    assert_eq!(r.verdict, Verdict::Reachable);
    assert_eq!(r.paths.len(), 1);
    assert!(r.paths[0]
        .hops
        .iter()
        .any(|h| h.resource == "aws_lb_target_group.web" && h.detail.ends_with("port 8000")));
    let net = e.aws.network.clone();
    let checks = moat_net::check_lb_targets(&moat_net::Net::new(&net, &e));
    let by_tg: Vec<(&str, Verdict)> = checks
        .iter()
        .map(|c| (c.target_group.as_str(), c.traffic.verdict))
        .collect();
    assert_eq!(
        by_tg,
        vec![
            ("aws_lb_target_group.api", Verdict::Blocked),
            ("aws_lb_target_group.web", Verdict::Reachable)
        ]
    );
    let b = checks[0].traffic.block.as_ref().unwrap();
    assert_eq!(
        (b.resource.as_str(), b.code),
        ("aws_security_group.app", "ENI_SG_RULES_MISMATCH")
    );
    let d: Vec<_> = moat_net::diagnose::diagnose(&net)
        .into_iter()
        .filter(|d| d.kind == moat_net::diagnose::DiagnosisKind::TargetPortNotAdmitted)
        .collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        e.get(d[0].resource).unwrap().address,
        "aws_security_group.app"
    );
    assert_eq!(
        d[0].loc.line,
        lines_of(name, "alb.tf", "resource \"aws_security_group\" \"app\"")
    );
    assert!(d[0].message.contains("tcp/8001"), "{}", d[0].message);
}

/// Seed 002 variant: blue/green, one listener forwarding to two weighted target groups; the
/// green group lacks the ALB rule. Blue reachable, green blocked at its group, NET001 there.
#[test]
fn seed002_blue_green_one_color_not_admitted() {
    let name = "seed002_bluegreen";
    let e = scenario(name);
    // Some fixtures write the seeds' mutual inline security-group references, which Terraform
    // rejects as a cycle: moat reports it and still reads every resource.
    assert!(
        e.errors.iter().all(|x| x.is_reference_cycle()),
        "{:?}",
        e.errors
    );
    assert_eq!(
        ask(&e, "internet", "aws_instance.blue", 443).verdict,
        Verdict::Reachable
    );
    let r = ask(&e, "internet", "aws_instance.green", 443);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    let green = lines_of(name, "alb.tf", "resource \"aws_security_group\" \"green\"");
    assert_eq!(
        (b.resource.as_str(), b.code, b.loc.unwrap().line),
        ("aws_security_group.green", "ENI_SG_RULES_MISMATCH", green)
    );
    assert!(
        b.reason.contains("tcp 8000 from `aws_lb.web`"),
        "{}",
        b.reason
    );
    let net = e.aws.network.clone();
    let d: Vec<(String, u32)> = moat_net::diagnose::diagnose(&net)
        .into_iter()
        .filter(|d| d.kind == moat_net::diagnose::DiagnosisKind::TargetPortNotAdmitted)
        .map(|d| (e.get(d.resource).unwrap().address.clone(), d.loc.line))
        .collect();
    assert_eq!(d, vec![("aws_security_group.green".to_string(), green)]);
}

/// Seed 002 variant: an internal ALB for the corporate network (192.168.0.0/16 through a
/// transit gateway). The internet cannot reach it (its subnets route the internet to a NAT
/// gateway); the corporate range gets a path, `unknown` only because the transit gateway's
/// own routes are not in the scanned files; a private range without a route to the transit
/// gateway is blocked (its replies would go to the NAT gateway).
#[test]
fn seed002_internal_alb_for_the_corporate_network() {
    let e = scenario("seed002_internal_corp");
    // Some fixtures write the seeds' mutual inline security-group references, which Terraform
    // rejects as a cycle: moat reports it and still reads every resource.
    assert!(
        e.errors.iter().all(|x| x.is_reference_cycle()),
        "{:?}",
        e.errors
    );
    let r = ask(&e, "internet", "aws_lb.internal", 443);
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    assert_eq!(r.blocked.unwrap().code, "NO_ROUTE_TO_DESTINATION");
    let r = ask(&e, "192.168.10.0/24", "aws_instance.app", 443);
    assert_eq!(r.verdict, Verdict::Unknown, "{r:?}");
    assert!(r.blocked.is_none());
    assert_eq!(r.paths.len(), 1);
    assert_eq!(r.paths[0].via.as_deref(), Some("aws_lb.internal"));
    assert!(r.paths[0].hops[0]
        .detail
        .contains("192.168.0.0/16 -> aws_ec2_transit_gateway.corp"));
    assert!(
        r.unknowns
            .iter()
            .all(|u| u.contains("aws_ec2_transit_gateway.corp")),
        "{:?}",
        r.unknowns
    );
    // Another private range: its replies would leave through the NAT gateway.
    let r = ask(&e, "172.20.0.0/16", "aws_lb.internal", 443);
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    assert_eq!(r.blocked.unwrap().code, "NO_ROUTE_TO_DESTINATION");
    // Nothing of it is on the internet.
    assert!(exposures(&e).is_empty());
}

/// QA item 9, outbound: an instance whose group has no egress to the internet is stopped at
/// that group (at its declaration), not at the instance.
#[test]
fn outbound_block_names_the_security_group() {
    let e = scenario("s07_zt_db");
    let r = ask(&e, "aws_instance.db", "internet", 443);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(
        (b.resource.as_str(), b.code, b.loc.unwrap().to_string()),
        (
            "aws_security_group.db",
            "ENI_SG_RULES_MISMATCH",
            "db.tf:11".to_string()
        )
    );
    assert!(b.reason.contains("on `aws_instance.db`"), "{}", b.reason);
}

/// Unknown must not be silently safe in `exposure` either: an internet-facing ALB whose
/// subnets are not in the scanned files is listed as unknown on its listener ports.
#[test]
fn exposure_lists_an_unplaced_internet_facing_lb_as_unknown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"
resource "aws_security_group" "lb" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_lb" "public" {
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.lb.id]
  subnets            = ["subnet-0aaa1111bbbb2222c"]
}
resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.public.arn
  port              = 443
  protocol          = "HTTPS"
}
"#,
    )
    .unwrap();
    let e = moat_terraform::load(dir.path(), &moat_terraform::Options::default()).remove(0);
    let x = exposures(&e);
    assert_eq!(x.len(), 1, "{x:?}");
    assert_eq!(
        (x[0].resource.as_str(), x[0].ports.as_str()),
        ("aws_lb.public", "443")
    );
    assert_eq!(
        x[0].unknown,
        vec!["the subnet of `aws_lb.public` is not known".to_string()]
    );
}
