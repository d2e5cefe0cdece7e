//! The CloudFormation adapter of the serverless family ([`moat_model::aws::serverless`]): Lambda
//! functions (`AWS::Lambda::Function`), function URLs (`AWS::Lambda::Url`) and function
//! permissions (`AWS::Lambda::Permission`). SAM functions arrive here already expanded into
//! these types.
//!
//! # Defaults
//! Without `KmsKeyArn`, Lambda encrypts environment variables with the AWS managed key
//! ([Securing environment variables](https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html)).
//! `AuthType` of a URL is required (`AWS_IAM` or `NONE`); nothing is assumed when it is absent.

use moat_model::aws::serverless::*;
use moat_model::{Estate, Node, Resolved, Resource, ResourceId, Value};

use super::setting;

const FUNCTION: &str = "AWS::Lambda::Function";

/// Build the serverless family of a CloudFormation estate.
pub fn build(e: &Estate) -> Serverless {
    Serverless {
        functions: e
            .managed_of_type(FUNCTION)
            .map(|(id, r)| function(e, r, id))
            .collect(),
        urls: e
            .managed_of_type("AWS::Lambda::Url")
            .map(|(id, r)| FunctionUrl {
                id,
                function: function_of(e, r, "TargetFunctionArn"),
                auth: setting::read_opt(r, id, "AuthType", "AuthType", "a string", url_auth),
            })
            .collect(),
        permissions: e
            .managed_of_type("AWS::Lambda::Permission")
            .map(|(id, r)| {
                let string = |path: &'static str| {
                    setting::read_opt(r, id, path, path, "a string", |n| {
                        n.as_str().map(str::to_string)
                    })
                };
                Permission {
                    id,
                    function: function_of(e, r, "FunctionName"),
                    action: string("Action"),
                    principal: string("Principal"),
                    url_auth: setting::read_opt(
                        r,
                        id,
                        "FunctionUrlAuthType",
                        "FunctionUrlAuthType",
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

/// The function named by `key` (`Ref`, `Fn::GetAtt [F, Arn]`, or the function's name).
fn function_of(e: &Estate, r: &Resource, key: &str) -> Option<ResourceId> {
    let n = r.get(key)?;
    match e.resolve(n, &[FUNCTION], &["FunctionName"]) {
        Resolved::Resource(id) => Some(id),
        _ => None,
    }
}

fn function(e: &Estate, r: &Resource, id: ResourceId) -> Function {
    // `Environment.Variables`: a non-empty map, or a value that may be one (unknown).
    let has_variables = setting::written(r, "Environment.Variables").is_some_and(|v| {
        !matches!(&v.value, Value::Map(m) if m.is_empty())
            && matches!(v.value, Value::Map(_) | Value::Unknown(_))
    });
    Function {
        id,
        environment: has_variables.then(|| r.loc_of("Environment").clone()),
        kms_key: setting::names_object(r, id, "KmsKeyArn", "KmsKeyArn"),
        role: setting::written(r, "Role").and_then(|n| {
            moat_model::aws::identity::RoleLink::to_role(e, n, &super::compute::ROLE_WORDS, &r.loc)
        }),
    }
}
