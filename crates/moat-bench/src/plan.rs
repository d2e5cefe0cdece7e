//! The same estates as the Terraform corpus, written as Terraform plan JSON files.
//!
//! [`generate`] writes one plan per stack (`plans/stack-NNNN.json`), in the shape of
//! `terraform show -json PLANFILE | jq .` for a first apply (every managed resource is
//! created): `format_version`, `terraform_version`, `variables`, `planned_values.root_module`
//! with its `resources` and `child_modules`, `resource_changes` with `after_unknown`, and
//! `configuration.root_module` with each declaration's `expressions` (`constant_value` or
//! `references`), `count_expression`/`for_each_expression` and `module_calls`.
//!
//! The plans are not hand-written: the Terraform corpus of the same seed is generated in a
//! temporary directory, read with `moat_terraform::load` (evaluated, `count`/`for_each` and
//! modules expanded), and each root module's resources are written out as a plan. A value the
//! HCL frontend could not know offline (`aws_vpc.main.id`, a string built from one) is unknown
//! in the plan too (`null` in `values`, `true` in `after_unknown`), and the configuration names
//! what it refers to, as Terraform writes it (`aws_vpc.main.id`, `aws_vpc.main`; `count.index`
//! where each instance refers to its own instance; `var.x` inside a module, with the module
//! call's expression holding the reference).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use moat_model::{Estate, Mode, Node, Resource, Unknown, Value};
use serde_json::{json, Map, Value as J};

use crate::{write, GenError, Stats};

const PROVIDER: &str = "registry.terraform.io/hashicorp/aws";

/// Write a corpus of exactly `files` plan files under `out` (one per stack of the Terraform
/// corpus with the same seed).
pub fn generate(files: usize, seed: u64, out: &Path) -> Result<Stats, GenError> {
    let tmp = scratch_dir(out);
    let result = generate_via(files, seed, out, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn scratch_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    std::env::temp_dir().join(format!("moat-gen-plan-{}-{name}", std::process::id()))
}

fn generate_via(files: usize, seed: u64, out: &Path, tmp: &Path) -> Result<Stats, GenError> {
    let mut stats = Stats::default();
    if files == 0 {
        return Ok(stats);
    }
    // Ten files per stack, plus the six files of the shared modules (a corpus of 16 files or
    // more has them): `files` whole stacks.
    let tf_files = files * crate::STACK_FILES.len() + 6;
    crate::generate(tf_files, seed, tmp)?;
    let mut estates = moat_terraform::load(tmp, &moat_terraform::Options::default());
    estates.sort_by(|a, b| a.root.cmp(&b.root));
    for estate in estates.iter().take(files) {
        let plan = plan(estate);
        let mut text = serde_json::to_string_pretty(&plan).unwrap_or_default();
        text.push('\n');
        let stack = estate.root.rsplit('/').next().unwrap_or(&estate.root);
        write(out, &format!("plans/{stack}.json"), &text, &mut stats)?;
        stats.stacks += 1;
        stats.resource_blocks += estate.resources.len();
    }
    Ok(stats)
}

/// One root module's plan.
fn plan(estate: &Estate) -> J {
    let mut resources: Vec<&Resource> = estate.resources.iter().collect();
    resources.sort_by(|a, b| (&a.module, &a.address).cmp(&(&b.module, &b.address)));

    // planned_values: root resources, then one child module per module instance.
    let mut root_values = Vec::new();
    let mut children: BTreeMap<&str, Vec<J>> = BTreeMap::new();
    let mut changes = Vec::new();
    for r in &resources {
        let v = planned(r);
        if r.module.is_empty() {
            root_values.push(v);
        } else {
            children.entry(r.module.as_str()).or_default().push(v);
        }
        if r.mode == Mode::Managed || r.attrs.values().any(|n| n.value.contains_unknown()) {
            changes.push(change(r));
        }
    }
    let child_modules: Vec<J> = children
        .into_iter()
        .map(|(address, resources)| json!({ "resources": resources, "address": address }))
        .collect();
    let mut root_module = Map::new();
    root_module.insert("resources".into(), J::Array(root_values));
    if !child_modules.is_empty() {
        root_module.insert("child_modules".into(), J::Array(child_modules));
    }

    json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": variables(estate),
        "planned_values": { "root_module": root_module },
        "resource_changes": changes,
        "configuration": configuration(&resources),
        "timestamp": "2026-12-01T09:00:00Z",
        "applyable": true,
        "complete": true,
        "errored": false
    })
}

/// The root variables the stacks set, with the values the VPC shows.
fn variables(estate: &Estate) -> J {
    let vpc = estate
        .resources
        .iter()
        .find(|r| r.rtype == "aws_vpc" && r.module.is_empty());
    let mut vars = Map::new();
    vars.insert("region".into(), json!({ "value": "ap-northeast-2" }));
    if let Some(cidr) = vpc
        .and_then(|v| v.attrs.get("cidr_block"))
        .and_then(|n| n.as_str())
    {
        vars.insert("vpc_cidr".into(), json!({ "value": cidr }));
    }
    J::Object(vars)
}

/// The resource's instance key, from the end of its address (`[0]`, `["a"]`).
fn index(address: &str) -> Option<J> {
    let body = address.strip_suffix(']')?;
    let open = body.rfind('[')?;
    let key = body.get(open + 1..)?;
    serde_json::from_str(key).ok()
}

/// The address without its instance key.
fn base(address: &str) -> &str {
    if address.ends_with(']') {
        if let Some(open) = address.rfind('[') {
            return address.get(..open).unwrap_or(address);
        }
    }
    address
}

/// The address inside its module (`aws_s3_bucket.this[0]`).
fn local(r: &Resource) -> &str {
    if r.module.is_empty() {
        return &r.address;
    }
    r.address
        .strip_prefix(r.module.as_str())
        .and_then(|a| a.strip_prefix('.'))
        .unwrap_or(&r.address)
}

fn mode(r: &Resource) -> &'static str {
    match r.mode {
        Mode::Managed => "managed",
        Mode::Data => "data",
    }
}

fn head(r: &Resource) -> Map<String, J> {
    let mut m = Map::new();
    m.insert("address".into(), J::String(r.address.clone()));
    if !r.module.is_empty() {
        m.insert("module_address".into(), J::String(r.module.clone()));
    }
    m.insert("mode".into(), J::String(mode(r).into()));
    m.insert("type".into(), J::String(r.rtype.clone()));
    m.insert("name".into(), J::String(r.name.clone()));
    if let Some(i) = index(&r.address) {
        m.insert("index".into(), i);
    }
    m.insert("provider_name".into(), J::String(PROVIDER.into()));
    m
}

fn values(r: &Resource) -> J {
    J::Object(
        r.attrs
            .iter()
            .map(|(k, n)| (k.clone(), n.value.to_json()))
            .collect(),
    )
}

/// A resource in `planned_values`.
fn planned(r: &Resource) -> J {
    let mut m = head(r);
    m.remove("module_address");
    m.insert("schema_version".into(), json!(0));
    m.insert("values".into(), values(r));
    m.insert("sensitive_values".into(), json!({}));
    J::Object(m)
}

/// A resource in `resource_changes`.
fn change(r: &Resource) -> J {
    let mut unknown = Map::new();
    for (k, n) in &r.attrs {
        if let Some(u) = after_unknown(&n.value) {
            unknown.insert(k.clone(), u);
        }
    }
    let action = if r.mode == Mode::Managed {
        // Computed by the provider on create.
        unknown.entry("id").or_insert(J::Bool(true));
        unknown.entry("tags_all").or_insert(J::Bool(true));
        "create"
    } else {
        "read"
    };
    let mut m = head(r);
    m.insert(
        "change".into(),
        json!({
            "actions": [action],
            "before": null,
            "after": values(r),
            "after_unknown": unknown,
            "before_sensitive": false,
            "after_sensitive": {}
        }),
    );
    if r.mode == Mode::Data {
        m.insert(
            "action_reason".into(),
            J::String("read_because_dependency_pending".into()),
        );
    }
    J::Object(m)
}

/// `after_unknown` of one value: `true` for an unknown, the same shape for a collection that
/// holds one, nothing when everything is known.
fn after_unknown(v: &Value) -> Option<J> {
    match v {
        Value::Unknown(_) => Some(J::Bool(true)),
        Value::List(items) if v.contains_unknown() => Some(J::Array(
            items
                .iter()
                .map(|n| after_unknown(&n.value).unwrap_or(J::Bool(false)))
                .collect(),
        )),
        Value::Map(m) if v.contains_unknown() => Some(J::Object(
            m.iter()
                .filter_map(|(k, n)| Some((k.clone(), after_unknown(&n.value)?)))
                .collect(),
        )),
        _ => None,
    }
}

/// `configuration.root_module`: one declaration per resource with its first instance's
/// expressions, module calls with theirs.
fn configuration(resources: &[&Resource]) -> J {
    // module path without keys -> declarations (local address without key -> instances)
    let mut modules: BTreeMap<String, BTreeMap<String, Vec<&Resource>>> = BTreeMap::new();
    for r in resources {
        modules
            .entry(strip_keys(&r.module))
            .or_default()
            .entry(base(local(r)).to_string())
            .or_default()
            .push(r);
    }
    let mut calls: BTreeMap<String, Map<String, J>> = BTreeMap::new();
    let mut decls: BTreeMap<String, Vec<J>> = BTreeMap::new();
    for (module, declared) in &modules {
        for (addr, instances) in declared {
            let mut inputs = Map::new();
            let decl = declaration(module, addr, instances, &mut inputs);
            decls.entry(module.clone()).or_default().push(decl);
            if !module.is_empty() {
                calls.entry(module.clone()).or_default().extend(inputs);
            }
        }
    }
    let mut root = Map::new();
    root.insert(
        "resources".into(),
        J::Array(decls.remove("").unwrap_or_default()),
    );
    let mut module_calls = Map::new();
    for (module, resources) in decls {
        let name = module
            .strip_prefix("module.")
            .unwrap_or(&module)
            .to_string();
        let instances = module_instances(&modules, &module);
        let mut call = Map::new();
        call.insert("source".into(), J::String(source(&name)));
        let mut exprs = calls.remove(&module).unwrap_or_default();
        let key = match instances.first().and_then(|m| index(m)) {
            Some(J::String(_)) => {
                let keys: Vec<J> = instances.iter().filter_map(|m| index(m)).collect();
                call.insert(
                    "for_each_expression".into(),
                    json!({ "constant_value": keys }),
                );
                Some("each.key")
            }
            Some(_) => {
                call.insert(
                    "count_expression".into(),
                    json!({ "constant_value": instances.len() }),
                );
                Some("count.index")
            }
            None => None,
        };
        let mut name_refs = vec![J::String("var.name".into())];
        name_refs.extend(key.map(|k| J::String(k.into())));
        exprs.insert("name".into(), json!({ "references": name_refs }));
        call.insert("expressions".into(), J::Object(exprs));
        call.insert("module".into(), json!({ "resources": resources }));
        module_calls.insert(name, J::Object(call));
    }
    if !module_calls.is_empty() {
        root.insert("module_calls".into(), J::Object(module_calls));
    }
    json!({
        "provider_config": {
            "aws": {
                "name": "aws",
                "full_name": PROVIDER,
                "version_constraint": ">= 5.40",
                "expressions": { "region": { "references": ["var.region"] } }
            }
        },
        "root_module": root
    })
}

/// The distinct instance addresses of a module (`module.sg[0]`, `module.sg[1]`), sorted.
fn module_instances<'a>(
    modules: &'a BTreeMap<String, BTreeMap<String, Vec<&'a Resource>>>,
    module: &str,
) -> Vec<&'a str> {
    let mut out: Vec<&str> = modules
        .get(module)
        .map(|d| d.values().flatten().map(|r| r.module.as_str()).collect())
        .unwrap_or_default();
    out.sort_unstable();
    out.dedup();
    out
}

fn source(name: &str) -> String {
    match name {
        "extra_buckets" => "../../modules/bucket".into(),
        "service_sg" => "../../modules/sg".into(),
        other => format!("./modules/{other}"),
    }
}

/// `module.a["x"].module.b[0]` -> `module.a.module.b`.
fn strip_keys(module: &str) -> String {
    let mut out = String::with_capacity(module.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in module.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// One declaration of `configuration`: its first instance's expressions, with `count.index`
/// or `each.key` where the instances refer to different instances of another resource.
fn declaration(
    module: &str,
    addr: &str,
    instances: &[&Resource],
    inputs: &mut Map<String, J>,
) -> J {
    let Some(first) = instances.first() else {
        return J::Null;
    };
    let key = index(&first.address);
    let ctx = Ctx {
        module,
        varying: instances.len() > 1,
        key: match key {
            Some(J::String(_)) => "each.key",
            _ => "count.index",
        },
    };
    let mut exprs = Map::new();
    for (k, n) in &first.attrs {
        if let Some(e) = expression(&ctx, k, n, inputs) {
            exprs.insert(k.clone(), e);
        }
    }
    let mut m = Map::new();
    m.insert("address".into(), J::String(addr.to_string()));
    m.insert("mode".into(), J::String(mode(first).into()));
    m.insert("type".into(), J::String(first.rtype.clone()));
    m.insert("name".into(), J::String(first.name.clone()));
    m.insert("provider_config_key".into(), J::String("aws".into()));
    m.insert("expressions".into(), J::Object(exprs));
    m.insert("schema_version".into(), json!(0));
    match key {
        Some(J::String(_)) => {
            let keys: Map<String, J> = instances
                .iter()
                .filter_map(|r| match index(&r.address) {
                    Some(J::String(s)) => Some((s, J::String(String::new()))),
                    _ => None,
                })
                .collect();
            m.insert(
                "for_each_expression".into(),
                json!({ "constant_value": keys }),
            );
        }
        Some(_) => {
            m.insert(
                "count_expression".into(),
                json!({ "constant_value": instances.len() }),
            );
        }
        None => {}
    }
    J::Object(m)
}

struct Ctx<'a> {
    /// Module path without keys, empty at the root.
    module: &'a str,
    /// Whether the declaration has several instances.
    varying: bool,
    /// What selects the instance: `count.index` or `each.key`.
    key: &'static str,
}

/// The expression of one attribute: nested blocks (lists of maps) as lists of expression
/// objects, known values as `constant_value`, anything else as its `references`.
fn expression(ctx: &Ctx<'_>, attr: &str, n: &Node, inputs: &mut Map<String, J>) -> Option<J> {
    match &n.value {
        Value::List(items)
            if !items.is_empty() && items.iter().all(|i| matches!(i.value, Value::Map(_))) =>
        {
            let blocks = items
                .iter()
                .filter_map(|i| match &i.value {
                    Value::Map(m) => Some(J::Object(
                        m.iter()
                            .filter_map(|(k, v)| Some((k.clone(), expression(ctx, k, v, inputs)?)))
                            .collect(),
                    )),
                    _ => None,
                })
                .collect();
            Some(J::Array(blocks))
        }
        v if !v.contains_unknown() => Some(json!({ "constant_value": v.to_json() })),
        v => {
            let mut refs = Vec::new();
            unknown_refs(v, &mut refs);
            if refs.is_empty() {
                return None;
            }
            let mut out: Vec<String> = Vec::new();
            let mut external = Vec::new();
            for (address, a) in refs {
                let Some(inside) = relative(ctx.module, &address) else {
                    external.push((address, a));
                    continue;
                };
                if ctx.varying && address.ends_with(']') {
                    out.push(base(inside).to_string());
                    out.push(ctx.key.to_string());
                } else {
                    if let Some(a) = &a {
                        out.push(format!("{inside}.{a}"));
                    }
                    out.push(inside.to_string());
                    if inside.ends_with(']') {
                        out.push(base(inside).to_string());
                    }
                }
            }
            if !external.is_empty() {
                // A module input: `var.<attr>` here, the reference in the module call.
                let var = format!("var.{attr}");
                out.push(var);
                let mut call_refs = Vec::new();
                for (address, a) in external {
                    if let Some(a) = a {
                        call_refs.push(J::String(format!("{address}.{a}")));
                    }
                    call_refs.push(J::String(address));
                }
                inputs.insert(attr.to_string(), json!({ "references": call_refs }));
            }
            out.dedup();
            Some(json!({ "references": out }))
        }
    }
}

/// The address as seen from inside `module` (keys of the module instance ignored), if it is
/// declared there.
fn relative<'a>(module: &str, address: &'a str) -> Option<&'a str> {
    if module.is_empty() {
        return (!address.starts_with("module.")).then_some(address);
    }
    // `module.x["k"].aws_s3_bucket.this` inside `module.x`.
    let rest = address.strip_prefix(module)?;
    let rest = if rest.starts_with('[') {
        let close = rest.find("].")?;
        rest.get(close + 1..)?
    } else {
        rest
    };
    rest.strip_prefix('.')
}

/// The resources an unknown value comes from, with the attribute when known.
fn unknown_refs(v: &Value, out: &mut Vec<(String, Option<String>)>) {
    match v {
        Value::Unknown(Unknown::Computed { address, attr }) => {
            out.push((address.clone(), Some(attr.clone())));
        }
        Value::Unknown(Unknown::DataSource { address }) => out.push((address.clone(), None)),
        Value::Unknown(u) => {
            for r in u.refs() {
                out.push((r.to_string(), None));
            }
        }
        Value::List(items) => items.iter().for_each(|n| unknown_refs(&n.value, out)),
        Value::Map(m) => m.values().for_each(|n| unknown_refs(&n.value, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn keys_and_bases() {
        assert_eq!(index("aws_subnet.public[1]"), Some(json!(1)));
        assert_eq!(index("module.b[\"x\"].aws_s3_bucket.this"), None);
        assert_eq!(
            index("aws_subnet.private[\"ap-northeast-2a\"]"),
            Some(json!("ap-northeast-2a"))
        );
        assert_eq!(base("aws_subnet.public[1]"), "aws_subnet.public");
        assert_eq!(
            strip_keys("module.a[\"x\"].module.b[0]"),
            "module.a.module.b"
        );
        assert_eq!(
            relative("module.sg", "module.sg[1].aws_security_group.this"),
            Some("aws_security_group.this")
        );
        assert_eq!(relative("module.sg", "aws_vpc.main"), None);
        assert_eq!(relative("", "aws_vpc.main"), Some("aws_vpc.main"));
    }
}
