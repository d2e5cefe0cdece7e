//! Security groups (least-privilege rules, see the Amazon VPC user guide's "Security group
//! rules", and the common misconfigurations behind load balancers), read through the
//! normalised network view: inline rules, `aws_security_group_rule` and
//! `aws_vpc_security_group_ingress_rule`/`_egress_rule` alike.

pub(crate) mod all_ports_open_to_internet;
pub(crate) mod db_port_open_to_internet;
pub(crate) mod default_group_has_rules;
pub(crate) mod rdp_open_to_internet;
pub(crate) mod rule_missing_description;
pub(crate) mod ssh_open_to_internet;

use moat_model::aws::network::{Direction, Protocol, SgRule};

use crate::registry::{Ctx, Out};

pub(crate) const FAMILY: &str = "sg";

/// What an ingress rule admits from the whole internet for `port` (TCP).
pub(crate) enum Open {
    Yes,
    No,
    Unknown(String),
}

pub(crate) fn world_ingress(rule: &SgRule, port: u16) -> Open {
    if rule.direction != Direction::Ingress {
        return Open::No;
    }
    let covers = rule.covers_port(Protocol::Tcp, port);
    if covers == Some(false) {
        return Open::No;
    }
    let world = rule.open_to_world();
    // Every peer is known and none is the whole internet: closed to the internet, whatever
    // the (possibly unknown) ports.
    if !world && !rule.addresses_unknown {
        return Open::No;
    }
    if world && covers == Some(true) {
        return Open::Yes;
    }
    // Open to the world on unknown ports, or peers that are not known on ports that may match.
    let mut why: Vec<String> = rule.unknown.iter().map(|u| u.to_string()).collect();
    why.extend(rule.prefix_list_unknown.iter().cloned());
    why.dedup();
    if why.is_empty() {
        why.push("part of the rule is not known".to_string());
    }
    Open::Unknown(why.join("; "))
}

pub(crate) fn sources(rule: &SgRule) -> String {
    let mut v: Vec<String> = rule
        .ipv4
        .iter()
        .filter(|n| n.prefix_len() == 0)
        .map(|n| n.to_string())
        .collect();
    v.extend(
        rule.ipv6
            .iter()
            .filter(|n| n.prefix_len() == 0)
            .map(|n| n.to_string()),
    );
    v.join(", ")
}

pub(crate) fn ports(rule: &SgRule) -> String {
    match (rule.protocol, rule.ports) {
        (Some(Protocol::All), _) => "all traffic".to_string(),
        (Some(p), Some(r)) => format!("{} {}", p.name(), r),
        (Some(p), None) => p.name(),
        (None, _) => "unknown protocol".to_string(),
    }
}

/// Report every ingress rule that opens TCP `port` to the internet.
pub(crate) fn check_world_port(ctx: &Ctx<'_>, out: &mut Out, port: u16, service: &str) {
    for sg in &ctx.net().security_groups {
        for rule in sg.ingress() {
            let Some(r) = ctx.resource(rule.declared_by) else {
                continue;
            };
            match world_ingress(rule, port) {
                Open::Yes => out.fail(
                    r,
                    &rule.loc,
                    format!(
                        "ingress `{}` from `{}` to `{}` admits {service} (port {port}) from the whole internet",
                        ports(rule),
                        sources(rule),
                        sg.address
                    ),
                ),
                Open::Unknown(u) => out.unknown(
                    r,
                    &rule.loc,
                    format!("ingress rule of `{}` may admit port {port} from the internet: {u}", sg.address),
                ),
                Open::No => {}
            }
        }
    }
}
