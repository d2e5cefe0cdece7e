//! Subnets named private but routed to an internet gateway (NET009).

use moat_model::aws::network::{Network, Ref};

use super::*;

// ---------------------------------------------------------------------------------------
// NET009

fn looks_private(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "private" || w == "priv")
}

/// Subnets whose name or tags say "private" but whose route table sends 0.0.0.0/0 (or ::/0)
/// to an internet gateway (NET009).
pub fn private_subnets_routed_to_igw(net: &Network) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    for s in &net.subnets {
        let name_hit = looks_private(&s.name) || looks_private(&s.address);
        if !name_hit {
            continue;
        }
        let Some((rt, route)) = igw_default_route(net, s.id) else {
            continue;
        };
        let assoc = rt
            .subnets
            .iter()
            .find(|(r, _)| *r == Ref::Res(s.id))
            .map(|(_, l)| l.clone());
        let (loc, how) = match &assoc {
            Some(l) => (
                l.clone(),
                format!("is associated ({l}) with `{}`", rt.address),
            ),
            None => (
                route.loc.clone(),
                format!("uses the VPC's main route table `{}`", rt.address),
            ),
        };
        let dest = route.dest.map(|d| d.to_string()).unwrap_or_default();
        out.push(Diagnosis {
            kind: DiagnosisKind::PrivateSubnetToIgw,
            resource: s.id,
            loc,
            message: format!(
                "subnet `{}` (\"{}\") is named private but {how}, which routes {dest} to an internet gateway ({}): it is a public subnet; associate it with a route table that sends 0.0.0.0/0 to a NAT gateway",
                s.address, s.name, route.loc
            ),
            unknown: false,
        });
    }
    out.sort();
    out
}
