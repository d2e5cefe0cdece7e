//! The architecture as a graph (`moat_net::diagram::Diagram`): VPCs, subnets, gateways, load
//! balancers, workloads and databases, the security-group edges that allow traffic, and the
//! failing findings marked on the nodes they concern. Rendering (Mermaid, DOT) is the
//! caller's.

use moat_model::{Finding, Status};
use moat_net::diagram::{build, Diagram};
use moat_net::invariant::Invariant;

use crate::{root_label, Error, Workspace};

/// What to draw besides the architecture.
#[derive(Clone, Debug, Default)]
pub struct DiagramOptions {
    /// Mark the failing findings of every rule on the nodes.
    pub findings: bool,
    /// The network invariants (from `moat.toml`) that NET100 checks for those findings.
    pub invariants: Vec<Invariant>,
}

impl Workspace {
    /// Draw every estate; with several root modules, each node carries its root module's
    /// directory so that equal addresses stay apart.
    pub fn diagram(&self, opts: &DiagramOptions) -> Result<Diagram, Error> {
        self.require_something()?;
        let declared = moat_rules::Declared {
            invariants: &opts.invariants,
        };
        let several = self.estates().nth(1).is_some();
        let mut d = Diagram::default();
        for estate in self.estates() {
            let findings: Vec<Finding> = if opts.findings {
                let mut all = moat_rules::check_with(estate, &declared);
                all.retain(|f| f.status == Status::Fail);
                all
            } else {
                Vec::new()
            };
            let one = build(&estate.aws.network, estate, &findings);
            if several {
                d.merge(one.prefixed(&root_label(estate)));
            } else {
                d.merge(one);
            }
        }
        Ok(d)
    }
}
