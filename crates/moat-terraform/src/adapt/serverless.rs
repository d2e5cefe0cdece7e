//! The Terraform adapter of the serverless family ([`moat_model::aws::serverless`]): Lambda
//! functions (`aws_lambda_function`), function URLs (`aws_lambda_function_url`) and function
//! permissions (`aws_lambda_permission`).
//!
//! # Defaults
//! Without `kms_key_arn`, Lambda encrypts environment variables with the AWS managed key.

use moat_model::aws::serverless::*;
use moat_model::{Estate, Node, Resolved, Resource, ResourceId};

use super::setting;

/// Build the serverless family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Serverless {
    Serverless {
        functions: e
            .managed_of_type("aws_lambda_function")
            .map(|(id, r)| function(e, r, id))
            .collect(),
        urls: e
            .managed_of_type("aws_lambda_function_url")
            .map(|(id, r)| FunctionUrl {
                id,
                function: function_of(e, r),
                auth: setting::read_opt(
                    r,
                    id,
                    "authorization_type",
                    "authorization_type",
                    "a string",
                    url_auth,
                ),
            })
            .collect(),
        permissions: e
            .managed_of_type("aws_lambda_permission")
            .map(|(id, r)| {
                let string = |path: &'static str| {
                    setting::read_opt(r, id, path, path, "a string", |n| {
                        n.as_str().map(str::to_string)
                    })
                };
                Permission {
                    id,
                    function: function_of(e, r),
                    action: string("action"),
                    principal: string("principal"),
                    url_auth: setting::read_opt(
                        r,
                        id,
                        "function_url_auth_type",
                        "function_url_auth_type",
                        "a string",
                        url_auth,
                    ),
                }
            })
            .collect(),
    }
}

fn url_auth(n: &Node) -> Option<UrlAuth> {
    n.as_str().map(UrlAuth::from_api)
}

/// The function named by `function_name` (a reference, or the function's name or ARN).
fn function_of(e: &Estate, r: &Resource) -> Option<ResourceId> {
    let n = r.get("function_name")?;
    match e.resolve(n, &["aws_lambda_function"], &["function_name", "arn"]) {
        Resolved::Resource(id) => Some(id),
        _ => None,
    }
}

fn function(e: &Estate, r: &Resource, id: ResourceId) -> Function {
    let has_variables = r.blocks("environment").iter().any(|env| {
        env.get("variables")
            .is_some_and(|v| !v.is_null() && v.as_map().is_none_or(|m| !m.is_empty()))
    });
    Function {
        id,
        environment: has_variables.then(|| r.loc_of("environment").clone()),
        kms_key: setting::names_object(r, id, "kms_key_arn", "kms_key_arn"),
        role: r.get("role").and_then(|n| {
            moat_model::aws::identity::RoleLink::to_role(e, n, &super::compute::ROLE_WORDS, &r.loc)
        }),
    }
}
