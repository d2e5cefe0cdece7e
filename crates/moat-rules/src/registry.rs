//! What a rule is, the context rules share, and the finding builder they use.

use std::sync::OnceLock;

use moat_model::aws::network::Network;
use moat_model::{Estate, Finding, Loc, Resource, Severity, Unknown};

use moat_model::aws::AttrValue;

use crate::RuleInfo;

/// A rule: metadata, documentation and check. Its code lives in `codes.rs`.
pub(crate) struct RuleDef {
    /// Short snake-case name (the file name).
    pub name: &'static str,
    pub family: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub checkov: &'static [&'static str],
    pub doc: &'static str,
    pub check: fn(&Ctx<'_>, &mut Out),
}

impl RuleDef {
    pub fn info(&'static self, code: &'static str) -> RuleInfo {
        RuleInfo {
            id: code,
            title: self.title,
            severity: self.severity,
            family: self.family,
            checkov: self.checkov,
            doc: self.doc,
        }
    }

    pub fn run(&'static self, code: &'static str, ctx: &Ctx<'_>) -> Vec<Finding> {
        let mut out = Out {
            code,
            def: self,
            findings: Vec::new(),
            claim: None,
            coverage: ctx.aws().terms.checkov_coverage,
        };
        (self.check)(ctx, &mut out);
        out.findings
    }
}

/// Collects the findings of one rule.
pub(crate) struct Out {
    code: &'static str,
    def: &'static RuleDef,
    findings: Vec<Finding>,
    /// Checkov IDs claimed by the findings emitted inside [`Out::claiming`], instead of the
    /// rule's full list.
    claim: Option<Vec<&'static str>>,
    /// Which types Checkov checks per ID in the frontend's framework
    /// ([`moat_model::aws::Terms::checkov_coverage`]); `None`: every claim holds.
    coverage: Option<&'static [(&'static str, &'static [&'static str])]>,
}

impl Out {
    fn make(&self, r: &Resource, loc: &Loc, msg: String) -> Finding {
        let ids = self.claim.as_deref().unwrap_or(self.def.checkov);
        debug_assert!(
            ids.iter().all(|i| self.def.checkov.contains(i)),
            "{}: a finding claims a Checkov ID the rule does not list",
            self.code
        );
        let f = Finding::new(self.code, self.def.title, self.def.severity, r, loc, msg);
        let ids: Vec<&str> = match self.coverage {
            None => ids.to_vec(),
            Some(table) => ids
                .iter()
                .copied()
                .filter(|id| {
                    table
                        .iter()
                        .any(|(c, types)| c == id && types.contains(&f.resource_type.as_str()))
                })
                .collect(),
        };
        f.with_checkov(&ids)
    }

    /// Run `f` with findings claiming only `ids` as Checkov equivalents (a subset of the
    /// rule's list): the equivalence of a finding can depend on the resource type, the
    /// failing flag, or where a policy came from.
    pub fn claiming(&mut self, ids: &[&'static str], f: impl FnOnce(&mut Out)) {
        let saved = self.claim.replace(ids.to_vec());
        f(self);
        self.claim = saved;
    }

    /// A proven failure.
    pub fn fail(&mut self, r: &Resource, loc: &Loc, msg: impl Into<String>) {
        let f = self.make(r, loc, msg.into());
        self.findings.push(f);
    }

    /// A check that cannot be decided: `msg` names what is unknown.
    pub fn unknown(&mut self, r: &Resource, loc: &Loc, msg: impl Into<String>) {
        let f = self.make(r, loc, msg.into()).unknown();
        self.findings.push(f);
    }
}

/// What every rule may read: the estate and views built once per `check` call.
pub struct Ctx<'e> {
    pub estate: &'e Estate,
    /// What the user declared in `moat.toml` (the network invariants).
    declared: crate::Declared<'e>,
    /// The load-balancer path diagnoses, shared by the NET rules that report them.
    lb_paths: OnceLock<Vec<moat_net::diagnose::Diagnosis>>,
    /// The IAM view of the estate (principals, resources, their policies), built once for the
    /// IAM rules that evaluate policies.
    iam: OnceLock<moat_iam::estate::IamEstate>,
    /// What the internet reaches (`moat_net::exposure`), for the rules that follow it.
    exposure: OnceLock<Vec<moat_net::Exposure>>,
}

impl<'e> Ctx<'e> {
    pub fn new(estate: &'e Estate) -> Self {
        Self::with_declared(estate, crate::Declared::default())
    }

    /// A context that also holds what the user declared (checked by NET100).
    pub fn with_declared(estate: &'e Estate, declared: crate::Declared<'e>) -> Self {
        Ctx {
            estate,
            declared,
            lb_paths: OnceLock::new(),
            iam: OnceLock::new(),
            exposure: OnceLock::new(),
        }
    }

    /// The IAM view of the estate (`moat_iam::from_model`), built once per `check` call. The
    /// account is not known in a scan: [`moat_iam::estate::ESTATE_ACCOUNT`] stands for it.
    pub fn iam(&self) -> &moat_iam::estate::IamEstate {
        self.iam
            .get_or_init(|| moat_iam::from_model::from_model(&self.estate.aws, self.estate, None))
    }

    /// Everything the internet reaches (`moat exposure`: instances and other interfaces
    /// directly, targets through internet-facing load balancers), computed once per `check`
    /// call.
    pub fn exposure(&self) -> &[moat_net::Exposure] {
        self.exposure
            .get_or_init(|| moat_net::exposure(self.net(), self.estate))
    }

    /// The typed AWS state of the estate (built by the frontend's adapter).
    pub fn aws(&self) -> &'e moat_model::aws::AwsState {
        &self.estate.aws
    }

    /// The resource that owns or declares an element of the typed state, to name it in a
    /// finding (address, type, root). Rules read settings from the typed state, never from it.
    pub fn resource(&self, id: moat_model::ResourceId) -> Option<&'e Resource> {
        self.estate.get(id)
    }

    pub fn net(&self) -> &'e Network {
        &self.estate.aws.network
    }

    /// Every load balancer's listener -> target group -> target check, computed once per
    /// `check` call for all the NET rules that report a part of it.
    pub fn lb_paths(&self) -> &[moat_net::diagnose::Diagnosis] {
        self.lb_paths
            .get_or_init(|| moat_net::diagnose::lb_paths(self.net()))
    }

    /// The network invariants the user declared that do not hold in this estate, or cannot be
    /// decided (NET100).
    pub fn invariant_violations(&self) -> Vec<moat_net::invariant::Violation> {
        if self.declared.invariants.is_empty() {
            return Vec::new();
        }
        moat_net::invariant::check(self.net(), self.estate, self.declared.invariants)
    }
}

/// Render an unknown for a message.
pub(crate) fn why(u: &Unknown) -> String {
    u.to_string()
}

/// Check a typed setting that must satisfy `ok`. A failure states the value as the user's
/// frontend names it ("`metadata_options.http_tokens` is `optional`: ...", or "... is not set
/// (default `optional`): ..."); an unknown or invalid value gives an unknown finding, never a
/// pass. Findings are reported on `owner` at the attribute's location.
pub(crate) fn require<T: std::fmt::Display>(
    ctx: &Ctx<'_>,
    out: &mut Out,
    owner: moat_model::ResourceId,
    attr: &moat_model::aws::Attr<T>,
    ok: impl Fn(&T) -> bool,
    what: &str,
) {
    let Some(r) = ctx.resource(owner) else {
        return;
    };
    match &attr.value {
        AttrValue::Known(v) | AttrValue::Default(v) if !ok(v) => {
            out.fail(r, &attr.loc, format!("{}: {what}", attr.describe()));
        }
        AttrValue::Known(_) | AttrValue::Default(_) => {}
        AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
            out.unknown(r, &attr.loc, attr.describe());
        }
    }
}
