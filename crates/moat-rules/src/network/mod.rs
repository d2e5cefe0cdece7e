//! Network diagnosis (issue 3): the common load-balancer, subnet-routing, NACL and database
//! exposure misconfigurations (see the AWS Elastic Load Balancing and Amazon VPC user guides) as
//! findings on the component that breaks the path. The analysis lives in `moat_net::diagnose`,
//! which names each diagnosis by its `DiagnosisKind`; each rule here selects its kind and turns the
//! diagnoses into findings under its code (`codes.rs`), so rule codes live in this crate only.

pub(crate) mod database_in_public_subnet;
pub(crate) mod database_reachable_from_internet;
pub(crate) mod health_check_not_admitted;
pub(crate) mod invariant_violated;
pub(crate) mod ip_target_outside_vpc;
pub(crate) mod lb_egress_missing;
pub(crate) mod nacl_drops_lb_path;
pub(crate) mod nlb_clients_not_admitted;
pub(crate) mod private_subnet_routes_to_igw;
pub(crate) mod target_az_not_served;
pub(crate) mod target_bypasses_lb;
pub(crate) mod target_open_behind_lb;
pub(crate) mod target_port_not_admitted;

#[cfg(test)]
mod tests;

use moat_net::diagnose::{Diagnosis, DiagnosisKind};

use crate::registry::{Ctx, Out};

pub(crate) const FAMILY: &str = "net";

/// Emit the diagnoses of one kind as findings of the running rule. Each rule names the kind it
/// reports; its code is where the rule is registered (`codes.rs`): `moat-net` knows no code.
pub(crate) fn emit(ctx: &Ctx<'_>, out: &mut Out, kind: DiagnosisKind, diagnoses: &[Diagnosis]) {
    for d in diagnoses.iter().filter(|d| d.kind == kind) {
        let Some(r) = ctx.resource(d.resource) else {
            continue;
        };
        if d.unknown {
            out.unknown(r, &d.loc, d.message.clone());
        } else {
            out.fail(r, &d.loc, d.message.clone());
        }
    }
}
