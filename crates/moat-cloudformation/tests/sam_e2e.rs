//! The SAM transform end to end: a SAM template through `moat_cloudformation::parse_str`
//! (parse, SAM, resolve, adapt), checked on the resolved resources and the typed AWS state.

use moat_model::aws::identity::PolicyHolder;
use moat_model::aws::serverless::UrlAuth;
use moat_model::aws::AttrValue;
use moat_model::{Estate, Value};

mod common;

const APP: &str = include_str!("fixtures/sam/app.yaml");

fn app() -> Estate {
    moat_cloudformation::parse_str("sam/app.yaml", APP)
}

fn line_of(needle: &str) -> u32 {
    common::line_of(APP, needle)
}

#[test]
fn valid_sam_template_has_no_errors_and_no_sam_types_left() {
    let e = app();
    assert!(e.errors.is_empty(), "{:#?}", e.errors);
    assert!(
        !e.resources
            .iter()
            .any(|r| r.rtype.starts_with("AWS::Serverless::")),
        "{:?}",
        e.resources.iter().map(|r| &r.rtype).collect::<Vec<_>>()
    );
    let names: Vec<&str> = e.resources.iter().map(|r| r.address.as_str()).collect();
    for id in [
        "ProcessFunction",
        "ProcessFunctionRole",
        "ProcessFunctionQueue",
        "ProcessFunctionHelloPermissionProd",
        "ServerlessRestApi",
        "ServerlessRestApiProdStage",
        "ServerlessHttpApi",
        "ServerlessHttpApiApiGatewayDefaultStage",
        "PublicFunctionUrl",
        "PublicFunctionUrlPublicPermissions",
        "AdminFunctionAliaslive",
        "AdminApiv1Stage",
        "Orders",
    ] {
        assert!(names.contains(&id), "no `{id}` in {names:?}");
    }
    assert!(!names.contains(&"PublicFunctionRole"));
}

#[test]
fn generated_resources_are_located_at_their_sam_source() {
    let e = app();
    let at = |id: &str| {
        let r = e
            .by_address(id)
            .and_then(|i| e.get(i))
            .unwrap_or_else(|| panic!("no `{id}`"));
        (r.loc.file.to_string(), r.loc.line)
    };
    let f = "sam/app.yaml".to_string();
    assert_eq!(
        at("ProcessFunction"),
        (f.clone(), line_of("  ProcessFunction:"))
    );
    assert_eq!(
        at("ProcessFunctionRole"),
        (f.clone(), line_of("  ProcessFunction:"))
    );
    assert_eq!(
        at("PublicFunctionUrl"),
        (f.clone(), line_of("FunctionUrlConfig:"))
    );
    assert_eq!(
        at("PublicFunctionUrlPublicPermissions"),
        (f.clone(), line_of("AuthType: NONE"))
    );
    assert_eq!(at("ProcessFunctionQueue"), (f, line_of("        Queue:")));
}

#[test]
fn function_url_with_auth_none_is_public_in_the_typed_state() {
    let e = app();
    let url = e
        .aws
        .serverless
        .urls
        .iter()
        .find(|u| {
            e.get(u.id)
                .is_some_and(|r| r.address == "PublicFunctionUrl")
        })
        .expect("PublicFunctionUrl in the typed state");
    let auth = url.auth.as_ref().expect("AuthType");
    assert!(
        matches!(auth.value, AttrValue::Known(UrlAuth::None)),
        "{auth:?}"
    );
    assert_eq!(auth.loc.line, line_of("AuthType: NONE"));
    let public = e
        .aws
        .serverless
        .permissions
        .iter()
        .find(|p| {
            e.get(p.id)
                .is_some_and(|r| r.address == "PublicFunctionUrlPublicPermissions")
        })
        .expect("the public permission in the typed state");
    let principal = public.principal.as_ref().expect("Principal");
    assert!(matches!(&principal.value, AttrValue::Known(s) if s == "*"));
}

#[test]
fn policy_template_statements_reach_the_role_in_the_typed_state() {
    let e = app();
    let role = e.by_address("ProcessFunctionRole").expect("role");
    let docs: Vec<_> = e
        .aws
        .identity
        .policies
        .iter()
        .filter(|p| p.id == role && matches!(p.holder, PolicyHolder::RoleInlinePolicy))
        .collect();
    assert_eq!(docs.len(), 6, "{docs:#?}");
    let s3 = docs
        .iter()
        .find(|d| d.loc.line == line_of("- S3CrudPolicy:"))
        .expect("the S3CrudPolicy document, located at its entry");
    let policy = s3.document.as_ref().expect("a known document");
    let st = policy.statements.first().expect("a statement");
    assert!(st.allow);
    assert!(st.actions.values.iter().any(|a| a == "s3:PutObject"));
    assert!(!st.resources.values.iter().any(|r| r == "*"));
    // The explicit inline statement keeps its wildcard resource.
    let ssm = docs
        .iter()
        .find(|d| d.loc.line == line_of("- Statement:"))
        .expect("the inline document");
    let st = ssm
        .document
        .as_ref()
        .expect("known")
        .statements
        .first()
        .expect("statement");
    assert_eq!(st.resources.values, ["*"]);
}

#[test]
fn lambda_function_properties_are_resolved() {
    let e = app();
    let f = e
        .by_address("ProcessFunction")
        .and_then(|i| e.get(i))
        .expect("function");
    assert_eq!(f.rtype, "AWS::Lambda::Function");
    assert_eq!(f.str_attr("Runtime"), Some("python3.12"));
    assert_eq!(
        f.get("Runtime")
            .and_then(|n| n.loc.as_ref())
            .map(|l| l.line),
        Some(line_of("Runtime: python3.12"))
    );
    let role = f.get("Role").expect("Role");
    assert!(
        matches!(&role.value, Value::Unknown(moat_model::Unknown::Computed { address, .. }) if address == "ProcessFunctionRole"),
        "{role:?}"
    );
}
