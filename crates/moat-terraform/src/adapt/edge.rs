//! The Terraform adapter of the edge family ([`moat_model::aws::edge`]): the attributes of
//! `aws_lb`/`aws_alb`, the client-facing settings of `aws_lb_listener`/`aws_alb_listener`,
//! `aws_api_gateway_rest_api` and `aws_api_gateway_stage`, and
//! `aws_wafv2_web_acl_association`/`aws_wafregional_web_acl_association`.
//!
//! Provider defaults: `load_balancer_type` `application`, `internal` and
//! `drop_invalid_header_fields` `false`, a listener of an application load balancer speaks
//! `HTTP` unless `protocol` says otherwise, `ssl_policy` `ELBSecurityPolicy-2016-08`, a REST
//! API's endpoint type `EDGE`.

use moat_model::aws::edge::*;
use moat_model::aws::network::{LbKind, Ref};
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Node, Resolved, Resource, ResourceId, Unknown, Value};

use super::setting::{bool_attr, read, read_opt, written};

const LBS: &[&str] = &["aws_lb", "aws_alb"];
const LISTENERS: &[&str] = &["aws_lb_listener", "aws_alb_listener"];
const REST_API: &str = "aws_api_gateway_rest_api";
const STAGE: &str = "aws_api_gateway_stage";

/// The load balancer type as written (`None`: not set), or why it is not known.
fn lb_kind(r: &Resource, id: ResourceId) -> Attr<LbKind> {
    read(
        r,
        id,
        "load_balancer_type",
        "load_balancer_type",
        LbKind::Application,
        "a load balancer type",
        |n| n.as_str().and_then(LbKind::from_type_name),
    )
}

/// Build the edge family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Edge {
    let load_balancers = e
        .managed_of_types(LBS)
        .map(|(id, r)| LoadBalancerAttributes {
            id,
            kind: lb_kind(r, id),
            internal: bool_attr(r, id, "internal", "internal", false),
            drop_invalid_header_fields: bool_attr(
                r,
                id,
                "drop_invalid_header_fields",
                "drop_invalid_header_fields",
                false,
            ),
        })
        .collect();
    let mut listeners = Vec::new();
    for t in LISTENERS {
        for (id, r) in e.managed_of_type(t) {
            listeners.push(listener(e, id, r));
        }
    }
    let api_stages: Vec<ApiStage> = e
        .managed_of_type(STAGE)
        .map(|(id, r)| stage(e, id, r))
        .collect();
    // The REST APIs, and whatever else a stage names as its API (its settings are read the
    // same way).
    let mut rest_apis: Vec<RestApi> = e.of_type(REST_API).map(|(id, r)| rest_api(id, r)).collect();
    add_apis_named_by_stages(&mut rest_apis, &api_stages, |api| {
        e.get(api).map(|r| rest_api(api, r))
    });
    let mut waf_associations = Vec::new();
    for t in [
        "aws_wafv2_web_acl_association",
        "aws_wafregional_web_acl_association",
    ] {
        for (id, r) in e.managed_of_type(t) {
            let Some(n) = r.get("resource_arn") else {
                continue;
            };
            let types = [LBS, &[STAGE]].concat();
            if let Some(resource) = Ref::from_resolved(e.resolve(n, &types, &["arn"])) {
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

fn listener(e: &Estate, id: ResourceId, r: &Resource) -> ListenerSettings {
    let load_balancer = match r.get("load_balancer_arn").map(|n| e.resolve(n, LBS, &[])) {
        Some(Resolved::Resource(lb)) => Some(lb),
        _ => None,
    };
    let protocol = read_opt(r, id, "protocol", "protocol", "a string", |n| {
        n.as_str().map(str::to_string)
    })
    .or_else(|| {
        // Not set: HTTP on an application load balancer (whether managed or looked up).
        let lb = e.get(load_balancer?)?;
        (lb_kind(lb, load_balancer?).get() == Some(&LbKind::Application))
            .then(|| Attr::default("HTTP".to_string(), r.loc.clone(), "protocol", id))
    });
    let port = read_opt(r, id, "port", "port", "a port", |n| {
        n.as_i64().and_then(|p| u16::try_from(p).ok())
    });
    let ssl_policy = read(
        r,
        id,
        "ssl_policy",
        "ssl_policy",
        "ELBSecurityPolicy-2016-08".to_string(),
        "a policy name",
        |n| n.as_str().map(str::to_string),
    );
    let default_actions = r
        .blocks("default_action")
        .into_iter()
        .map(|a| {
            let redirects = a.blocks("redirect");
            let protocols: Vec<&str> = redirects
                .iter()
                .filter_map(|rd| rd.get("protocol").and_then(Node::as_str))
                .collect();
            ListenerAction {
                kind: a.get("type").and_then(Node::as_str).map(str::to_string),
                redirect_protocol: protocols
                    .iter()
                    .find(|p| p.eq_ignore_ascii_case("HTTPS"))
                    .or(protocols.first())
                    .map(|p| p.to_string()),
                loc: a.loc.clone().unwrap_or_else(|| r.loc.clone()),
            }
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
    let n = r.get("rest_api_id");
    let rest_api = n.map(|n| match e.resolve(n, &[REST_API], &["id"]) {
        Resolved::Resource(api) => Ref::Res(api),
        Resolved::External(s) => Ref::External(s),
        Resolved::Unknown(u) => Ref::Unknown(u),
        Resolved::Absent => Ref::Unknown(Unknown::derived("`rest_api_id` is null")),
    });
    ApiStage {
        id,
        rest_api,
        rest_api_loc: r.loc_of("rest_api_id").clone(),
        rest_api_by_reference: n
            .is_some_and(|n| matches!(n.value, Value::Unknown(Unknown::Computed { .. }))),
    }
}

fn rest_api(id: ResourceId, r: &Resource) -> RestApi {
    let loc = r.loc_of("endpoint_configuration").clone();
    let path = "endpoint_configuration.types";
    let endpoint_types = match written(r, "endpoint_configuration.0.types") {
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
