//! The edge family of the typed state: what faces clients at layer 7. Load balancer
//! attributes (type, scheme, header handling), listener TLS and HTTP settings (protocol, port,
//! security policy, default actions), API Gateway REST APIs and stages, and the WAF web ACL
//! associations that protect them.
//!
//! Load balancers and listeners are the ones of the network family ([`crate::aws::network`]):
//! the same [`ResourceId`]s, so a rule can read both. Only what the configuration manages is
//! here (a Terraform data source that looks up a load balancer is not), except REST APIs,
//! which a managed stage may name however they are declared.

use crate::aws::network::{LbKind, Ref};
use crate::aws::Attr;
use crate::estate::ResourceId;
use crate::value::Loc;

/// The layer-7 attributes of an Application, Network or Gateway load balancer (not of a
/// Classic ELB).
#[derive(Clone, Debug, PartialEq)]
pub struct LoadBalancerAttributes {
    /// The load balancer ([`crate::aws::network::LoadBalancer::id`]).
    pub id: ResourceId,
    /// Application, network or gateway (default application). A value that names none of
    /// them is invalid.
    pub kind: Attr<LbKind>,
    /// Internal (`true`) or internet-facing (default `false`).
    pub internal: Attr<bool>,
    /// Drops HTTP header fields with invalid names instead of passing them to the targets
    /// (default `false`; application load balancers only).
    pub drop_invalid_header_fields: Attr<bool>,
}

/// One default action of a listener.
#[derive(Clone, Debug, PartialEq)]
pub struct ListenerAction {
    /// The action type as AWS names it (`forward`, `redirect`, `fixed-response`...), if known.
    pub kind: Option<String>,
    /// For a redirect, the protocol it redirects to (`HTTPS`), if set.
    pub redirect_protocol: Option<String>,
    pub loc: Loc,
}

impl ListenerAction {
    /// A redirect to HTTPS.
    pub fn redirects_to_https(&self) -> bool {
        self.kind.as_deref() == Some("redirect")
            && self
                .redirect_protocol
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
    }
}

/// The client-facing settings of a load balancer listener.
#[derive(Clone, Debug, PartialEq)]
pub struct ListenerSettings {
    /// The listener ([`crate::aws::network::Listener::id`]).
    pub id: ResourceId,
    /// Its load balancer, when it is in the scanned files.
    pub load_balancer: Option<ResourceId>,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`, `GENEVE` as written. When nothing is
    /// written: `HTTP` for an application load balancer (the default); `None` when the load
    /// balancer is not known or has no default protocol.
    pub protocol: Option<Attr<String>>,
    /// The port clients connect to, if written.
    pub port: Option<Attr<u16>>,
    /// The TLS security policy of an `HTTPS` or `TLS` listener (default
    /// `ELBSecurityPolicy-2016-08`, which accepts TLS 1.0 and 1.1).
    pub ssl_policy: Attr<String>,
    pub default_actions: Vec<ListenerAction>,
}

/// A REST API of API Gateway (HTTP and WebSocket APIs cannot carry a web ACL and are not
/// here).
#[derive(Clone, Debug, PartialEq)]
pub struct RestApi {
    pub id: ResourceId,
    /// The endpoint types (default `["EDGE"]`); `["PRIVATE"]` is reachable only from VPCs.
    pub endpoint_types: Attr<Vec<String>>,
}

impl RestApi {
    /// Known to be private (reachable only through VPC endpoints).
    pub fn private(&self) -> bool {
        self.endpoint_types
            .get()
            .is_some_and(|t| t.len() == 1 && t.iter().all(|x| x == "PRIVATE"))
    }
}

/// Add to `apis` every REST API that a stage of `stages` names and `apis` lacks, built by
/// `build` (a stage may name an API its frontend lists elsewhere; its settings are read the
/// same way). `build` returns `None` for an id that is not a resource of the estate.
pub fn add_apis_named_by_stages(
    apis: &mut Vec<RestApi>,
    stages: &[ApiStage],
    mut build: impl FnMut(ResourceId) -> Option<RestApi>,
) {
    for s in stages {
        if let Some(Ref::Res(api)) = s.rest_api {
            if !apis.iter().any(|a| a.id == api) {
                if let Some(a) = build(api) {
                    apis.push(a);
                }
            }
        }
    }
}

/// A stage of a REST API.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiStage {
    pub id: ResourceId,
    /// The REST API ([`RestApi::id`] when it is in the scanned files); `None` when nothing
    /// names it.
    pub rest_api: Option<Ref>,
    /// Where the API is named (the stage's declaration when it is not).
    pub rest_api_loc: Loc,
    /// The API is named by a reference to its declaration (not by a literal ID).
    pub rest_api_by_reference: bool,
}

/// A WAF web ACL associated with a resource (a load balancer, an API stage...).
#[derive(Clone, Debug, PartialEq)]
pub struct WafAssociation {
    pub id: ResourceId,
    /// The protected resource.
    pub resource: Ref,
}

/// Load balancer attributes and listener settings, API Gateway REST APIs and stages, WAF web
/// ACL associations, each list in the order the frontend declares them (Terraform: address
/// order; associations: WAFv2 before WAF Classic).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edge {
    pub load_balancers: Vec<LoadBalancerAttributes>,
    pub listeners: Vec<ListenerSettings>,
    pub rest_apis: Vec<RestApi>,
    pub api_stages: Vec<ApiStage>,
    pub waf_associations: Vec<WafAssociation>,
}

impl Edge {
    pub fn load_balancer(&self, id: ResourceId) -> Option<&LoadBalancerAttributes> {
        self.load_balancers.iter().find(|l| l.id == id)
    }

    pub fn rest_api(&self, id: ResourceId) -> Option<&RestApi> {
        self.rest_apis.iter().find(|a| a.id == id)
    }

    /// Whether a web ACL is associated with `resource`.
    pub fn waf_protects(&self, resource: ResourceId) -> bool {
        self.waf_associations
            .iter()
            .any(|a| a.resource == Ref::Res(resource))
    }

    /// The first association whose protected resource is not known: any resource without a
    /// web ACL of its own may be the one it protects.
    pub fn waf_unknown(&self) -> Option<(&WafAssociation, &crate::value::Unknown)> {
        self.waf_associations
            .iter()
            .find_map(|a| match &a.resource {
                Ref::Unknown(u) => Some((a, u)),
                _ => None,
            })
    }
}
