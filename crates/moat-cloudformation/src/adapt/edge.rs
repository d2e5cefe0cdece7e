//! The CloudFormation adapter of the edge family ([`moat_model::aws::edge`]): the attributes of
//! `AWS::ElasticLoadBalancingV2::LoadBalancer`, the client-facing settings of
//! `AWS::ElasticLoadBalancingV2::Listener`, `AWS::ApiGateway::RestApi` with its stages
//! (`AWS::ApiGateway::Stage`, and the stage an `AWS::ApiGateway::Deployment` creates with
//! `StageName`), and `AWS::WAFv2::WebACLAssociation` / `AWS::WAFRegional::WebACLAssociation`.
//!
//! # Defaults
//! * Load balancer ([AWS::ElasticLoadBalancingV2::LoadBalancer](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-loadbalancer.html)):
//!   `Type` `application`, `Scheme` `internet-facing`; the attribute
//!   `routing.http.drop_invalid_header_fields.enabled` of `LoadBalancerAttributes` is `false`
//!   ([load balancer attributes](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes)).
//! * Listener: an application load balancer's listener without `Protocol` speaks `HTTP`;
//!   `SslPolicy` defaults to `ELBSecurityPolicy-2016-08` for listeners created through the API
//!   and CloudFormation ([security policies](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html)).
//! * REST API: `EndpointConfiguration.Types` defaults to `EDGE`
//!   ([AWS::ApiGateway::RestApi](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-restapi.html)).
//!
//! # Web ACL associations
//! `ResourceArn` names a load balancer with `Ref` (its ARN). An API stage has no ARN attribute:
//! it is written with `Fn::Sub` (`arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod`),
//! which stays a template; the stage it names is found from the API it references and the stage
//! name after `/stages/` (or a `Ref` to the stage, which is its name).

use moat_model::aws::edge::*;
use moat_model::aws::network::{LbKind, Ref};
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Node, Resolved, Resource, ResourceId, Unknown, Value};

use super::setting::{node_setting, read, read_opt, string_attr, written};

const LB: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";
const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
const REST_API: &str = "AWS::ApiGateway::RestApi";
const STAGE: &str = "AWS::ApiGateway::Stage";
const DEPLOYMENT: &str = "AWS::ApiGateway::Deployment";

/// `Type`: the load balancer type (default `application`).
fn lb_kind(r: &Resource, id: ResourceId) -> Attr<LbKind> {
    read(
        r,
        id,
        "Type",
        "Type",
        LbKind::Application,
        "a load balancer type",
        |n| n.as_str().and_then(LbKind::from_type_name),
    )
}

/// A bool of `LoadBalancerAttributes` (a list of `{Key, Value}`), by key. Not listed: the
/// default. The list, or an entry's key, unknown: unknown (that entry may set it).
fn lb_attribute(r: &Resource, id: ResourceId, key: &str, shown: &'static str) -> Attr<bool> {
    let Some(list) = written(r, "LoadBalancerAttributes") else {
        return Attr::default(false, r.loc.clone(), shown, id);
    };
    let at = list.loc.clone().unwrap_or_else(|| r.loc.clone());
    let items = match &list.value {
        Value::Unknown(u) => return Attr::unknown(u.clone(), at, shown, id),
        Value::List(items) => items,
        _ => {
            return Attr::new(
                AttrValue::Invalid {
                    written: list.to_string(),
                    expected: "a list of attributes",
                },
                at,
                shown,
                id,
            )
        }
    };
    let mut unknown = None;
    for item in items {
        match item.get("Key").map(|k| (k, k.as_str())) {
            Some((_, Some(k))) if k == key => {
                if let Some(a) =
                    node_setting(item.get("Value"), &at, id, shown, "a bool", Node::as_bool)
                {
                    return a;
                }
            }
            Some((_, Some(_))) => {}
            _ if item.contains_unknown() && item.get("Key").is_none_or(Node::is_unknown) => {
                let u = item
                    .get("Key")
                    .and_then(Node::unknown_reason)
                    .or_else(|| item.unknown_reason())
                    .cloned()
                    .unwrap_or_else(|| Unknown::derived("an attribute's `Key` is unknown"));
                unknown.get_or_insert((u, item.loc.clone().unwrap_or_else(|| at.clone())));
            }
            _ => {}
        }
    }
    match unknown {
        Some((u, loc)) => Attr::unknown(u, loc, shown, id),
        None => Attr::default(false, at, shown, id),
    }
}

/// Build the edge family of a CloudFormation estate.
pub fn build(e: &Estate) -> Edge {
    let load_balancers = e
        .managed_of_type(LB)
        .map(|(id, r)| LoadBalancerAttributes {
            id,
            kind: lb_kind(r, id),
            internal: read(r, id, "Scheme", "Scheme", false, "a scheme", |n| {
                match n.as_str()? {
                    "internal" => Some(true),
                    "internet-facing" => Some(false),
                    _ => None,
                }
            }),
            drop_invalid_header_fields: lb_attribute(
                r,
                id,
                "routing.http.drop_invalid_header_fields.enabled",
                "LoadBalancerAttributes.routing.http.drop_invalid_header_fields.enabled",
            ),
        })
        .collect();
    let listeners = e
        .managed_of_type(LISTENER)
        .map(|(id, r)| listener(e, id, r))
        .collect();
    let mut api_stages: Vec<ApiStage> = e
        .managed_of_type(STAGE)
        .map(|(id, r)| stage(e, id, r))
        .collect();
    // A deployment with `StageName` creates that stage.
    api_stages.extend(
        e.managed_of_type(DEPLOYMENT)
            .filter(|(_, r)| written(r, "StageName").is_some())
            .map(|(id, r)| stage(e, id, r)),
    );
    let mut rest_apis: Vec<RestApi> = e
        .managed_of_type(REST_API)
        .map(|(id, r)| rest_api(id, r))
        .collect();
    add_apis_named_by_stages(&mut rest_apis, &api_stages, |api| {
        e.get(api).map(|r| rest_api(api, r))
    });
    let mut waf_associations = Vec::new();
    for t in [
        "AWS::WAFv2::WebACLAssociation",
        "AWS::WAFRegional::WebACLAssociation",
    ] {
        for (id, r) in e.managed_of_type(t) {
            let Some(n) = r.get("ResourceArn") else {
                continue;
            };
            if let Some(resource) = protected(e, n, &api_stages) {
                waf_associations.push(WafAssociation { id, resource });
            }
        }
    }
    Edge {
        load_balancers,
        listeners,
        rest_apis,
        api_stages,
        waf_associations,
    }
}

/// The resource a web ACL association protects.
fn protected(e: &Estate, n: &Node, stages: &[ApiStage]) -> Option<Ref> {
    if let Value::Unknown(Unknown::Template { text, refs, .. }) = &n.value {
        if let Some((_, stage_name)) = text.split_once("/stages/") {
            return Some(stage_by_arn(e, stages, stage_name, refs, &n.value));
        }
    }
    Ref::from_resolved(e.resolve(n, &[LB, STAGE], &[]))
}

/// The stage an ARN template names: a `Ref` to a stage among its references, or the stage of
/// a referenced API whose `StageName` is the literal after `/stages/`.
fn stage_by_arn(
    e: &Estate,
    stages: &[ApiStage],
    stage_name: &str,
    refs: &[String],
    whole: &Value,
) -> Ref {
    let unknown = || match whole {
        Value::Unknown(u) => Ref::Unknown(u.clone()),
        _ => Ref::Unknown(Unknown::derived("the protected stage is not known")),
    };
    let named = |r: &str| e.by_address(r);
    // A reference to a stage (its `Ref` is its name).
    if let Some(s) = stages.iter().find(|s| {
        e.get(s.id)
            .is_some_and(|r| r.rtype == STAGE && refs.contains(&r.address))
    }) {
        return Ref::Res(s.id);
    }
    if stage_name.contains("${") {
        return unknown();
    }
    let apis: Vec<ResourceId> = refs
        .iter()
        .filter_map(|r| named(r))
        .filter(|id| e.get(*id).is_some_and(|r| r.rtype == REST_API))
        .collect();
    if apis.is_empty() {
        return unknown();
    }
    let found = stages.iter().find(|s| {
        s.rest_api
            .as_ref()
            .and_then(Ref::res)
            .is_some_and(|a| apis.contains(&a))
            && e.get(s.id)
                .and_then(|r| r.str_attr("StageName"))
                .is_some_and(|n| n == stage_name)
    });
    match found {
        Some(s) => Ref::Res(s.id),
        None => unknown(),
    }
}

fn listener(e: &Estate, id: ResourceId, r: &Resource) -> ListenerSettings {
    let load_balancer = match r.get("LoadBalancerArn").map(|n| e.resolve(n, &[LB], &[])) {
        Some(Resolved::Resource(lb)) => Some(lb),
        _ => None,
    };
    let protocol = read_opt(r, id, "Protocol", "Protocol", "a string", |n| {
        n.as_str().map(str::to_string)
    })
    .or_else(|| {
        // Not set: HTTP on an application load balancer.
        let lb = e.get(load_balancer?)?;
        (lb_kind(lb, load_balancer?).get() == Some(&LbKind::Application))
            .then(|| Attr::default("HTTP".to_string(), r.loc.clone(), "Protocol", id))
    });
    let port = read_opt(r, id, "Port", "Port", "a port", |n| {
        n.as_i64().and_then(|p| u16::try_from(p).ok())
    });
    let ssl_policy = string_attr(r, id, "SslPolicy", "SslPolicy", "ELBSecurityPolicy-2016-08");
    let default_actions = r
        .blocks("DefaultActions")
        .into_iter()
        .map(|a| ListenerAction {
            kind: a.get("Type").and_then(Node::as_str).map(str::to_string),
            redirect_protocol: a
                .get("RedirectConfig")
                .and_then(|rd| rd.get("Protocol"))
                .and_then(Node::as_str)
                .map(str::to_string),
            loc: a.loc.clone().unwrap_or_else(|| r.loc.clone()),
        })
        .collect();
    ListenerSettings {
        id,
        load_balancer,
        protocol,
        port,
        ssl_policy,
        default_actions,
    }
}

fn stage(e: &Estate, id: ResourceId, r: &Resource) -> ApiStage {
    let n = r.get("RestApiId");
    let rest_api = n.map(|n| match e.resolve(n, &[REST_API], &[]) {
        Resolved::Resource(api) => Ref::Res(api),
        Resolved::External(s) => Ref::External(s),
        Resolved::Unknown(u) => Ref::Unknown(u),
        Resolved::Absent => Ref::Unknown(Unknown::derived("`RestApiId` is null")),
    });
    ApiStage {
        id,
        rest_api,
        rest_api_loc: r.loc_of("RestApiId").clone(),
        rest_api_by_reference: n
            .is_some_and(|n| matches!(n.value, Value::Unknown(Unknown::Computed { .. }))),
    }
}

fn rest_api(id: ResourceId, r: &Resource) -> RestApi {
    let loc = r.loc_of("EndpointConfiguration").clone();
    let path = "EndpointConfiguration.Types";
    let endpoint_types = match written(r, path) {
        None => Attr::default(vec!["EDGE".to_string()], loc, path, id),
        Some(n) => match &n.value {
            Value::Unknown(u) => Attr::unknown(u.clone(), loc, path, id),
            _ => Attr::new(
                AttrValue::Known(n.string_list().into_iter().map(str::to_string).collect()),
                loc,
                path,
                id,
            ),
        },
    };
    RestApi { id, endpoint_types }
}
