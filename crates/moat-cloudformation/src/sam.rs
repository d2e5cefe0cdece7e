//! The SAM transform (`AWS::Serverless-2016-10-31`), expanded as the SAM translator expands it.
//!
//! [`transform`] runs on the parsed template, before intrinsic functions are resolved: it reads
//! and writes [`Node`] maps whose intrinsics are still long-form maps (`{"Ref": "X"}`,
//! `{"Fn::GetAtt": ["A", "B"]}`, `{"Fn::Sub": ...}`), and every generated value keeps the
//! location of the SAM source it comes from (a generated role points at its function, a
//! policy-template statement at the `Policies` entry), so findings point into the user's
//! template.
//!
//! What SAM generates, and the logical IDs it gives, follow the SAM documentation
//! (<https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources.html>,
//! <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources-function.html>)
//! and the translator's behaviour; `tests/sam.rs` compares the expansion of its fixtures,
//! resource by resource, with the SAM translator's own output:
//! - `Globals` (`Function`, `Api`, `HttpApi`, `SimpleTable`, `StateMachine`, `LayerVersion`)
//!   merged into each resource: maps merged, lists appended, scalars taken from the resource
//!   (<https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html>).
//! - `AWS::Serverless::Function` -> `AWS::Lambda::Function` `<Id>`; without `Role` (or with a
//!   `Role: !If` that has an `AWS::NoValue` branch), an `AWS::IAM::Role` `<Id>Role` (Lambda
//!   trust policy, `AWSLambdaBasicExecutionRole`, plus `AWSXrayWriteOnlyAccess` with `Tracing`,
//!   `AWSLambdaVPCAccessExecutionRole` with `VpcConfig`, the `Policies` entries: managed policy
//!   names as ARNs, ARNs, inline documents and all of SAM's policy templates
//!   (<https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html>)
//!   as inline policies `<Id>RolePolicy<N>`, also under `Fn::If`; `DeadLetterQueuePolicy`;
//!   destination policies); `AutoPublishAlias` -> `<Id>Version<hash>` and `<Id>Alias<Name>`;
//!   `FunctionUrlConfig` -> `<Id>Url` (with `AuthType: NONE`, `<Id>UrlPublicPermissions` and
//!   `<Id>URLInvokeAllowPublicAccess`); `EventInvokeConfig` -> `<Id>EventInvokeConfig`; events
//!   `Api`, `HttpApi` (implicit `ServerlessRestApi` / `ServerlessHttpApi` when no API is named,
//!   conditional when all their functions are), `S3` (permission and the bucket's
//!   notification), `SNS`, `SQS`, `Kinesis`, `DynamoDB`, `MSK`, `Schedule`, `CloudWatchEvent`,
//!   `EventBridgeRule`.
//! - `AWS::Serverless::Api` -> `AWS::ApiGateway::RestApi` `<Id>` (with the Swagger body SAM
//!   writes from the events when no definition is given), `Deployment` `<Id>Deployment<hash>`,
//!   `Stage` `<Id><StageName>Stage`; `AWS::Serverless::HttpApi` -> `AWS::ApiGatewayV2::Api` and
//!   `Stage` (`<Id>ApiGatewayDefaultStage` for `$default`); `SimpleTable` ->
//!   `AWS::DynamoDB::Table`; `LayerVersion` -> `AWS::Lambda::LayerVersion`; `StateMachine` ->
//!   `AWS::StepFunctions::StateMachine` and `<Id>Role`; `Application` ->
//!   `AWS::CloudFormation::Stack`; a connector whose source has a role here -> the managed
//!   policy SAM attaches to it (`<Id>Policy`), with an unknown document.
//! - SAM's referenceable properties (`!Ref MyFunction.Alias`, `MyApi.Stage`...) are rewritten
//!   to the generated IDs.
//!
//! Differences from SAM, on purpose: the hash suffixes of `Deployment` and `Version` IDs are
//! moat's own (stable for the same input, not SAM's SHA-1); a `LayerVersion` keeps its logical
//! ID (SAM appends a hash and rewrites references); ARNs SAM writes for the `aws` partition are
//! written with `${AWS::Partition}` (SAM knows the partition at deploy time); routes of an API
//! body are not wrapped in `Fn::If` for conditional functions. Whatever is not expanded (API
//! `Auth`, `Cors` and `Domain`, connector profiles, `DeploymentPreference`, some event types,
//! `GraphQLApi`, `WebSocketApi`...) is reported as a note, never dropped silently; where it
//! would add permissions to a generated role, that role gets a policy whose document is
//! unknown, so its permissions are never read as complete.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use moat_model::{Loc, Node, Note, ScanError, Unknown, Value};
use serde_json::json;

/// The transform this module expands.
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// SAM's policy templates (Apache-2.0, from the SAM translator; see `data/README.md`).
const POLICY_TEMPLATES: &str = include_str!("../data/sam_policy_templates.json");
/// AWS managed policies as SAM knows them (Apache-2.0, see `data/README.md`).
const MANAGED_POLICIES: &str = include_str!("../data/sam_managed_policies.txt");

type Map = BTreeMap<String, Node>;

/// The policy templates by name: `(parameter names, definition)`.
fn policy_templates() -> &'static BTreeMap<String, (Vec<String>, serde_json::Value)> {
    static T: OnceLock<BTreeMap<String, (Vec<String>, serde_json::Value)>> = OnceLock::new();
    T.get_or_init(|| {
        let mut out = BTreeMap::new();
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(POLICY_TEMPLATES) else {
            return out;
        };
        if let Some(templates) = doc.get("Templates").and_then(|t| t.as_object()) {
            for (name, t) in templates {
                let params = t
                    .get("Parameters")
                    .and_then(|p| p.as_object())
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default();
                let def = t
                    .get("Definition")
                    .cloned()
                    .unwrap_or(serde_json::Value::Null);
                out.insert(name.clone(), (params, def));
            }
        }
        out
    })
}

/// Whether `name` is one of SAM's policy templates.
pub fn is_policy_template(name: &str) -> bool {
    policy_templates().contains_key(name)
}

/// AWS managed policy name -> the part of its ARN after `:policy/`.
fn managed_policies() -> &'static BTreeMap<&'static str, &'static str> {
    static M: OnceLock<BTreeMap<&'static str, &'static str>> = OnceLock::new();
    M.get_or_init(|| {
        MANAGED_POLICIES
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| (l.rsplit('/').next().unwrap_or(l), l))
            .collect()
    })
}

// ---------------------------------------------------------------------------------------------
// Building nodes

fn text(s: impl Into<String>, loc: &Option<Loc>) -> Node {
    Node::new(Value::String(s.into()), loc.clone())
}

fn from_json(v: serde_json::Value, loc: &Option<Loc>) -> Node {
    Node::new(Value::from_json_at(&v, loc.as_ref()), loc.clone())
}

fn map_node(m: Map, loc: &Option<Loc>) -> Node {
    Node::new(Value::Map(m), loc.clone())
}

fn list_node(items: Vec<Node>, loc: &Option<Loc>) -> Node {
    Node::new(Value::List(items), loc.clone())
}

fn entries(items: Vec<(&str, Node)>, loc: &Option<Loc>) -> Node {
    map_node(
        items.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        loc,
    )
}

fn call(name: &str, arg: Node, loc: &Option<Loc>) -> Node {
    entries(vec![(name, arg)], loc)
}

fn ref_to(id: &str, loc: &Option<Loc>) -> Node {
    call("Ref", text(id, loc), loc)
}

fn get_att(id: &str, attr: &str, loc: &Option<Loc>) -> Node {
    call(
        "Fn::GetAtt",
        list_node(vec![text(id, loc), text(attr, loc)], loc),
        loc,
    )
}

fn sub(s: impl Into<String>, loc: &Option<Loc>) -> Node {
    call("Fn::Sub", text(s, loc), loc)
}

fn sub_vars(s: impl Into<String>, vars: Vec<(&str, Node)>, loc: &Option<Loc>) -> Node {
    call(
        "Fn::Sub",
        list_node(vec![text(s, loc), entries(vars, loc)], loc),
        loc,
    )
}

fn unknown(reason: impl Into<String>, loc: &Option<Loc>) -> Node {
    Node::unknown(Unknown::derived(reason), loc.clone())
}

/// The ARN of an AWS managed policy, `path` being what follows `:policy/`.
fn aws_managed_arn(path: &str, loc: &Option<Loc>) -> Node {
    sub(
        format!("arn:${{AWS::Partition}}:iam::aws:policy/{path}"),
        loc,
    )
}

/// A single-key map whose key is an intrinsic function (`Ref`, `Fn::*`, `Condition`).
fn intrinsic(n: &Node) -> Option<(&str, &Node)> {
    let m = n.as_map()?;
    if m.len() != 1 {
        return None;
    }
    let (k, v) = m.iter().next()?;
    (k == "Ref" || k.starts_with("Fn::") || k == "Condition").then_some((k.as_str(), v))
}

fn ref_target(n: &Node) -> Option<&str> {
    match intrinsic(n) {
        Some(("Ref", v)) => v.as_str(),
        _ => None,
    }
}

fn is_no_value(n: &Node) -> bool {
    ref_target(n) == Some("AWS::NoValue")
}

/// The three arguments of `Fn::If`.
fn if_args(n: &Node) -> Option<(&Node, &Node, &Node)> {
    match intrinsic(n) {
        Some(("Fn::If", args)) => match args.as_list()? {
            [c, a, b] => Some((c, a, b)),
            _ => None,
        },
        _ => None,
    }
}

/// A stable 10-hex-digit digest (FNV-1a, 64 bits) of a value, for generated logical IDs.
fn hash10(v: &Value) -> String {
    hash10_str(&v.to_json().to_string())
}

fn hash10_str(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let full = format!("{h:016x}");
    full.get(..10).unwrap_or(&full).to_string()
}

fn is_alnum(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// SAM `Tags` (a map) as a CloudFormation tag list, after SAM's own tag when given.
fn tag_list(tags: Option<&Node>, sam_tag: Option<(&str, &str)>, loc: &Option<Loc>) -> Option<Node> {
    let mut items = Vec::new();
    if let Some((k, v)) = sam_tag {
        items.push(entries(
            vec![("Key", text(k, loc)), ("Value", text(v, loc))],
            loc,
        ));
    }
    if let Some(m) = tags.and_then(Node::as_map) {
        for (k, v) in m {
            items.push(entries(
                vec![("Key", text(k.clone(), &v.loc)), ("Value", v.clone())],
                &v.loc,
            ));
        }
    }
    (!items.is_empty()).then(|| list_node(items, &tags.and_then(|t| t.loc.clone()).or(loc.clone())))
}

/// An S3 location written as `s3://bucket/key?versionId=v` or `{Bucket, Key, Version}`, with
/// the keys CloudFormation wants (`S3Bucket`, `S3Key`, `S3ObjectVersion` for Lambda code).
fn s3_location(n: &Node, keys: [&str; 3]) -> Option<Node> {
    let [bk, kk, vk] = keys;
    match &n.value {
        Value::String(s) => {
            let rest = s.strip_prefix("s3://")?;
            let (path, query) = match rest.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (rest, None),
            };
            let (bucket, key) = path.split_once('/')?;
            let mut m = vec![(bk, text(bucket, &n.loc)), (kk, text(key, &n.loc))];
            if let Some(v) =
                query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("versionId=")))
            {
                m.push((vk, text(v, &n.loc)));
            }
            Some(entries(m, &n.loc))
        }
        Value::Map(src) if intrinsic(n).is_none() => {
            let mut m = Vec::new();
            for (from, to) in [("Bucket", bk), ("Key", kk), ("Version", vk)] {
                if let Some(v) = src.get(from) {
                    m.push((to, v.clone()));
                }
            }
            Some(entries(m, &n.loc))
        }
        _ => None,
    }
}

/// Globals merge as SAM does it: maps merged key by key, lists concatenated (global first),
/// anything else (and intrinsics, and mismatched kinds) taken from the resource.
fn merge_global(global: &Node, local: Node) -> Node {
    let g_plain_map = global.as_map().is_some() && intrinsic(global).is_none();
    let l_plain_map = local.as_map().is_some() && intrinsic(&local).is_none();
    match (&global.value, local.value) {
        (Value::Map(g), Value::Map(l)) if g_plain_map && l_plain_map => {
            let mut out = g.clone();
            for (k, v) in l {
                let merged = match out.get(&k) {
                    Some(gv) => merge_global(gv, v),
                    None => v,
                };
                out.insert(k, merged);
            }
            Node::new(Value::Map(out), local.loc)
        }
        (Value::List(g), Value::List(l)) => {
            let mut out = g.clone();
            out.extend(l);
            Node::new(Value::List(out), local.loc)
        }
        (_, lv) => Node::new(lv, local.loc),
    }
}

const GLOBAL_PROPERTIES: &[(&str, &[&str])] = &[
    (
        "Function",
        &[
            "Handler",
            "Runtime",
            "CodeUri",
            "DeadLetterQueue",
            "Description",
            "MemorySize",
            "Timeout",
            "VpcConfig",
            "Environment",
            "Tags",
            "PropagateTags",
            "Tracing",
            "KmsKeyArn",
            "AutoPublishAlias",
            "AutoPublishAliasAllProperties",
            "Layers",
            "DeploymentPreference",
            "RolePath",
            "PermissionsBoundary",
            "ReservedConcurrentExecutions",
            "ProvisionedConcurrencyConfig",
            "AssumeRolePolicyDocument",
            "EventInvokeConfig",
            "FileSystemConfigs",
            "CodeSigningConfigArn",
            "Architectures",
            "SnapStart",
            "EphemeralStorage",
            "FunctionUrlConfig",
            "RuntimeManagementConfig",
            "LoggingConfig",
            "RecursiveLoop",
            "SourceKMSKeyArn",
            "TenancyConfig",
            "DurableConfig",
            "CapacityProviderConfig",
            "FunctionScalingConfig",
            "PublishToLatestPublished",
            "VersionDeletionPolicy",
        ],
    ),
    (
        "Api",
        &[
            "Auth",
            "Name",
            "DefinitionUri",
            "CacheClusterEnabled",
            "CacheClusterSize",
            "MergeDefinitions",
            "Variables",
            "EndpointConfiguration",
            "MethodSettings",
            "BinaryMediaTypes",
            "MinimumCompressionSize",
            "Cors",
            "GatewayResponses",
            "AccessLogSetting",
            "CanarySetting",
            "TracingEnabled",
            "OpenApiVersion",
            "Domain",
            "AlwaysDeploy",
            "PropagateTags",
            "SecurityPolicy",
            "EndpointAccessMode",
        ],
    ),
    (
        "HttpApi",
        &[
            "Auth",
            "AccessLogSettings",
            "StageVariables",
            "Tags",
            "CorsConfiguration",
            "DefaultRouteSettings",
            "Domain",
            "RouteSettings",
            "FailOnWarnings",
            "PropagateTags",
        ],
    ),
    ("SimpleTable", &["SSESpecification"]),
    ("StateMachine", &["PropagateTags"]),
    ("LayerVersion", &["PublishLambdaVersion"]),
];

/// Resource attributes SAM copies onto every resource it generates.
const PASSTHROUGH_ATTRS: &[&str] = &["Condition", "DeletionPolicy", "UpdateReplacePolicy"];
/// Resource attributes the main generated resource (the Lambda function...) keeps.
const PRIMARY_ATTRS: &[&str] = &[
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "DependsOn",
    "Metadata",
    "UpdatePolicy",
];

fn attrs_of(res: &Map, keys: &[&str]) -> Map {
    keys.iter()
        .filter_map(|k| res.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect()
}

fn resource(rtype: &str, props: Map, loc: &Option<Loc>, attrs: &Map) -> Node {
    let mut m = Map::new();
    m.insert("Type".into(), text(rtype, loc));
    m.insert("Properties".into(), map_node(props, loc));
    for (k, v) in attrs {
        m.insert(k.clone(), v.clone());
    }
    map_node(m, loc)
}

/// The inline policy `<logical>Policy` of an event SAM would add permissions for, unknown
/// since those permissions are not modelled (so the function role is never read as complete).
fn unmodelled_event_policy(
    role: Option<&mut RoleParts>,
    logical: &str,
    ev_id: &str,
    loc: &Option<Loc>,
) {
    if let Some(r) = role {
        r.inline.push(named_policy(
            &format!("{logical}Policy"),
            unknown(
                format!("the permissions SAM adds for event `{ev_id}` are not modelled"),
                loc,
            ),
            loc,
        ));
    }
}

/// An empty map, for a missing `Properties`.
static EMPTY_MAP: Map = BTreeMap::new();

/// The `Properties` map of a resource or event (empty when absent or not a map).
fn properties_of(res: &Map) -> &Map {
    res.get("Properties")
        .and_then(Node::as_map)
        .unwrap_or(&EMPTY_MAP)
}

/// The main resource a SAM resource becomes (same logical ID), keeping its
/// [`PRIMARY_ATTRS`].
fn primary(rtype: &str, props: Map, res: &Map, loc: &Option<Loc>) -> Node {
    resource(rtype, props, loc, &attrs_of(res, PRIMARY_ATTRS))
}

/// An S3 location property (`DefinitionUri`, `ContentUri`) as `keys`; a local path, which the
/// SAM CLI uploads at deploy time, is unknown.
fn packaged(uri: &Node, keys: [&str; 3], what: &str, id: &str) -> Node {
    s3_location(uri, keys).unwrap_or_else(|| {
        unknown(
            format!("`{what}` of `{id}` is packaged by the SAM CLI at deploy time"),
            &uri.loc,
        )
    })
}

fn copy_props(from: &Map, to: &mut Map, keys: &[&str]) {
    for k in keys {
        if let Some(v) = from.get(*k) {
            to.insert((*k).to_string(), v.clone());
        }
    }
}

fn copy_renamed(from: &Map, to: &mut Map, pairs: &[(&str, &str)]) {
    for (src, dst) in pairs {
        if let Some(v) = from.get(*src) {
            to.insert((*dst).to_string(), v.clone());
        }
    }
}

/// Push unless an equal value (locations aside) is already there, as SAM de-duplicates
/// managed policy ARNs.
fn push_dedup(list: &mut Vec<Node>, n: Node) {
    let j = n.value.to_json();
    if n.value.contains_unknown() || !list.iter().any(|x| x.value.to_json() == j) {
        list.push(n);
    }
}

// ---------------------------------------------------------------------------------------------
// The transform

/// Expand the SAM transform in `template` (a parsed template, intrinsics unresolved), in place.
///
/// Does nothing unless `Transform` names [`SAM_TRANSFORM`] (then a template with
/// `AWS::Serverless::*` resources gets a note). Removes `Globals` and the SAM entry of
/// `Transform` (other transforms stay). Invalid SAM input that SAM would reject is an error in
/// `errors`; what is not expanded is a note in `notes`.
pub fn transform(template: &mut Node, errors: &mut Vec<ScanError>, notes: &mut Vec<Note>) {
    let file = template
        .loc
        .as_ref()
        .map(|l| l.file.to_string())
        .unwrap_or_default();
    let Value::Map(top) = &mut template.value else {
        return;
    };
    if !names_sam(top.get("Transform")) {
        if let Some(res) = top.get("Resources").and_then(Node::as_map) {
            if let Some((id, r)) = res.iter().find(|(_, r)| {
                r.get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.starts_with("AWS::Serverless::"))
            }) {
                let (f, line) = where_(&r.loc, &file);
                notes.push(Note {
                    file: f,
                    line,
                    message: format!(
                        "`{id}` is a SAM resource but the template does not declare `Transform: {SAM_TRANSFORM}`; SAM resources are not expanded"
                    ),
                });
            }
        }
        return;
    }
    let globals = top.remove("Globals");
    let resources = match top.get_mut("Resources") {
        Some(Node {
            value: Value::Map(m),
            ..
        }) => std::mem::take(m),
        _ => Map::new(),
    };
    let mut sam = Sam {
        file,
        errors,
        notes,
        out: Map::new(),
        types: BTreeMap::new(),
        rest_routes: BTreeMap::new(),
        http_routes: BTreeMap::new(),
        bucket_events: Vec::new(),
        conditions: Map::new(),
        api_stages: BTreeMap::new(),
        refs: BTreeMap::new(),
        exec_roles: BTreeMap::new(),
        connectors: Vec::new(),
    };
    let expanded = sam.run(resources, globals.as_ref());
    let new_conditions = std::mem::take(&mut sam.conditions);
    let refs = std::mem::take(&mut sam.refs);
    if let Some(Node {
        value: Value::Map(m),
        ..
    }) = top.get_mut("Resources")
    {
        *m = expanded;
    }
    if !new_conditions.is_empty() {
        let entry = top
            .entry("Conditions".to_string())
            .or_insert_with(|| Node::new(Value::Map(Map::new()), None));
        if let Value::Map(c) = &mut entry.value {
            for (k, v) in new_conditions {
                c.entry(k).or_insert(v);
            }
        }
    }
    remove_sam_transform(top);
    if !refs.is_empty() {
        for (k, v) in top.iter_mut() {
            if k != "Parameters" && k != "Mappings" {
                rewrite_refs(v, &refs);
            }
        }
    }
}

/// Rewrite SAM's referenceable properties (`!Ref MyFunction.Alias`, `!GetAtt MyApi.Stage...`,
/// `${MyApi.Stage}` in `Fn::Sub`) to the generated resources they name.
fn rewrite_refs(n: &mut Node, refs: &BTreeMap<String, String>) {
    match &mut n.value {
        Value::Map(m) if m.len() == 1 => {
            if let Some(Node {
                value: Value::String(s),
                ..
            }) = m.get_mut("Ref")
            {
                if let Some(id) = refs.get(s.as_str()) {
                    *s = id.clone();
                }
                return;
            }
            if let Some(Node {
                value: Value::List(l),
                ..
            }) = m.get_mut("Fn::GetAtt")
            {
                if let Some(Node {
                    value: Value::String(s),
                    ..
                }) = l.first_mut()
                {
                    if let Some(id) = refs.get(s.as_str()) {
                        *s = id.clone();
                    }
                }
                return;
            }
            if let Some(sub) = m.get_mut("Fn::Sub") {
                match &mut sub.value {
                    Value::String(s) => *s = rewrite_sub(s, refs),
                    Value::List(l) => {
                        if let Some(Node {
                            value: Value::String(s),
                            ..
                        }) = l.first_mut()
                        {
                            *s = rewrite_sub(s, refs);
                        }
                        for v in l.iter_mut().skip(1) {
                            rewrite_refs(v, refs);
                        }
                    }
                    _ => {}
                }
                return;
            }
            m.values_mut().for_each(|v| rewrite_refs(v, refs));
        }
        Value::Map(m) => m.values_mut().for_each(|v| rewrite_refs(v, refs)),
        Value::List(l) => l.iter_mut().for_each(|v| rewrite_refs(v, refs)),
        _ => {}
    }
}

/// `${MyApi.Stage}` -> `${MyApiProdStage}`, `${MyFunction.Alias.Arn}` -> `${MyFunctionAliaslive.Arn}`.
fn rewrite_sub(s: &str, refs: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let Some(end) = after.find('}') else {
            rest = after;
            break;
        };
        let (token, tail) = after.split_at(end);
        let inner = token.get(2..).unwrap_or_default();
        let replaced = refs.iter().find_map(|(k, id)| {
            if inner == k {
                Some(id.clone())
            } else {
                inner
                    .strip_prefix(k.as_str())
                    .and_then(|r| r.strip_prefix('.'))
                    .map(|attr| format!("{id}.{attr}"))
            }
        });
        match replaced {
            Some(r) if !inner.starts_with('!') => {
                out.push_str("${");
                out.push_str(&r);
            }
            _ => out.push_str(token),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

fn names_sam(t: Option<&Node>) -> bool {
    match t.map(|n| &n.value) {
        Some(Value::String(s)) => s == SAM_TRANSFORM,
        Some(Value::List(l)) => l.iter().any(|n| n.as_str() == Some(SAM_TRANSFORM)),
        _ => false,
    }
}

fn remove_sam_transform(top: &mut Map) {
    let remove = match top.get_mut("Transform") {
        Some(Node {
            value: Value::String(s),
            ..
        }) => s == SAM_TRANSFORM,
        Some(Node {
            value: Value::List(l),
            ..
        }) => {
            l.retain(|n| n.as_str() != Some(SAM_TRANSFORM));
            l.is_empty()
        }
        _ => false,
    };
    if remove {
        top.remove("Transform");
    }
}

fn where_(loc: &Option<Loc>, file: &str) -> (String, u32) {
    match loc {
        Some(l) => (l.file.to_string(), l.line),
        None => (file.to_string(), 0),
    }
}

/// A route of an API, from a function's `Api`/`HttpApi` event.
struct Route {
    path: String,
    /// Lowercase HTTP method, `any` for every method.
    method: String,
    /// What `${...}` in the integration URI names: `Fn.Arn`, or the alias ID.
    target_var: String,
    loc: Option<Loc>,
}

/// Where an event's function is reached: the function, or its alias.
struct Target {
    /// `FunctionName` of permissions and mappings (`Ref` to the function or alias).
    name: Node,
    /// ARN for rule targets and subscriptions.
    arn: Node,
    /// `${...}` variable for the ARN inside `Fn::Sub`.
    sub_var: String,
}

/// A connector waiting for every role to be known: `(connector ID, source ID, connector
/// properties, location, resource attributes)`.
type PendingConnector = (String, Option<String>, Node, Option<Loc>, Map);

/// Policies of a role being generated.
#[derive(Default)]
struct RoleParts {
    managed: Vec<Node>,
    inline: Vec<Node>,
}

struct Sam<'a> {
    file: String,
    errors: &'a mut Vec<ScanError>,
    notes: &'a mut Vec<Note>,
    /// The resulting `Resources`.
    out: Map,
    /// Type of every resource of the input (after implicit APIs are added).
    types: BTreeMap<String, String>,
    rest_routes: BTreeMap<String, Vec<Route>>,
    http_routes: BTreeMap<String, Vec<Route>>,
    /// `(bucket logical ID, LambdaConfiguration, permission ID)` from S3 events.
    bucket_events: Vec<(String, Node, String)>,
    /// Conditions SAM adds to the template.
    conditions: Map,
    /// `StageName` of each `AWS::Serverless::Api` (when a string), for `Api` event permissions.
    api_stages: BTreeMap<String, String>,
    /// SAM's referenceable properties: `MyFunction.Alias` -> the generated alias ID.
    refs: BTreeMap<String, String>,
    /// Execution role (logical ID in this template) of each function and state machine.
    exec_roles: BTreeMap<String, String>,
    /// Connectors, expanded last: `(connector ID, source ID, connector properties, loc,
    /// resource attributes)`.
    connectors: Vec<PendingConnector>,
}

impl Sam<'_> {
    fn error(&mut self, loc: &Option<Loc>, message: String) {
        let (file, line) = where_(loc, &self.file);
        self.errors.push(ScanError {
            file,
            line,
            message,
        });
    }

    fn note(&mut self, loc: &Option<Loc>, message: String) {
        let (file, line) = where_(loc, &self.file);
        self.notes.push(Note {
            file,
            line,
            message,
        });
    }

    /// Add a generated resource, unless the template already has one by that ID.
    fn emit(&mut self, id: String, res: Node, from: &str) {
        if self.out.contains_key(&id) || (self.types.contains_key(&id) && id != from) {
            let loc = res.loc.clone();
            self.error(
                &loc,
                format!(
                    "SAM would generate `{id}` for `{from}`, but the template already has a resource with that logical ID"
                ),
            );
            return;
        }
        self.out.insert(id, res);
    }

    fn run(&mut self, mut resources: Map, globals: Option<&Node>) -> Map {
        self.add_implicit_apis(&mut resources);
        if let Some(g) = globals {
            self.apply_globals(&mut resources, g);
        }
        for (id, r) in &resources {
            let t = r.get("Type").and_then(Node::as_str).unwrap_or_default();
            self.types.insert(id.clone(), t.to_string());
            if t == "AWS::Serverless::Api" {
                if let Some(s) = r.path("Properties.StageName").and_then(Node::as_str) {
                    self.api_stages.insert(id.clone(), s.to_string());
                }
            }
        }
        let mut deferred = Vec::new();
        for (id, r) in &resources {
            let t = r.get("Type").and_then(Node::as_str).unwrap_or_default();
            if !t.starts_with("AWS::Serverless::") {
                self.out.insert(id.clone(), r.clone());
            }
        }
        for (id, r) in &resources {
            let Some(res) = r.as_map() else { continue };
            let t = r.get("Type").and_then(Node::as_str).unwrap_or_default();
            match t {
                "AWS::Serverless::Function" => self.function(id, res, &r.loc),
                "AWS::Serverless::StateMachine" => self.state_machine(id, res, &r.loc),
                "AWS::Serverless::SimpleTable" => self.simple_table(id, res, &r.loc),
                "AWS::Serverless::LayerVersion" => self.layer(id, res, &r.loc),
                "AWS::Serverless::Application" => self.application(id, res, &r.loc),
                "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => deferred.push(id),
                "AWS::Serverless::Connector" => {
                    let props = r
                        .get("Properties")
                        .cloned()
                        .unwrap_or_else(|| map_node(Map::new(), &r.loc));
                    let source = props
                        .path("Source.Id")
                        .and_then(Node::as_str)
                        .map(str::to_string);
                    self.connectors.push((
                        id.clone(),
                        source,
                        props,
                        r.loc.clone(),
                        attrs_of(res, PASSTHROUGH_ATTRS),
                    ));
                }
                t if t.starts_with("AWS::Serverless::") => {
                    self.note(
                        &r.loc,
                        format!(
                            "`{id}` (`{t}`) is not expanded: the resources and permissions SAM generates for it are not modelled"
                        ),
                    );
                    self.out.insert(id.clone(), r.clone());
                }
                _ => {}
            }
        }
        for id in deferred {
            let Some(r) = resources.get(id) else { continue };
            let Some(res) = r.as_map() else { continue };
            match r.get("Type").and_then(Node::as_str) {
                Some("AWS::Serverless::Api") => self.rest_api(id, res, &r.loc),
                Some("AWS::Serverless::HttpApi") => self.http_api(id, res, &r.loc),
                _ => {}
            }
        }
        for (id, source, props, loc, attrs) in std::mem::take(&mut self.connectors) {
            self.connector(&id, source.as_deref(), &props, &loc, &attrs);
        }
        self.apply_bucket_events();
        std::mem::take(&mut self.out)
    }

    /// `ServerlessRestApi` / `ServerlessHttpApi` for events that name no API.
    fn add_implicit_apis(&mut self, resources: &mut Map) {
        // Per implicit API: where the first event naming it is, and the condition of each
        // function with such an event (`None`: a function without condition).
        let mut rest: Option<(Option<Loc>, BTreeSet<Option<String>>)> = None;
        let mut http: Option<(Option<Loc>, BTreeSet<Option<String>>)> = None;
        for r in resources.values() {
            if r.get("Type").and_then(Node::as_str) != Some("AWS::Serverless::Function") {
                continue;
            }
            let Some(events) = r.path("Properties.Events").and_then(Node::as_map) else {
                continue;
            };
            let cond = r
                .get("Condition")
                .and_then(Node::as_str)
                .map(str::to_string);
            for ev in events.values() {
                let kind = ev.get("Type").and_then(Node::as_str);
                let props = ev.get("Properties");
                let slot = match kind {
                    Some("Api") if props.and_then(|p| p.get("RestApiId")).is_none() => &mut rest,
                    Some("HttpApi") if props.and_then(|p| p.get("ApiId")).is_none() => &mut http,
                    _ => continue,
                };
                slot.get_or_insert_with(|| (ev.loc.clone(), BTreeSet::new()))
                    .1
                    .insert(cond.clone());
            }
        }
        for (id, rtype, found, stage) in [
            ("ServerlessRestApi", "AWS::Serverless::Api", rest, true),
            ("ServerlessHttpApi", "AWS::Serverless::HttpApi", http, false),
        ] {
            let Some((loc, conds)) = found else { continue };
            if resources.contains_key(id) {
                continue;
            }
            let props = if stage {
                entries(vec![("StageName", text("Prod", &loc))], &loc)
            } else {
                map_node(Map::new(), &loc)
            };
            let mut m = vec![("Type", text(rtype, &loc)), ("Properties", props)];
            // As SAM: the implicit API exists only when one of its functions does, when every
            // function that adds a route to it has a condition.
            let names: Vec<String> = conds.iter().flatten().cloned().collect();
            if !conds.contains(&None) {
                match names.as_slice() {
                    [one] => m.push(("Condition", text(one.clone(), &loc))),
                    [] => {}
                    many => {
                        let name = format!("{id}Condition");
                        let conds: Vec<Node> = many
                            .iter()
                            .map(|c| call("Condition", text(c.clone(), &loc), &loc))
                            .collect();
                        let any = or_of(conds, &loc);
                        self.conditions.insert(name.clone(), any);
                        m.push(("Condition", text(name, &loc)));
                    }
                }
            }
            resources.insert(id.into(), entries(m, &loc));
        }
    }

    fn apply_globals(&mut self, resources: &mut Map, globals: &Node) {
        let Some(sections) = globals.as_map() else {
            self.error(&globals.loc, "`Globals` must be a map".into());
            return;
        };
        for (section, props) in sections {
            let Some((_, supported)) = GLOBAL_PROPERTIES.iter().find(|(s, _)| s == section) else {
                self.error(
                    &props.loc,
                    format!("`Globals` section `{section}` is not supported by SAM"),
                );
                continue;
            };
            let Some(pmap) = props.as_map() else {
                self.error(&props.loc, format!("`Globals.{section}` must be a map"));
                continue;
            };
            let mut global = Map::new();
            for (k, v) in pmap {
                if supported.contains(&k.as_str()) {
                    global.insert(k.clone(), v.clone());
                } else {
                    self.error(
                        &v.loc,
                        format!("`{k}` is not a supported property of `Globals.{section}`"),
                    );
                }
            }
            let rtype = format!("AWS::Serverless::{section}");
            for r in resources.values_mut() {
                if r.get("Type").and_then(Node::as_str) != Some(rtype.as_str()) {
                    continue;
                }
                let rloc = r.loc.clone();
                let Value::Map(rm) = &mut r.value else {
                    continue;
                };
                let pnode = rm
                    .entry("Properties".to_string())
                    .or_insert_with(|| Node::new(Value::Map(Map::new()), rloc.clone()));
                let Value::Map(local) = &mut pnode.value else {
                    continue;
                };
                for (k, g) in &global {
                    let merged = match local.remove(k) {
                        Some(l) => merge_global(g, l),
                        None => g.clone(),
                    };
                    local.insert(k.clone(), merged);
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Policies

    /// Expand a `Policies` property into managed policy ARNs and inline policies of the role
    /// `role_id` (inline ones named `<role_id>Policy<index>`, as SAM names them).
    fn policies(
        &mut self,
        owner: &str,
        role_id: &str,
        policies: Option<&Node>,
        parts: &mut RoleParts,
    ) {
        let Some(p) = policies else { return };
        let list: Vec<&Node> = match &p.value {
            Value::Null => Vec::new(),
            Value::List(l) => l.iter().collect(),
            _ => vec![p],
        };
        for (i, entry) in list.into_iter().enumerate() {
            let name = format!("{role_id}Policy{i}");
            if let Some((cond, a, b)) = if_args(entry) {
                let ka = (!is_no_value(a)).then(|| policy_kind(a));
                let kb = (!is_no_value(b)).then(|| policy_kind(b));
                let kind = match (&ka, &kb) {
                    (Some(x), Some(y)) if x.same_kind(y) => Some(x.clone()),
                    (Some(_), Some(_)) => None,
                    (Some(x), None) | (None, Some(x)) => Some(x.clone()),
                    (None, None) => continue,
                };
                match kind {
                    Some(PolicyKind::Managed) => {
                        let conv = |s: &mut Self, n: &Node| {
                            if is_no_value(n) {
                                n.clone()
                            } else {
                                s.managed_arn(owner, n)
                            }
                        };
                        let (ca, cb) = (conv(self, a), conv(self, b));
                        let n = call(
                            "Fn::If",
                            list_node(vec![cond.clone(), ca, cb], &entry.loc),
                            &entry.loc,
                        );
                        push_dedup(&mut parts.managed, n);
                    }
                    Some(PolicyKind::Statement | PolicyKind::Template(_)) => {
                        let ca = self.inline_doc(owner, role_id, &name, a);
                        let cb = self.inline_doc(owner, role_id, &name, b);
                        let n = call(
                            "Fn::If",
                            list_node(vec![cond.clone(), ca, cb], &entry.loc),
                            &entry.loc,
                        );
                        parts.inline.push(n);
                    }
                    Some(PolicyKind::Invalid) | None => {
                        let reason = format!(
                            "entry {i} of `Policies` of `{owner}` is an `Fn::If` whose branches are not policies of one kind; the permissions of `{role_id}` are unknown"
                        );
                        self.error(&entry.loc, reason.clone());
                        parts.inline.push(named_policy(
                            &name,
                            unknown(reason, &entry.loc),
                            &entry.loc,
                        ));
                    }
                }
                continue;
            }
            match policy_kind(entry) {
                PolicyKind::Managed => {
                    let n = self.managed_arn(owner, entry);
                    push_dedup(&mut parts.managed, n);
                }
                PolicyKind::Statement | PolicyKind::Template(_) | PolicyKind::Invalid => {
                    let n = self.inline_doc(owner, role_id, &name, entry);
                    parts.inline.push(n);
                }
            }
        }
    }

    /// `{PolicyName, PolicyDocument}` for an inline document or a policy template (or
    /// `AWS::NoValue` as is); a document that cannot be expanded is unknown.
    fn inline_doc(&mut self, owner: &str, role_id: &str, name: &str, entry: &Node) -> Node {
        if is_no_value(entry) {
            return entry.clone();
        }
        let loc = &entry.loc;
        let doc = match policy_kind(entry) {
            PolicyKind::Statement => entry.clone(),
            PolicyKind::Template(t) => match self.expand_template(owner, &t, entry) {
                Ok(doc) => doc,
                Err(reason) => unknown(
                    format!("{reason}; the permissions of `{role_id}` are unknown"),
                    loc,
                ),
            },
            PolicyKind::Managed | PolicyKind::Invalid => {
                let what = entry
                    .as_map()
                    .and_then(|m| m.keys().next().cloned())
                    .unwrap_or_else(|| entry.value.type_name().to_string());
                let reason = format!(
                    "policy `{what}` in `Policies` of `{owner}` is neither a policy document, a managed policy nor a SAM policy template moat knows; the permissions of `{role_id}` are unknown"
                );
                self.note(loc, reason.clone());
                unknown(reason, loc)
            }
        };
        named_policy(name, doc, loc)
    }

    /// The statements of a SAM policy template with its parameters substituted.
    fn expand_template(&mut self, owner: &str, name: &str, entry: &Node) -> Result<Node, String> {
        let loc = &entry.loc;
        let Some((params, def)) = policy_templates().get(name) else {
            return Err(format!("policy template `{name}` is unknown"));
        };
        let given = entry.get(name);
        let values: Map = match given.map(|g| &g.value) {
            Some(Value::Map(m)) if intrinsic(given.unwrap_or(entry)).is_none() => m.clone(),
            Some(Value::Null) | None if params.is_empty() => Map::new(),
            _ => {
                let reason = format!(
                    "policy template `{name}` in `Policies` of `{owner}` needs a map of parameter values"
                );
                self.error(loc, reason.clone());
                return Err(reason);
            }
        };
        let missing: Vec<&str> = params
            .iter()
            .filter(|p| !values.contains_key(p.as_str()))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let reason = format!(
                "policy template `{name}` in `Policies` of `{owner}` lacks parameter(s) `{}`",
                missing.join("`, `")
            );
            self.error(loc, reason.clone());
            return Err(reason);
        }
        let mut doc = from_json(def.clone(), loc);
        let names: BTreeSet<&str> = params.iter().map(String::as_str).collect();
        substitute(&mut doc, &values, &names);
        Ok(doc)
    }

    /// A managed policy entry as an ARN: a name SAM knows becomes its ARN.
    fn managed_arn(&mut self, owner: &str, entry: &Node) -> Node {
        let Some(s) = entry.as_str() else {
            return entry.clone();
        };
        if s.starts_with("arn:") {
            return entry.clone();
        }
        match managed_policies().get(s) {
            Some(path) => aws_managed_arn(path, &entry.loc),
            None => {
                self.note(
                    &entry.loc,
                    format!(
                        "`{s}` in `Policies` of `{owner}` is not an AWS managed policy name SAM knows; it is used as written"
                    ),
                );
                entry.clone()
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_role(
        &mut self,
        owner: &str,
        role_id: &str,
        trust: Node,
        parts: RoleParts,
        props: &Map,
        tags: Option<Node>,
        loc: &Option<Loc>,
        attrs: &Map,
    ) {
        let mut r = Map::new();
        r.insert("AssumeRolePolicyDocument".into(), trust);
        r.insert("ManagedPolicyArns".into(), list_node(parts.managed, loc));
        if !parts.inline.is_empty() {
            r.insert("Policies".into(), list_node(parts.inline, loc));
        }
        copy_renamed(
            props,
            &mut r,
            &[
                ("RolePath", "Path"),
                ("PermissionsBoundary", "PermissionsBoundary"),
            ],
        );
        if let Some(t) = tags {
            r.insert("Tags".into(), t);
        }
        self.emit(
            role_id.to_string(),
            resource("AWS::IAM::Role", r, loc, attrs),
            owner,
        );
    }

    // -----------------------------------------------------------------------------------------
    // AWS::Serverless::Function

    fn function(&mut self, id: &str, res: &Map, loc: &Option<Loc>) {
        let props = properties_of(res);
        let attrs = attrs_of(res, PASSTHROUGH_ATTRS);
        let mut f = Map::new();
        copy_props(
            props,
            &mut f,
            &[
                "FunctionName",
                "Handler",
                "Runtime",
                "Description",
                "MemorySize",
                "Timeout",
                "VpcConfig",
                "Environment",
                "KmsKeyArn",
                "ReservedConcurrentExecutions",
                "Layers",
                "FileSystemConfigs",
                "ImageConfig",
                "PackageType",
                "Architectures",
                "SnapStart",
                "EphemeralStorage",
                "CodeSigningConfigArn",
                "RuntimeManagementConfig",
                "LoggingConfig",
                "TenancyConfig",
                "RecursiveLoop",
                "DurableConfig",
                "FunctionScalingConfig",
                "PublishToLatestPublished",
            ],
        );
        if let Some(code) = self.code(id, props, loc) {
            f.insert("Code".into(), code);
        }
        let tracing = props
            .get("Tracing")
            .filter(|t| t.as_str() != Some("Disabled") && !t.is_null());
        if let Some(t) = tracing {
            f.insert(
                "TracingConfig".into(),
                entries(vec![("Mode", t.clone())], &t.loc),
            );
        }
        let tags = tag_list(props.get("Tags"), Some(("lambda:createdBy", "SAM")), loc);
        if let Some(t) = &tags {
            f.insert("Tags".into(), t.clone());
        }
        for k in ["DeploymentPreference", "CapacityProviderConfig"] {
            if let Some(v) = props.get(k) {
                self.note(
                    &v.loc,
                    format!("`{k}` of `{id}` is not expanded (the resources SAM generates for it are not modelled)"),
                );
            }
        }

        // The execution role.
        let role_id = format!("{id}Role");
        let mut parts = RoleParts::default();
        let durable = props.contains_key("DurableConfig");
        parts.managed.push(aws_managed_arn(
            if durable {
                "service-role/AWSLambdaBasicDurableExecutionRolePolicy"
            } else {
                "service-role/AWSLambdaBasicExecutionRole"
            },
            loc,
        ));
        if let Some(t) = tracing {
            parts
                .managed
                .push(aws_managed_arn("AWSXrayWriteOnlyAccess", &t.loc));
        }
        if let Some(v) = props.get("VpcConfig") {
            parts.managed.push(aws_managed_arn(
                "service-role/AWSLambdaVPCAccessExecutionRole",
                &v.loc,
            ));
        }
        if let Some(dlq) = props.get("DeadLetterQueue") {
            let target = dlq.get("TargetArn").cloned();
            let action = match dlq.get("Type").and_then(Node::as_str) {
                Some("SQS") => Some("sqs:SendMessage"),
                Some("SNS") => Some("sns:Publish"),
                _ => None,
            };
            match (target, action) {
                (Some(target), Some(action)) => {
                    f.insert(
                        "DeadLetterConfig".into(),
                        entries(vec![("TargetArn", target.clone())], &dlq.loc),
                    );
                    let doc = entries(
                        vec![
                            ("Version", text("2012-10-17", &dlq.loc)),
                            (
                                "Statement",
                                list_node(
                                    vec![entries(
                                        vec![
                                            ("Action", text(action, &dlq.loc)),
                                            ("Resource", target),
                                            ("Effect", text("Allow", &dlq.loc)),
                                        ],
                                        &dlq.loc,
                                    )],
                                    &dlq.loc,
                                ),
                            ),
                        ],
                        &dlq.loc,
                    );
                    parts
                        .inline
                        .push(named_policy("DeadLetterQueuePolicy", doc, &dlq.loc));
                }
                _ => self.error(
                    &dlq.loc,
                    format!(
                        "`DeadLetterQueue` of `{id}` needs `Type` (`SQS` or `SNS`) and `TargetArn`"
                    ),
                ),
            }
        }

        // AutoPublishAlias: a version and an alias; events then target the alias.
        let mut alias: Option<(String, String)> = None;
        if let Some(a) = props.get("AutoPublishAlias") {
            match a.as_str() {
                Some(name) if !name.is_empty() => {
                    let alias_id = format!("{id}Alias{}", name.replace('-', "D").replace('_', "U"));
                    let mut basis = Map::new();
                    for k in ["Code", "Environment", "MemorySize"] {
                        if let Some(v) = f.get(k) {
                            basis.insert(k.into(), v.clone());
                        }
                    }
                    let version_id = format!("{id}Version{}", hash10(&Value::Map(basis)));
                    let mut v = Map::new();
                    v.insert("FunctionName".into(), ref_to(id, &a.loc));
                    copy_renamed(props, &mut v, &[("VersionDescription", "Description")]);
                    let mut vattrs = attrs.clone();
                    vattrs
                        .entry("DeletionPolicy".into())
                        .or_insert_with(|| text("Retain", &a.loc));
                    self.emit(
                        version_id.clone(),
                        resource("AWS::Lambda::Version", v, &a.loc, &vattrs),
                        id,
                    );
                    let mut al = Map::new();
                    al.insert("Name".into(), a.clone());
                    al.insert("FunctionName".into(), ref_to(id, &a.loc));
                    al.insert(
                        "FunctionVersion".into(),
                        get_att(&version_id, "Version", &a.loc),
                    );
                    copy_props(props, &mut al, &["ProvisionedConcurrencyConfig"]);
                    self.emit(
                        alias_id.clone(),
                        resource("AWS::Lambda::Alias", al, &a.loc, &attrs),
                        id,
                    );
                    self.refs.insert(format!("{id}.Alias"), alias_id.clone());
                    self.refs.insert(format!("{id}.Version"), version_id);
                    alias = Some((alias_id, name.to_string()));
                }
                _ => self.note(
                    &a.loc,
                    format!("`AutoPublishAlias` of `{id}` is not a plain string: its version and alias are not expanded"),
                ),
            }
        }
        let target = match &alias {
            Some((alias_id, _)) => Target {
                name: ref_to(alias_id, loc),
                arn: ref_to(alias_id, loc),
                sub_var: alias_id.clone(),
            },
            None => Target {
                name: ref_to(id, loc),
                arn: get_att(id, "Arn", loc),
                sub_var: format!("{id}.Arn"),
            },
        };

        if let Some(url) = props.get("FunctionUrlConfig") {
            self.function_url(id, url, &target, &attrs);
        }
        if let Some(cfg) = props.get("EventInvokeConfig") {
            self.event_invoke_config(id, cfg, alias.as_ref(), &attrs, &mut parts);
        }

        // Role decision (as SAM: no `Role` -> generate; `Fn::If` with `AWS::NoValue` -> generate
        // under a condition).
        let mut make_role = false;
        let mut role_condition: Option<Node> = None;
        match props.get("Role") {
            None => {
                f.insert("Role".into(), get_att(&role_id, "Arn", loc));
                make_role = true;
            }
            Some(r) => {
                if let Some((cond, a, b)) = if_args(r) {
                    let arn = get_att(&role_id, "Arn", &r.loc);
                    let if_node = |x: Node, y: Node| {
                        call(
                            "Fn::If",
                            list_node(vec![cond.clone(), x, y], &r.loc),
                            &r.loc,
                        )
                    };
                    match (is_no_value(a), is_no_value(b)) {
                        (true, true) => {
                            f.insert("Role".into(), arn);
                            make_role = true;
                        }
                        (true, false) => {
                            f.insert("Role".into(), if_node(arn, b.clone()));
                            role_condition = Some(cond.clone());
                            make_role = true;
                        }
                        (false, true) => {
                            f.insert("Role".into(), if_node(a.clone(), arn));
                            if let Some(c) = cond.as_str() {
                                let not = format!("NOT{c}");
                                self.conditions.insert(
                                    not.clone(),
                                    call(
                                        "Fn::Not",
                                        list_node(
                                            vec![call("Condition", cond.clone(), &r.loc)],
                                            &r.loc,
                                        ),
                                        &r.loc,
                                    ),
                                );
                                role_condition = Some(text(not, &r.loc));
                            }
                            make_role = true;
                        }
                        (false, false) => {
                            f.insert("Role".into(), r.clone());
                        }
                    }
                } else {
                    f.insert("Role".into(), r.clone());
                }
                if !make_role {
                    if let Some(p) = props.get("Policies") {
                        self.note(
                            &p.loc,
                            format!("`Policies` of `{id}` are ignored because `Role` is given (as SAM does)"),
                        );
                    }
                }
            }
        }
        if make_role {
            self.policies(id, &role_id, props.get("Policies"), &mut parts);
        }
        self.record_exec_role(id, make_role.then_some(role_id.as_str()), props.get("Role"));
        if let Some(embedded) = props.get("Connectors") {
            match embedded.as_map() {
                Some(m) => {
                    for (name, c) in m {
                        let cprops = c
                            .get("Properties")
                            .cloned()
                            .unwrap_or_else(|| map_node(Map::new(), &c.loc));
                        self.connectors.push((
                            format!("{id}{name}"),
                            Some(id.to_string()),
                            cprops,
                            c.loc.clone(),
                            attrs.clone(),
                        ));
                    }
                }
                None => self.error(
                    &embedded.loc,
                    format!("`Connectors` of `{id}` must be a map"),
                ),
            }
        }

        // Events.
        if let Some(events) = props.get("Events") {
            match events.as_map() {
                Some(evs) => {
                    for (ev_id, ev) in evs {
                        let role = make_role.then_some(&mut parts);
                        self.event(id, &role_id, ev_id, ev, &target, role, &attrs);
                    }
                }
                None => self.error(&events.loc, format!("`Events` of `{id}` must be a map")),
            }
        }

        if make_role {
            let trust = props
                .get("AssumeRolePolicyDocument")
                .cloned()
                .unwrap_or_else(|| service_trust("lambda.amazonaws.com", loc));
            let mut rattrs = attrs.clone();
            if let Some(c) = role_condition {
                rattrs.insert("Condition".into(), c);
            }
            self.emit_role(id, &role_id, trust, parts, props, tags, loc, &rattrs);
        }

        self.out.insert(
            id.to_string(),
            primary("AWS::Lambda::Function", f, res, loc),
        );
    }

    /// Remember the execution role of a function or state machine: the generated one, or an
    /// `AWS::IAM::Role` of the template named by `Role: !GetAtt R.Arn`.
    fn record_exec_role(&mut self, id: &str, generated: Option<&str>, role: Option<&Node>) {
        let role = generated.map(str::to_string).or_else(|| {
            let r = role?;
            let (name, args) = intrinsic(r)?;
            let target = match (name, args.as_list()) {
                ("Fn::GetAtt", Some([t, a])) if a.as_str() == Some("Arn") => t.as_str()?,
                _ => return None,
            };
            (self.types.get(target).map(String::as_str) == Some("AWS::IAM::Role"))
                .then(|| target.to_string())
        });
        if let Some(r) = role {
            self.exec_roles.insert(id.to_string(), r);
        }
    }

    /// A connector (`AWS::Serverless::Connector` or an entry of a function's `Connectors`).
    /// Its access profiles are not expanded; when its source is a function or state machine
    /// whose role is in this template, SAM attaches a managed policy to that role: it is
    /// written with an unknown document, so the role's permissions are never read as complete.
    fn connector(
        &mut self,
        id: &str,
        source: Option<&str>,
        props: &Node,
        loc: &Option<Loc>,
        attrs: &Map,
    ) {
        let role = source.and_then(|s| self.exec_roles.get(s).cloned());
        let Some(role) = role else {
            self.note(
                loc,
                format!("connector `{id}` is not expanded: the permissions or resource policies SAM generates for it are not modelled"),
            );
            return;
        };
        let reason = format!(
            "the permissions connector `{id}` grants to `{role}` are not modelled; the permissions of `{role}` are unknown"
        );
        self.note(loc, format!("connector `{id}` is not expanded: {reason}"));
        let destinations = match props.get("Destination").map(|d| &d.value) {
            Some(Value::List(l)) => l.len(),
            _ => 1,
        };
        for i in 0..destinations {
            let name = if destinations > 1 {
                format!("{id}PolicyDestination{i}")
            } else {
                format!("{id}Policy")
            };
            let mut p = Map::new();
            p.insert("PolicyDocument".into(), unknown(reason.clone(), loc));
            p.insert("Roles".into(), list_node(vec![ref_to(&role, loc)], loc));
            let owner = source.unwrap_or(id).to_string();
            self.emit(
                name,
                resource("AWS::IAM::ManagedPolicy", p, loc, attrs),
                &owner,
            );
        }
    }

    /// `Code` from `CodeUri`, `InlineCode` or `ImageUri`.
    fn code(&mut self, id: &str, props: &Map, loc: &Option<Loc>) -> Option<Node> {
        if let Some(inline) = props.get("InlineCode") {
            return Some(entries(vec![("ZipFile", inline.clone())], &inline.loc));
        }
        if let Some(image) = props.get("ImageUri") {
            return Some(entries(vec![("ImageUri", image.clone())], &image.loc));
        }
        let Some(uri) = props.get("CodeUri") else {
            if props.get("PackageType").and_then(Node::as_str) != Some("Image") {
                self.note(
                    loc,
                    format!(
                        "`{id}` has no `CodeUri`, `InlineCode` or `ImageUri`; its code is unknown"
                    ),
                );
            }
            return Some(unknown(format!("the code of `{id}` is not given"), loc));
        };
        if let Some(s3) = s3_location(uri, ["S3Bucket", "S3Key", "S3ObjectVersion"]) {
            return Some(s3);
        }
        // A local path (uploaded by `sam package` / `sam deploy`) or an expression.
        Some(unknown(
            format!(
                "`CodeUri` of `{id}` ({}) is packaged by the SAM CLI at deploy time",
                uri.value
            ),
            &uri.loc,
        ))
    }

    fn function_url(&mut self, id: &str, url: &Node, target: &Target, attrs: &Map) {
        let loc = &url.loc;
        let Some(cfg) = url.as_map().filter(|_| intrinsic(url).is_none()) else {
            self.note(
                loc,
                format!(
                    "`FunctionUrlConfig` of `{id}` is not a plain map: its URL is not expanded"
                ),
            );
            return;
        };
        let auth = cfg.get("AuthType");
        let mut u = Map::new();
        if let Some(a) = auth {
            u.insert("AuthType".into(), a.clone());
        } else {
            self.error(
                loc,
                format!("`FunctionUrlConfig` of `{id}` needs `AuthType` (`AWS_IAM` or `NONE`)"),
            );
        }
        copy_props(cfg, &mut u, &["Cors", "InvokeMode"]);
        u.insert("TargetFunctionArn".into(), target.name.clone());
        self.emit(
            format!("{id}Url"),
            resource("AWS::Lambda::Url", u, loc, attrs),
            id,
        );
        if auth.and_then(Node::as_str) == Some("NONE") {
            let aloc = auth.map(|a| a.loc.clone()).unwrap_or_else(|| loc.clone());
            let p = entries(
                vec![
                    ("Action", text("lambda:InvokeFunctionUrl", &aloc)),
                    ("FunctionName", target.name.clone()),
                    ("Principal", text("*", &aloc)),
                    ("FunctionUrlAuthType", text("NONE", &aloc)),
                ],
                &aloc,
            );
            let Value::Map(p) = p.value else { return };
            self.emit(
                format!("{id}UrlPublicPermissions"),
                resource("AWS::Lambda::Permission", p, &aloc, attrs),
                id,
            );
            let mut q = Map::new();
            q.insert("Action".into(), text("lambda:InvokeFunction", &aloc));
            q.insert("FunctionName".into(), target.name.clone());
            q.insert("Principal".into(), text("*", &aloc));
            q.insert(
                "InvokedViaFunctionUrl".into(),
                Node::new(Value::Bool(true), aloc.clone()),
            );
            self.emit(
                format!("{id}URLInvokeAllowPublicAccess"),
                resource("AWS::Lambda::Permission", q, &aloc, attrs),
                id,
            );
        }
    }

    fn event_invoke_config(
        &mut self,
        id: &str,
        cfg: &Node,
        alias: Option<&(String, String)>,
        attrs: &Map,
        parts: &mut RoleParts,
    ) {
        let loc = &cfg.loc;
        let alias_name = alias.map(|a| a.1.as_str());
        let alias_id = alias.map(|a| a.0.as_str());
        let Some(c) = cfg.as_map() else {
            self.error(loc, format!("`EventInvokeConfig` of `{id}` must be a map"));
            return;
        };
        let config_id = format!("{id}EventInvokeConfig");
        let mut e = Map::new();
        e.insert("FunctionName".into(), ref_to(id, loc));
        e.insert(
            "Qualifier".into(),
            text(alias_name.unwrap_or("$LATEST"), loc),
        );
        copy_props(
            c,
            &mut e,
            &["MaximumEventAgeInSeconds", "MaximumRetryAttempts"],
        );
        if let Some(dest) = c.get("DestinationConfig").and_then(Node::as_map) {
            let mut out = Map::new();
            for which in ["OnSuccess", "OnFailure"] {
                let Some(d) = dest.get(which) else { continue };
                let dloc = &d.loc;
                let kind = d.get("Type").and_then(Node::as_str).unwrap_or_default();
                let prefix = format!("{config_id}{which}");
                let destination = match (d.get("Destination"), kind) {
                    (Some(x), _) => x.clone(),
                    (None, "SQS") => {
                        let q = format!("{prefix}Queue");
                        self.refs
                            .insert(format!("{id}.DestinationQueue"), q.clone());
                        self.emit(
                            q.clone(),
                            resource("AWS::SQS::Queue", Map::new(), dloc, attrs),
                            id,
                        );
                        get_att(&q, "Arn", dloc)
                    }
                    (None, "SNS") => {
                        let t = format!("{prefix}Topic");
                        self.refs
                            .insert(format!("{id}.DestinationTopic"), t.clone());
                        self.emit(
                            t.clone(),
                            resource("AWS::SNS::Topic", Map::new(), dloc, attrs),
                            id,
                        );
                        ref_to(&t, dloc)
                    }
                    (None, _) => {
                        self.error(
                            dloc,
                            format!("`EventInvokeConfig.DestinationConfig.{which}` of `{id}` needs `Destination` unless `Type` is `SQS` or `SNS`"),
                        );
                        continue;
                    }
                };
                if let Some(p) = destination_policy(kind, &prefix, &destination, dloc) {
                    parts.inline.push(p);
                }
                out.insert(
                    which.to_string(),
                    entries(vec![("Destination", destination)], dloc),
                );
            }
            e.insert("DestinationConfig".into(), map_node(out, loc));
        }
        let mut cattrs = attrs.clone();
        if let Some(alias_id) = alias_id {
            cattrs.insert(
                "DependsOn".into(),
                list_node(vec![text(alias_id, loc)], loc),
            );
        }
        self.emit(
            config_id,
            resource("AWS::Lambda::EventInvokeConfig", e, loc, &cattrs),
            id,
        );
    }

    // -----------------------------------------------------------------------------------------
    // Events of a function

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        fn_id: &str,
        role_id: &str,
        ev_id: &str,
        ev: &Node,
        target: &Target,
        role: Option<&mut RoleParts>,
        attrs: &Map,
    ) {
        let loc = &ev.loc;
        let kind = ev.get("Type").and_then(Node::as_str).unwrap_or_default();
        let props = ev.as_map().map_or(&EMPTY_MAP, properties_of);
        let logical = format!("{fn_id}{ev_id}");
        match kind {
            "Api" => self.api_event(fn_id, ev_id, props, target, attrs, loc),
            "HttpApi" => self.http_api_event(fn_id, ev_id, props, target, attrs, loc),
            "SQS" | "Kinesis" | "DynamoDB" | "MSK" => {
                let (source, managed) = match kind {
                    "SQS" => ("Queue", "service-role/AWSLambdaSQSQueueExecutionRole"),
                    "Kinesis" => ("Stream", "service-role/AWSLambdaKinesisExecutionRole"),
                    "DynamoDB" => ("Stream", "service-role/AWSLambdaDynamoDBExecutionRole"),
                    _ => ("Stream", "service-role/AWSLambdaMSKExecutionRole"),
                };
                let mut m = Map::new();
                m.insert("FunctionName".into(), target.name.clone());
                match props.get(source) {
                    Some(s) => {
                        m.insert("EventSourceArn".into(), s.clone());
                    }
                    None => self.error(
                        loc,
                        format!("event `{ev_id}` (`{kind}`) of `{fn_id}` needs `{source}`"),
                    ),
                }
                copy_props(
                    props,
                    &mut m,
                    &[
                        "StartingPosition",
                        "StartingPositionTimestamp",
                        "BatchSize",
                        "Enabled",
                        "MaximumBatchingWindowInSeconds",
                        "MaximumRetryAttempts",
                        "BisectBatchOnFunctionError",
                        "MaximumRecordAgeInSeconds",
                        "ParallelizationFactor",
                        "Topics",
                        "Queues",
                        "SourceAccessConfigurations",
                        "TumblingWindowInSeconds",
                        "FunctionResponseTypes",
                        "FilterCriteria",
                        "KmsKeyArn",
                        "ScalingConfig",
                        "ProvisionedPollerConfig",
                        "MetricsConfig",
                        "LoggingConfig",
                    ],
                );
                if kind == "MSK" {
                    if let Some(g) = props.get("ConsumerGroupId") {
                        m.insert(
                            "AmazonManagedKafkaEventSourceConfig".into(),
                            entries(vec![("ConsumerGroupId", g.clone())], &g.loc),
                        );
                    }
                }
                let mut dest_policy = None;
                if let Some(dc) = props.get("DestinationConfig") {
                    let mut dc = dc.clone();
                    if let Some(on_failure) = dc.path("OnFailure").cloned() {
                        let t = on_failure
                            .get("Type")
                            .and_then(Node::as_str)
                            .unwrap_or_default()
                            .to_string();
                        if let Some(d) = on_failure.get("Destination") {
                            dest_policy = destination_policy(&t, &logical, d, &on_failure.loc);
                        }
                        if let Value::Map(dm) = &mut dc.value {
                            if let Some(Node {
                                value: Value::Map(of),
                                ..
                            }) = dm.get_mut("OnFailure")
                            {
                                of.remove("Type");
                            }
                        }
                    }
                    m.insert("DestinationConfig".into(), dc);
                }
                if let Some(r) = role {
                    push_dedup(&mut r.managed, aws_managed_arn(managed, loc));
                    if let Some(p) = dest_policy {
                        // SAM skips a policy whose document the role already has.
                        let doc = p.get("PolicyDocument").map(|d| d.value.to_json());
                        if !r
                            .inline
                            .iter()
                            .any(|x| x.get("PolicyDocument").map(|d| d.value.to_json()) == doc)
                        {
                            r.inline.push(p);
                        }
                    }
                }
                self.emit(
                    logical,
                    resource("AWS::Lambda::EventSourceMapping", m, loc, attrs),
                    fn_id,
                );
            }
            "S3" => {
                let p = permission(
                    target,
                    "s3.amazonaws.com",
                    None,
                    Some(ref_to("AWS::AccountId", loc)),
                    loc,
                );
                self.emit(
                    format!("{logical}Permission"),
                    resource("AWS::Lambda::Permission", p, loc, attrs),
                    fn_id,
                );
                let bucket = props.get("Bucket");
                match bucket.and_then(ref_target) {
                    Some(b) if self.types.get(b).map(String::as_str) == Some("AWS::S3::Bucket") => {
                        let events: Vec<Node> = match props.get("Events").map(|e| &e.value) {
                            Some(Value::List(l)) => l.clone(),
                            Some(_) => props.get("Events").cloned().into_iter().collect(),
                            None => Vec::new(),
                        };
                        for e in events {
                            let mut c = vec![("Event", e), ("Function", target.arn.clone())];
                            if let Some(f) = props.get("Filter") {
                                c.push(("Filter", f.clone()));
                            }
                            self.bucket_events.push((
                                b.to_string(),
                                entries(c, loc),
                                format!("{logical}Permission"),
                            ));
                        }
                    }
                    _ => self.error(
                        &bucket.map(|b| b.loc.clone()).unwrap_or_else(|| loc.clone()),
                        format!("event `{ev_id}` (`S3`) of `{fn_id}` must reference an S3 bucket of the same template with `Ref`"),
                    ),
                }
            }
            "SNS" => {
                let topic = props.get("Topic").cloned();
                let Some(topic) = topic else {
                    self.error(
                        loc,
                        format!("event `{ev_id}` (`SNS`) of `{fn_id}` needs `Topic`"),
                    );
                    return;
                };
                if props
                    .get("SqsSubscription")
                    .is_some_and(|s| s.as_bool() != Some(false))
                {
                    self.note(
                        loc,
                        format!("`SqsSubscription` of event `{ev_id}` of `{fn_id}` is not expanded (queue, queue policy, mapping); the permissions of `{role_id}` are unknown"),
                    );
                    unmodelled_event_policy(role, &logical, ev_id, loc);
                    return;
                }
                let p = permission(target, "sns.amazonaws.com", Some(topic.clone()), None, loc);
                self.emit(
                    format!("{logical}Permission"),
                    resource("AWS::Lambda::Permission", p, loc, attrs),
                    fn_id,
                );
                let mut s = Map::new();
                s.insert("Endpoint".into(), target.arn.clone());
                s.insert("Protocol".into(), text("lambda", loc));
                s.insert("TopicArn".into(), topic);
                copy_props(
                    props,
                    &mut s,
                    &[
                        "Region",
                        "FilterPolicy",
                        "FilterPolicyScope",
                        "RedrivePolicy",
                    ],
                );
                self.emit(
                    logical,
                    resource("AWS::SNS::Subscription", s, loc, attrs),
                    fn_id,
                );
            }
            "Schedule" | "CloudWatchEvent" | "EventBridgeRule" => {
                let mut rule = Map::new();
                if kind == "Schedule" {
                    copy_renamed(
                        props,
                        &mut rule,
                        &[
                            ("Schedule", "ScheduleExpression"),
                            ("Name", "Name"),
                            ("Description", "Description"),
                        ],
                    );
                } else {
                    copy_renamed(
                        props,
                        &mut rule,
                        &[
                            ("EventBusName", "EventBusName"),
                            ("Pattern", "EventPattern"),
                            ("RuleName", "Name"),
                        ],
                    );
                }
                if let Some(s) = props.get("State") {
                    rule.insert("State".into(), s.clone());
                }
                if let Some(e) = props.get("Enabled") {
                    let state = match e.as_bool() {
                        Some(true) => text("ENABLED", &e.loc),
                        Some(false) => text("DISABLED", &e.loc),
                        None => unknown(
                            format!("`Enabled` of event `{ev_id}` is not a boolean"),
                            &e.loc,
                        ),
                    };
                    rule.insert("State".into(), state);
                }
                let target_id = props
                    .get("Target")
                    .and_then(|t| t.get("Id"))
                    .cloned()
                    .unwrap_or_else(|| {
                        let mut t = format!("{logical}LambdaTarget");
                        t.truncate(64);
                        text(t, loc)
                    });
                let mut t = vec![("Arn", target.arn.clone()), ("Id", target_id)];
                for k in ["Input", "InputPath", "InputTransformer", "RetryPolicy"] {
                    if let Some(v) = props.get(k) {
                        t.push((k, v.clone()));
                    }
                }
                if let Some(d) = props.get("DeadLetterConfig") {
                    self.note(
                        &d.loc,
                        format!(
                            "`DeadLetterConfig` of event `{ev_id}` of `{fn_id}` is not expanded"
                        ),
                    );
                }
                rule.insert("Targets".into(), list_node(vec![entries(t, loc)], loc));
                let p = permission(
                    target,
                    "events.amazonaws.com",
                    Some(get_att(&logical, "Arn", loc)),
                    None,
                    loc,
                );
                self.emit(
                    logical.clone(),
                    resource("AWS::Events::Rule", rule, loc, attrs),
                    fn_id,
                );
                self.emit(
                    format!("{logical}Permission"),
                    resource("AWS::Lambda::Permission", p, loc, attrs),
                    fn_id,
                );
            }
            other => {
                let pull = matches!(other, "MQ" | "SelfManagedKafka" | "DocumentDB");
                let mut msg = format!(
                    "event `{ev_id}` (`{other}`) of `{fn_id}` is not expanded: the resources SAM generates for it (permissions, mappings) are not modelled"
                );
                if pull {
                    msg.push_str(&format!("; the permissions of `{role_id}` are unknown"));
                    unmodelled_event_policy(role, &logical, ev_id, loc);
                }
                self.note(loc, msg);
            }
        }
    }

    fn api_event(
        &mut self,
        fn_id: &str,
        ev_id: &str,
        props: &Map,
        target: &Target,
        attrs: &Map,
        loc: &Option<Loc>,
    ) {
        let logical = format!("{fn_id}{ev_id}");
        let (Some(path), Some(method)) = (
            props.get("Path").and_then(Node::as_str),
            props.get("Method").and_then(Node::as_str),
        ) else {
            self.error(
                loc,
                format!(
                    "event `{ev_id}` (`Api`) of `{fn_id}` needs `Path` and `Method` as strings"
                ),
            );
            return;
        };
        let method = method.to_ascii_lowercase();
        let (api_node, suffix, api_id) = match props.get("RestApiId") {
            None => (
                ref_to("ServerlessRestApi", loc),
                "Prod".to_string(),
                Some("ServerlessRestApi".to_string()),
            ),
            Some(r) => match ref_target(r) {
                Some(a)
                    if self.types.get(a).map(String::as_str) == Some("AWS::Serverless::Api") =>
                {
                    let stage = self.stage_name_of(a).unwrap_or_else(|| "Stage".to_string());
                    (r.clone(), stage, Some(a.to_string()))
                }
                Some(a) if self.types.contains_key(a) => (r.clone(), "Stage".to_string(), None),
                Some(a) => {
                    self.error(
                        &r.loc,
                        format!("`RestApiId` of event `{ev_id}` of `{fn_id}` references `{a}`, which is not a resource of this template"),
                    );
                    return;
                }
                None => (r.clone(), "AllStages".to_string(), None),
            },
        };
        if let Some(a) = props.get("Auth") {
            self.note(
                &a.loc,
                format!("`Auth` of event `{ev_id}` of `{fn_id}` is not expanded into the API definition"),
            );
        }
        let mut arn_path = path_params_to_star(path, false);
        if arn_path.len() > 1 && arn_path.ends_with('/') {
            arn_path.pop();
        }
        let verb = if method == "any" {
            "*".to_string()
        } else {
            method.to_ascii_uppercase()
        };
        let source = sub_vars(
            format!(
                "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{__ApiId__}}/${{__Stage__}}/{verb}{arn_path}"
            ),
            vec![("__ApiId__", api_node), ("__Stage__", text("*", loc))],
            loc,
        );
        let pid = if is_alnum(&suffix) {
            format!("{logical}Permission{suffix}")
        } else {
            format!("{logical}Permission{}", hash10_str(&suffix))
        };
        let p = permission(target, "apigateway.amazonaws.com", Some(source), None, loc);
        self.emit(
            pid,
            resource("AWS::Lambda::Permission", p, loc, attrs),
            fn_id,
        );
        if let Some(api) = api_id {
            self.rest_routes.entry(api).or_default().push(Route {
                path: path.to_string(),
                method,
                target_var: target.sub_var.clone(),
                loc: loc.clone(),
            });
        }
    }

    fn http_api_event(
        &mut self,
        fn_id: &str,
        ev_id: &str,
        props: &Map,
        target: &Target,
        attrs: &Map,
        loc: &Option<Loc>,
    ) {
        let logical = format!("{fn_id}{ev_id}");
        let path = props.get("Path").and_then(Node::as_str);
        let method = props.get("Method").and_then(Node::as_str);
        let (path, method) = match (path, method) {
            (None, None) => ("$default".to_string(), "any".to_string()),
            (Some(p), Some(m)) => (p.to_string(), m.to_ascii_lowercase()),
            _ => {
                self.error(
                    loc,
                    format!("event `{ev_id}` (`HttpApi`) of `{fn_id}` needs both `Path` and `Method`, or neither"),
                );
                return;
            }
        };
        let (api_node, api_id) = match props.get("ApiId") {
            None => (
                ref_to("ServerlessHttpApi", loc),
                Some("ServerlessHttpApi".to_string()),
            ),
            Some(r) => match ref_target(r) {
                Some(a)
                    if self.types.get(a).map(String::as_str)
                        == Some("AWS::Serverless::HttpApi") =>
                {
                    (r.clone(), Some(a.to_string()))
                }
                _ => (r.clone(), None),
            },
        };
        if let Some(a) = props.get("Auth") {
            self.note(
                &a.loc,
                format!("`Auth` of event `{ev_id}` of `{fn_id}` is not expanded into the API definition"),
            );
        }
        let mut arn_path = if path.starts_with('/') {
            path_params_to_star(&path, true)
        } else {
            format!("/{path}")
        };
        if arn_path.len() > 1 && arn_path.ends_with('/') {
            arn_path.pop();
        }
        // The `$default` route: no path in the ARN (SAM grants `.../<stage>/*` for it).
        if arn_path == "/$default" {
            arn_path.clear();
        }
        let verb = if method == "any" {
            "*".to_string()
        } else {
            method.to_ascii_uppercase()
        };
        let resource_part = format!("/{verb}{arn_path}");
        let source = sub_vars(
            format!(
                "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{__ApiId__}}/${{__Stage__}}{resource_part}"
            ),
            vec![("__ApiId__", api_node), ("__Stage__", text("*", loc))],
            loc,
        );
        let p = permission(target, "apigateway.amazonaws.com", Some(source), None, loc);
        self.emit(
            format!("{logical}Permission"),
            resource("AWS::Lambda::Permission", p, loc, attrs),
            fn_id,
        );
        if let Some(api) = api_id {
            self.http_routes.entry(api).or_default().push(Route {
                path,
                method,
                target_var: target.sub_var.clone(),
                loc: loc.clone(),
            });
        }
    }

    /// The stage name of an `AWS::Serverless::Api` of the template, when it is a string.
    fn stage_name_of(&self, api: &str) -> Option<String> {
        self.api_stages.get(api).cloned()
    }

    fn apply_bucket_events(&mut self) {
        let events = std::mem::take(&mut self.bucket_events);
        for (bucket, cfg, permission) in events {
            let Some(b) = self.out.get_mut(&bucket) else {
                continue;
            };
            let loc = cfg.loc.clone();
            let Value::Map(bm) = &mut b.value else {
                continue;
            };
            // The bucket waits for the permission (S3 checks it when the notification is set).
            let dep = text(permission, &loc);
            match bm.get_mut("DependsOn") {
                None => {
                    bm.insert("DependsOn".into(), list_node(vec![dep], &loc));
                }
                Some(d) => match &mut d.value {
                    Value::List(l) if !l.iter().any(|x| x.value == dep.value) => l.push(dep),
                    Value::String(_) => {
                        let first = d.clone();
                        *d = list_node(vec![first, dep], &loc);
                    }
                    _ => {}
                },
            }
            let props = bm
                .entry("Properties".to_string())
                .or_insert_with(|| Node::new(Value::Map(Map::new()), loc.clone()));
            let Value::Map(pm) = &mut props.value else {
                continue;
            };
            let nc = pm
                .entry("NotificationConfiguration".to_string())
                .or_insert_with(|| Node::new(Value::Map(Map::new()), loc.clone()));
            let Value::Map(ncm) = &mut nc.value else {
                continue;
            };
            let lc = ncm
                .entry("LambdaConfigurations".to_string())
                .or_insert_with(|| Node::new(Value::List(Vec::new()), loc.clone()));
            if let Value::List(l) = &mut lc.value {
                l.push(cfg);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // APIs

    fn rest_api(&mut self, id: &str, res: &Map, loc: &Option<Loc>) {
        let props = properties_of(res);
        let attrs = attrs_of(res, PASSTHROUGH_ATTRS);
        let mut api = Map::new();
        copy_props(
            props,
            &mut api,
            &[
                "Name",
                "Description",
                "BinaryMediaTypes",
                "MinimumCompressionSize",
                "Mode",
                "ApiKeySourceType",
                "FailOnWarnings",
                "DisableExecuteApiEndpoint",
                "SecurityPolicy",
                "EndpointAccessMode",
            ],
        );
        if let Some(ec) = props.get("EndpointConfiguration") {
            let conf = endpoint_configuration(ec);
            if let Some(t) = conf.path("Types.0") {
                api.insert(
                    "Parameters".into(),
                    entries(vec![("endpointConfigurationTypes", t.clone())], &ec.loc),
                );
            }
            api.insert("EndpointConfiguration".into(), conf);
        }
        let routes = self.rest_routes.remove(id).unwrap_or_default();
        let body_key = if let Some(b) = props.get("DefinitionBody") {
            api.insert("Body".into(), b.clone());
            if !routes.is_empty() {
                self.note(
                    &b.loc,
                    format!("the routes of `{id}` from function events are not merged into its `DefinitionBody`; the body is used as written"),
                );
            }
            "Body"
        } else if let Some(u) = props.get("DefinitionUri") {
            let v = packaged(u, ["Bucket", "Key", "Version"], "DefinitionUri", id);
            api.insert("BodyS3Location".into(), v);
            "BodyS3Location"
        } else {
            api.insert("Body".into(), swagger(&routes, loc));
            "Body"
        };
        for k in ["Auth", "Cors", "GatewayResponses", "Models", "Domain"] {
            if let Some(v) = props.get(k) {
                self.note(
                    &v.loc,
                    format!("`{k}` of `{id}` is not expanded into the API definition (authorizers, resource policy, usage plans...)"),
                );
            }
        }
        let digest = api
            .get(body_key)
            .map(|b| hash10(&b.value))
            .unwrap_or_default();
        let deployment_id = format!("{id}Deployment{digest}");
        let mut d = Map::new();
        d.insert("RestApiId".into(), ref_to(id, loc));
        d.insert(
            "Description".into(),
            text(format!("RestApi deployment id: {digest}"), loc),
        );
        d.insert("StageName".into(), text("Stage", loc));
        self.emit(
            deployment_id.clone(),
            resource("AWS::ApiGateway::Deployment", d, loc, &attrs),
            id,
        );
        let stage_name = props.get("StageName");
        let stage_id = match stage_name.and_then(Node::as_str) {
            Some(s) if is_alnum(s) => format!("{id}{s}Stage"),
            Some(s) => format!("{id}Stage{}", hash10_str(s)),
            None => format!("{id}Stage"),
        };
        let mut s = Map::new();
        s.insert("RestApiId".into(), ref_to(id, loc));
        s.insert("DeploymentId".into(), ref_to(&deployment_id, loc));
        match stage_name {
            Some(n) => {
                s.insert("StageName".into(), n.clone());
            }
            None => self.error(
                loc,
                format!("`{id}` (`AWS::Serverless::Api`) needs `StageName`"),
            ),
        }
        copy_props(
            props,
            &mut s,
            &[
                "CacheClusterEnabled",
                "CacheClusterSize",
                "Variables",
                "MethodSettings",
                "AccessLogSetting",
                "CanarySetting",
                "TracingEnabled",
            ],
        );
        if let Some(t) = tag_list(props.get("Tags"), None, loc) {
            s.insert("Tags".into(), t);
        }
        self.refs.insert(format!("{id}.Stage"), stage_id.clone());
        self.refs
            .insert(format!("{id}.Deployment"), deployment_id.clone());
        self.emit(
            stage_id,
            resource("AWS::ApiGateway::Stage", s, loc, &attrs),
            id,
        );
        self.out.insert(
            id.to_string(),
            primary("AWS::ApiGateway::RestApi", api, res, loc),
        );
    }

    fn http_api(&mut self, id: &str, res: &Map, loc: &Option<Loc>) {
        let props = properties_of(res);
        let attrs = attrs_of(res, PASSTHROUGH_ATTRS);
        let mut api = Map::new();
        copy_props(
            props,
            &mut api,
            &["FailOnWarnings", "DisableExecuteApiEndpoint", "Description"],
        );
        // SAM tags the API (in its body) and the stage with `httpapi:createdBy: SAM`.
        let mut stage_tags = Map::new();
        stage_tags.insert("httpapi:createdBy".into(), text("SAM", loc));
        if let Some(m) = props.get("Tags").and_then(Node::as_map) {
            stage_tags.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let routes = self.http_routes.remove(id).unwrap_or_default();
        if let Some(b) = props.get("DefinitionBody") {
            api.insert("Body".into(), b.clone());
        } else if let Some(u) = props.get("DefinitionUri") {
            let v = packaged(u, ["Bucket", "Key", "Version"], "DefinitionUri", id);
            api.insert("BodyS3Location".into(), v);
        } else {
            api.insert("Body".into(), openapi(&routes, &stage_tags, loc));
        }
        for k in ["Auth", "CorsConfiguration", "Domain"] {
            if let Some(v) = props.get(k) {
                self.note(
                    &v.loc,
                    format!("`{k}` of `{id}` is not expanded into the API definition (authorizers, CORS, domain)"),
                );
            }
        }
        // Without `StageName`, SAM makes the `$default` stage.
        let stage_name = props.get("StageName");
        let stage_id = match (stage_name, stage_name.and_then(Node::as_str)) {
            (None, _) | (_, Some("$default")) => format!("{id}ApiGatewayDefaultStage"),
            (_, Some(s)) if is_alnum(s) => format!("{id}{s}Stage"),
            (_, Some(s)) => format!("{id}Stage{}", hash10_str(s)),
            (Some(_), None) => format!("{id}Stage"),
        };
        {
            let mut s = Map::new();
            s.insert("ApiId".into(), ref_to(id, loc));
            s.insert(
                "StageName".into(),
                stage_name.cloned().unwrap_or_else(|| text("$default", loc)),
            );
            s.insert(
                "AutoDeploy".into(),
                Node::new(Value::Bool(true), loc.clone()),
            );
            copy_props(
                props,
                &mut s,
                &[
                    "StageVariables",
                    "AccessLogSettings",
                    "DefaultRouteSettings",
                    "RouteSettings",
                ],
            );
            s.insert("Tags".into(), map_node(stage_tags.clone(), loc));
            self.refs.insert(format!("{id}.Stage"), stage_id.clone());
            self.emit(
                stage_id,
                resource("AWS::ApiGatewayV2::Stage", s, loc, &attrs),
                id,
            );
        }
        self.out.insert(
            id.to_string(),
            primary("AWS::ApiGatewayV2::Api", api, res, loc),
        );
    }

    // -----------------------------------------------------------------------------------------
    // Other SAM resources

    fn state_machine(&mut self, id: &str, res: &Map, loc: &Option<Loc>) {
        let props = properties_of(res);
        let attrs = attrs_of(res, PASSTHROUGH_ATTRS);
        let mut m = Map::new();
        copy_renamed(
            props,
            &mut m,
            &[
                ("Definition", "Definition"),
                ("DefinitionSubstitutions", "DefinitionSubstitutions"),
                ("Name", "StateMachineName"),
                ("Type", "StateMachineType"),
                ("Logging", "LoggingConfiguration"),
                ("Tracing", "TracingConfiguration"),
            ],
        );
        if let Some(u) = props.get("DefinitionUri") {
            let v = packaged(u, ["Bucket", "Key", "Version"], "DefinitionUri", id);
            m.insert("DefinitionS3Location".into(), v);
        }
        let tags = tag_list(
            props.get("Tags"),
            Some(("stateMachine:createdBy", "SAM")),
            loc,
        );
        if let Some(t) = &tags {
            m.insert("Tags".into(), t.clone());
        }
        let role_id = format!("{id}Role");
        match props.get("Role") {
            Some(r) => {
                m.insert("RoleArn".into(), r.clone());
                self.record_exec_role(id, None, Some(r));
                if props.contains_key("Policies") {
                    self.error(
                        &r.loc,
                        format!("`{id}`: specify either `Role` or `Policies` (but not both at the same time) or neither of them"),
                    );
                }
            }
            None => {
                let mut parts = RoleParts::default();
                self.policies(id, &role_id, props.get("Policies"), &mut parts);
                let tracing_on = props
                    .get("Tracing")
                    .and_then(|t| t.get("Enabled"))
                    .and_then(Node::as_bool)
                    == Some(true);
                if tracing_on {
                    push_dedup(
                        &mut parts.managed,
                        aws_managed_arn("AWSXrayWriteOnlyAccess", loc),
                    );
                }
                m.insert("RoleArn".into(), get_att(&role_id, "Arn", loc));
                self.record_exec_role(id, Some(&role_id), None);
                self.emit_role(
                    id,
                    &role_id,
                    service_trust("states.amazonaws.com", loc),
                    parts,
                    props,
                    tags,
                    loc,
                    &attrs,
                );
            }
        }
        if let Some(e) = props.get("Events") {
            self.note(
                &e.loc,
                format!("`Events` of `{id}` are not expanded (rules, API routes and the roles SAM generates for them are not modelled)"),
            );
        }
        if let Some(a) = props.get("AutoPublishAlias") {
            self.note(
                &a.loc,
                format!("`AutoPublishAlias` of `{id}` is not expanded"),
            );
        }
        self.out.insert(
            id.to_string(),
            primary("AWS::StepFunctions::StateMachine", m, res, loc),
        );
    }

    fn simple_table(&mut self, id: &str, res: &Map, loc: &Option<Loc>) {
        let props = properties_of(res);
        let mut t = Map::new();
        let (name, kind, kloc) = match props.get("PrimaryKey") {
            Some(pk) => {
                let name = pk
                    .get("Name")
                    .cloned()
                    .unwrap_or_else(|| text("id", &pk.loc));
                let kind = match pk.get("Type").and_then(Node::as_str) {
                    Some("String") => text("S", &pk.loc),
                    Some("Number") => text("N", &pk.loc),
                    Some("Binary") => text("B", &pk.loc),
                    other => {
                        self.error(
                            &pk.loc,
                            format!("`PrimaryKey.Type` of `{id}` must be `String`, `Number` or `Binary`, not `{}`", other.unwrap_or("?")),
                        );
                        unknown(format!("`PrimaryKey.Type` of `{id}` is invalid"), &pk.loc)
                    }
                };
                (name, kind, pk.loc.clone())
            }
            None => (text("id", loc), text("S", loc), loc.clone()),
        };
        t.insert(
            "AttributeDefinitions".into(),
            list_node(
                vec![entries(
                    vec![("AttributeName", name.clone()), ("AttributeType", kind)],
                    &kloc,
                )],
                &kloc,
            ),
        );
        t.insert(
            "KeySchema".into(),
            list_node(
                vec![entries(
                    vec![("AttributeName", name), ("KeyType", text("HASH", &kloc))],
                    &kloc,
                )],
                &kloc,
            ),
        );
        match props.get("ProvisionedThroughput") {
            Some(p) => {
                t.insert("ProvisionedThroughput".into(), p.clone());
            }
            None => {
                t.insert("BillingMode".into(), text("PAY_PER_REQUEST", loc));
            }
        }
        copy_props(
            props,
            &mut t,
            &[
                "SSESpecification",
                "TableName",
                "PointInTimeRecoverySpecification",
            ],
        );
        if let Some(tags) = tag_list(props.get("Tags"), None, loc) {
            t.insert("Tags".into(), tags);
        }
        self.out
            .insert(id.to_string(), primary("AWS::DynamoDB::Table", t, res, loc));
    }

    fn layer(&mut self, id: &str, res: &Map, loc: &Option<Loc>) {
        let props = properties_of(res);
        let mut l = Map::new();
        l.insert(
            "LayerName".into(),
            props
                .get("LayerName")
                .cloned()
                .unwrap_or_else(|| text(id, loc)),
        );
        copy_props(
            props,
            &mut l,
            &[
                "Description",
                "CompatibleRuntimes",
                "CompatibleArchitectures",
                "LicenseInfo",
            ],
        );
        if let Some(c) = props.get("ContentUri") {
            let v = packaged(
                c,
                ["S3Bucket", "S3Key", "S3ObjectVersion"],
                "ContentUri",
                id,
            );
            l.insert("Content".into(), v);
        }
        let mut attrs = attrs_of(res, PRIMARY_ATTRS);
        let retention = props.get("RetentionPolicy").and_then(Node::as_str);
        let policy = match retention {
            Some(r) if r.eq_ignore_ascii_case("delete") => "Delete",
            _ => "Retain",
        };
        attrs
            .entry("DeletionPolicy".into())
            .or_insert_with(|| text(policy, loc));
        self.out.insert(
            id.to_string(),
            resource("AWS::Lambda::LayerVersion", l, loc, &attrs),
        );
    }

    fn application(&mut self, id: &str, res: &Map, loc: &Option<Loc>) {
        let props = properties_of(res);
        let mut s = Map::new();
        copy_props(
            props,
            &mut s,
            &["Parameters", "NotificationARNs", "TimeoutInMinutes"],
        );
        if let Some(t) = tag_list(props.get("Tags"), None, loc) {
            s.insert("Tags".into(), t);
        }
        match props.get("Location") {
            Some(l) if l.as_str().is_some() || intrinsic(l).is_some() => {
                s.insert("TemplateURL".into(), l.clone());
            }
            Some(l) => {
                self.note(
                    &l.loc,
                    format!("`{id}` is an application of the Serverless Application Repository; its template is not read"),
                );
                s.insert(
                    "TemplateURL".into(),
                    unknown(format!("the template of application `{id}` comes from the Serverless Application Repository"), &l.loc),
                );
            }
            None => self.error(
                loc,
                format!("`{id}` (`AWS::Serverless::Application`) needs `Location`"),
            ),
        }
        self.out.insert(
            id.to_string(),
            primary("AWS::CloudFormation::Stack", s, res, loc),
        );
    }
}

/// `Fn::Or` over conditions, nested in groups of ten (the most `Fn::Or` takes).
fn or_of(mut conds: Vec<Node>, loc: &Option<Loc>) -> Node {
    while conds.len() > 10 {
        conds = conds
            .chunks(10)
            .map(|c| match c {
                [one] => one.clone(),
                many => call("Fn::Or", list_node(many.to_vec(), loc), loc),
            })
            .collect();
    }
    match conds.as_slice() {
        [one] => one.clone(),
        _ => call("Fn::Or", list_node(conds, loc), loc),
    }
}

/// What a `Policies` entry is, as SAM classifies it.
#[derive(Clone, Debug)]
enum PolicyKind {
    /// A managed policy name or ARN, or an intrinsic giving one.
    Managed,
    /// An inline policy document (`{Statement: ...}`).
    Statement,
    /// A SAM policy template (`{S3ReadPolicy: {BucketName: ...}}`).
    Template(String),
    /// None of these.
    Invalid,
}

impl PolicyKind {
    fn same_kind(&self, other: &PolicyKind) -> bool {
        matches!(
            (self, other),
            (PolicyKind::Managed, PolicyKind::Managed)
                | (PolicyKind::Statement, PolicyKind::Statement)
                | (PolicyKind::Template(_), PolicyKind::Template(_))
                | (PolicyKind::Statement, PolicyKind::Template(_))
                | (PolicyKind::Template(_), PolicyKind::Statement)
        )
    }
}

fn policy_kind(n: &Node) -> PolicyKind {
    if n.as_str().is_some() || intrinsic(n).is_some() {
        return PolicyKind::Managed;
    }
    let Some(m) = n.as_map() else {
        return PolicyKind::Invalid;
    };
    if m.contains_key("Statement") {
        return PolicyKind::Statement;
    }
    if m.len() == 1 {
        if let Some(k) = m.keys().next() {
            if is_policy_template(k) {
                return PolicyKind::Template(k.clone());
            }
        }
    }
    PolicyKind::Invalid
}

/// Replace `{"Ref": P}` (P a template parameter) with the value given for P.
fn substitute(n: &mut Node, values: &Map, names: &BTreeSet<&str>) {
    if let Some(p) = ref_target(n) {
        if names.contains(p) {
            if let Some(v) = values.get(p) {
                *n = v.clone();
            }
            return;
        }
    }
    match &mut n.value {
        Value::Map(m) => m.values_mut().for_each(|v| substitute(v, values, names)),
        Value::List(l) => l.iter_mut().for_each(|v| substitute(v, values, names)),
        _ => {}
    }
}

/// A path with its parameters (`{id}`, and `{proxy+}`; any greedy `{name+}` when `greedy`)
/// written as `*`, as SAM writes the path of an invoke permission's source ARN.
fn path_params_to_star(path: &str, greedy: bool) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let Some(end) = after.find('}') else {
            rest = after;
            break;
        };
        let inner = after.get(1..end).unwrap_or_default();
        let name = inner.strip_suffix('+');
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        };
        let star = match name {
            None => plain(inner),
            Some(n) => n == "proxy" || (greedy && plain(n)),
        };
        if star {
            out.push('*');
        } else {
            out.push_str(after.get(..=end).unwrap_or_default());
        }
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

fn named_policy(name: &str, doc: Node, loc: &Option<Loc>) -> Node {
    entries(
        vec![("PolicyName", text(name, loc)), ("PolicyDocument", doc)],
        loc,
    )
}

fn service_trust(service: &str, loc: &Option<Loc>) -> Node {
    from_json(
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Action": ["sts:AssumeRole"],
                "Effect": "Allow",
                "Principal": {"Service": [service]}
            }]
        }),
        loc,
    )
}

/// The role policy SAM adds for an asynchronous-invocation or event-source destination.
fn destination_policy(kind: &str, prefix: &str, dest: &Node, loc: &Option<Loc>) -> Option<Node> {
    let stmt = |action: &str, resource: Node| {
        entries(
            vec![
                ("Action", text(action, loc)),
                ("Effect", text("Allow", loc)),
                ("Resource", resource),
            ],
            loc,
        )
    };
    let (suffix, statements) = match kind {
        "SQS" => ("SQSPolicy", vec![stmt("sqs:SendMessage", dest.clone())]),
        "SNS" => ("SNSPolicy", vec![stmt("sns:publish", dest.clone())]),
        "EventBridge" => (
            "EventBridgePolicy",
            vec![stmt("events:PutEvents", dest.clone())],
        ),
        "Lambda" => (
            "LambdaPolicy",
            vec![stmt("lambda:InvokeFunction", dest.clone())],
        ),
        "S3Bucket" | "S3" => (
            "S3Policy",
            vec![
                stmt(
                    "s3:PutObject",
                    call(
                        "Fn::Join",
                        list_node(
                            vec![
                                text("/", loc),
                                list_node(vec![dest.clone(), text("*", loc)], loc),
                            ],
                            loc,
                        ),
                        loc,
                    ),
                ),
                stmt("s3:ListBucket", dest.clone()),
            ],
        ),
        _ => return None,
    };
    Some(named_policy(
        &format!("{prefix}{suffix}"),
        entries(vec![("Statement", list_node(statements, loc))], loc),
        loc,
    ))
}

/// A `Lambda::Permission`'s properties for a service principal.
fn permission(
    target: &Target,
    principal: &str,
    source_arn: Option<Node>,
    source_account: Option<Node>,
    loc: &Option<Loc>,
) -> Map {
    let mut p = Map::new();
    p.insert("Action".into(), text("lambda:InvokeFunction", loc));
    p.insert("FunctionName".into(), target.name.clone());
    p.insert("Principal".into(), text(principal, loc));
    if let Some(s) = source_arn {
        p.insert("SourceArn".into(), s);
    }
    if let Some(s) = source_account {
        p.insert("SourceAccount".into(), s);
    }
    p
}

/// SAM's `EndpointConfiguration` (a type, or `{Type, VPCEndpointIds}`) as CloudFormation's.
fn endpoint_configuration(ec: &Node) -> Node {
    let loc = &ec.loc;
    match ec.as_map().filter(|_| intrinsic(ec).is_none()) {
        Some(m) => {
            let mut out = Vec::new();
            if let Some(t) = m.get("Type") {
                out.push(("Types", list_node(vec![t.clone()], &t.loc)));
            }
            if let Some(v) = m.get("VPCEndpointIds") {
                out.push(("VpcEndpointIds", v.clone()));
            }
            entries(out, loc)
        }
        None => entries(vec![("Types", list_node(vec![ec.clone()], loc))], loc),
    }
}

fn integration_uri(route: &Route) -> Node {
    sub(
        format!(
            "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{}}}/invocations",
            route.target_var
        ),
        &route.loc,
    )
}

/// The Swagger body SAM writes for a REST API from its functions' events.
fn swagger(routes: &[Route], loc: &Option<Loc>) -> Node {
    let paths = route_paths(routes, |r| entries(proxy_operation(r, None), &r.loc));
    entries(
        vec![
            ("swagger", text("2.0", loc)),
            ("info", api_info(loc)),
            ("paths", map_node(paths, loc)),
        ],
        loc,
    )
}

/// The OpenAPI body SAM writes for an HTTP API from its functions' events.
fn openapi(routes: &[Route], tags: &Map, loc: &Option<Loc>) -> Node {
    let paths = route_paths(routes, |r| {
        let mut op = proxy_operation(r, Some("2.0"));
        if r.path == "$default" {
            op.push((
                "isDefaultRoute",
                Node::new(Value::Bool(true), r.loc.clone()),
            ));
        }
        entries(op, &r.loc)
    });
    entries(
        vec![
            ("openapi", text("3.0.1", loc)),
            (
                "tags",
                list_node(
                    tags.iter()
                        .map(|(k, v)| {
                            entries(
                                vec![
                                    ("name", text(k.clone(), &v.loc)),
                                    ("x-amazon-apigateway-tag-value", v.clone()),
                                ],
                                &v.loc,
                            )
                        })
                        .collect(),
                    loc,
                ),
            ),
            ("info", api_info(loc)),
            ("paths", map_node(paths, loc)),
        ],
        loc,
    )
}

/// The `paths` of an API definition: each route's operation (built by `op`) under its path and
/// method (`any` as `x-amazon-apigateway-any-method`).
fn route_paths(routes: &[Route], op: impl Fn(&Route) -> Node) -> Map {
    let mut paths = Map::new();
    for r in routes {
        let method = if r.method == "any" {
            "x-amazon-apigateway-any-method".to_string()
        } else {
            r.method.clone()
        };
        let entry = paths
            .entry(r.path.clone())
            .or_insert_with(|| map_node(Map::new(), &r.loc));
        if let Value::Map(m) = &mut entry.value {
            m.insert(method, op(r));
        }
    }
    paths
}

/// The operation of a route: a Lambda proxy integration of its function (with
/// `payloadFormatVersion` when given) and no responses.
fn proxy_operation(r: &Route, payload_format: Option<&str>) -> Vec<(&'static str, Node)> {
    let mut integration = vec![
        ("type", text("aws_proxy", &r.loc)),
        ("httpMethod", text("POST", &r.loc)),
        ("uri", integration_uri(r)),
    ];
    if let Some(v) = payload_format {
        integration.push(("payloadFormatVersion", text(v, &r.loc)));
    }
    vec![
        (
            "x-amazon-apigateway-integration",
            entries(integration, &r.loc),
        ),
        ("responses", map_node(Map::new(), &r.loc)),
    ]
}

/// The `info` of an API definition SAM writes: version 1.0, titled with the stack name.
fn api_info(loc: &Option<Loc>) -> Node {
    entries(
        vec![
            ("version", text("1.0", loc)),
            ("title", ref_to("AWS::StackName", loc)),
        ],
        loc,
    )
}
