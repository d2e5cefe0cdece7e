//! Regressions from QA round 3. A target registered in an Availability Zone where its load
//! balancer has no subnet receives no traffic; it was reported reachable through the NLB.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use moat_model::aws::network::Protocol;
use moat_net::{exposure, reach, Endpoint, PortSet, Query, Verdict};

mod common;

#[test]
fn target_in_a_zone_the_lb_does_not_serve_is_blocked_at_the_lb() {
    // The load balancer of NET012's fixture serves one zone; a target sits in the other.
    let dir = common::rule_fixture("network", "NET012", "fail");
    let v = moat_terraform::load(&dir, &moat_terraform::Options::default());
    let e = &v[0];
    // Some fixtures write the seeds' mutual inline security-group references, which Terraform
    // rejects as a cycle: moat reports it and still reads every resource.
    assert!(
        e.errors.iter().all(|x| x.is_reference_cycle()),
        "{:?}",
        e.errors
    );
    let net = e.aws.network.clone();
    let ask = |to: &str| {
        let q = Query::new(
            Endpoint::Internet,
            Endpoint::Resource(e.by_address(to).unwrap()),
            Protocol::Tcp,
            PortSet::single(80),
        );
        reach(&net, e, &q).unwrap()
    };
    let a = ask("aws_instance.a");
    assert_eq!(a.verdict, Verdict::Reachable, "{a:?}");
    let b = ask("aws_instance.b");
    assert_eq!(b.verdict, Verdict::Blocked, "{b:?}");
    let blk = b.blocked.unwrap();
    assert_eq!(blk.code, "ELB_INSTALLED_AZ_RESTRICTION");
    assert_eq!(blk.resource, "aws_lb.nlb");
    assert!(blk.reason.contains("us-east-1b"), "{}", blk.reason);
    let exposed: Vec<String> = exposure(&net, e).into_iter().map(|x| x.resource).collect();
    assert!(
        exposed.contains(&"aws_instance.a".to_string()),
        "{exposed:?}"
    );
    assert!(
        !exposed.contains(&"aws_instance.b".to_string()),
        "{exposed:?}"
    );
}

/// Regression (QA round 3): a NACL that drops replies to ephemeral ports 1024-2047 only. An
/// attacker picks a source port that gets replies, so `exposure` lists the instance; a
/// legitimate client's connection fails at random, so `reach` reports the ACL as blocking.
#[test]
fn partial_ephemeral_deny_is_exposed_but_not_reliably_reachable() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nacl_partial_reply");
    let v = moat_terraform::load(&dir, &moat_terraform::Options::default());
    let e = &v[0];
    // Some fixtures write the seeds' mutual inline security-group references, which Terraform
    // rejects as a cycle: moat reports it and still reads every resource.
    assert!(
        e.errors.iter().all(|x| x.is_reference_cycle()),
        "{:?}",
        e.errors
    );
    let net = e.aws.network.clone();
    let exposed: Vec<(String, String)> = exposure(&net, e)
        .into_iter()
        .map(|x| (x.resource, x.ports))
        .collect();
    assert!(
        exposed.contains(&("aws_instance.w1".to_string(), "443".to_string())),
        "{exposed:?}"
    );
    assert!(
        !exposed.iter().any(|(r, _)| r == "aws_instance.w2"),
        "{exposed:?}"
    );
    let q = Query::new(
        Endpoint::Internet,
        Endpoint::Resource(e.by_address("aws_instance.w1").unwrap()),
        Protocol::Tcp,
        PortSet::single(443),
    );
    let r = reach(&net, e, &q).unwrap();
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    assert_eq!(r.blocked.unwrap().code, "SUBNET_ACL_RESTRICTION");
}

/// An instance that names no security group gets its VPC's default group: as
/// `aws_default_security_group` shapes it when declared (here SSH from anywhere), unknown when
/// the configuration does not declare it. It used to get no group at all: blocked everywhere.
#[test]
fn instance_without_groups_gets_the_vpc_default_group() {
    let ask = |fixture: &str, to: &str, port: u16| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        let v = moat_terraform::load(&dir, &moat_terraform::Options::default());
        let e = &v[0];
        let q = Query::new(
            Endpoint::Internet,
            Endpoint::Resource(e.by_address(to).unwrap()),
            Protocol::Tcp,
            PortSet::single(port),
        );
        let r = reach(&e.aws.network, e, &q).unwrap();
        let exposed: Vec<String> = exposure(&e.aws.network, e)
            .into_iter()
            .map(|x| format!("{} {}", x.resource, x.ports))
            .collect();
        (r, exposed)
    };
    let (r, exposed) = ask("default_sg", "aws_instance.plain", 22);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert!(
        exposed.contains(&"aws_instance.plain 22".to_string()),
        "{exposed:?}"
    );
    let (r, _) = ask("default_sg", "aws_instance.plain", 443);
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    // An instance with its own group is not in the default group.
    let (r, exposed) = ask("default_sg", "aws_instance.web", 22);
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    assert!(
        exposed.contains(&"aws_instance.web 443".to_string()),
        "{exposed:?}"
    );
    // Not declared: the default group's rules are not known offline.
    let (r, _) = ask("default_sg_undeclared", "aws_instance.plain", 22);
    assert_eq!(r.verdict, Verdict::Unknown, "{r:?}");
    assert!(
        format!("{r:?}").contains("names no security group"),
        "{r:?}"
    );
}

/// A secondary interface attached to an instance (`aws_network_interface_attachment`), with
/// its own groups and an Elastic IP associated by `aws_eip_association.network_interface_id`:
/// the instance is reachable through it on what its groups admit, and only that.
#[test]
fn secondary_interface_with_an_elastic_ip_exposes_its_instance() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secondary_eni");
    let v = moat_terraform::load(&dir, &moat_terraform::Options::default());
    let e = &v[0];
    let app = e.by_address("aws_instance.app").unwrap();
    let enis: Vec<&str> = e
        .aws
        .network
        .enis_of(app)
        .map(|x| x.address.as_str())
        .collect();
    assert_eq!(enis, ["aws_instance.app", "aws_network_interface.mgmt"]);
    let ask = |port: u16| {
        let q = Query::new(
            Endpoint::Internet,
            Endpoint::Resource(app),
            Protocol::Tcp,
            PortSet::single(port),
        );
        reach(&e.aws.network, e, &q).unwrap()
    };
    let r = ask(22);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert!(
        format!("{r:?}").contains("aws_network_interface.mgmt"),
        "{r:?}"
    );
    assert_eq!(ask(8080).verdict, Verdict::Blocked);
    let exposed: Vec<String> = exposure(&e.aws.network, e)
        .into_iter()
        .map(|x| format!("{} {}", x.resource, x.ports))
        .collect();
    // The interface that carries the exposure is named.
    assert_eq!(exposed, ["aws_network_interface.mgmt 22"]);
}
