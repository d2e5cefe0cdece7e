//! NET100: a network invariant declared in `moat.toml` is violated.

use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks the reachability invariants that a team declares in `moat.toml`, on every scan:

```toml
[[network.invariant]]
name = "only the gateway reaches the database"
to = "aws_db_instance.main"
ports = "3306"
only_from = ["aws_lb.db_gateway"]

[[network.invariant]]
from = "internet"
to = "aws_instance.app"
ports = "8000"
expect = "blocked"          # or "reachable"
```

`from`, `to` and the `only_from` entries are `internet`, a CIDR, or a resource address (an
instance, load balancer, database, subnet; a security group means any member). `protocol` is
`tcp` (default), `udp`, `icmp` or `all`; `ports` is `"22"`, `"8000-8010"`, `"80,443"` or a list.
With `only_from`, every source in the estate (and the internet) is tried; a path through a load
balancer counts as coming from that load balancer. The finding names the offending path and
points at the rule that admitted it (or, for `expect = "reachable"`, at the blocking component).

## Why is this bad?
An invariant is the architecture's intent written down: a least-privilege chain ("only the
gateway may reach the database") or "the application instances are never reached from the
internet". A change that breaks it is a regression even when every individual rule looks
reasonable.

## Example
A new rule `3306 from aws_security_group.app` on the database group lets the application bypass
the gateway, while `only_from = ["aws_lb.db_gateway"]`.

## Use instead
Remove the rule that opens the extra path, or change the invariant if the intent changed.

## References
- AWS: [How Reachability Analyzer works](https://docs.aws.amazon.com/vpc/latest/reachability/how-reachability-analyzer-works.html) (the same source-to-destination path analysis, on deployed resources)
- AWS: [Security group rules](https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "invariant_violated",
    family: super::FAMILY,
    title: "Network invariant from moat.toml is violated",
    severity: Severity::High,
    checkov: &[],
    doc: DOC,
    check,
};

/// The invariants come from `moat.toml` with the estate (`moat_rules::check_with`); the
/// reachability engine decides each one (`moat_net::invariant::check`), and every violation is
/// a finding on the invariant's `to`, at the rule that admits the offending path.
fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for v in ctx.invariant_violations() {
        let Some(r) = ctx.resource(v.resource) else {
            continue;
        };
        if v.unknown {
            out.unknown(r, &v.loc, v.message);
        } else {
            out.fail(r, &v.loc, v.message);
        }
    }
}
