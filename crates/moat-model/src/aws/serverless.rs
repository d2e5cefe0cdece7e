//! The serverless family of the typed state: Lambda functions (the encryption of their
//! environment variables) and function URLs (their authorization type, and the resource-policy
//! permissions that let anyone invoke them).

use crate::aws::Attr;
use crate::estate::ResourceId;
use crate::value::Loc;

/// Lambda functions and function URLs.
#[derive(Clone, Debug, Default)]
pub struct Serverless {
    pub functions: Vec<Function>,
    pub urls: Vec<FunctionUrl>,
    /// Resource-policy statements of functions (Terraform `aws_lambda_permission`).
    pub permissions: Vec<Permission>,
}

/// A Lambda function.
#[derive(Clone, Debug)]
pub struct Function {
    pub id: ResourceId,
    /// Where the environment variables are declared, when the function has some (or may
    /// have: their value is unknown).
    pub environment: Option<Loc>,
    /// A customer managed KMS key encrypts the environment: `Known(true)` when a key is named
    /// (a reference to a key not yet created counts), `Default(false)` when none is (Lambda
    /// then uses the AWS managed key).
    pub kms_key: Attr<bool>,
    /// The execution role, resolved (`profile` is `None`); `None` when it is not written.
    pub role: Option<crate::aws::identity::RoleLink>,
}

/// The authorization type of a function URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlAuth {
    /// `AWS_IAM`: callers sign their requests.
    AwsIam,
    /// `NONE`: anyone can invoke the URL.
    None,
    /// Another value, as written.
    Other(String),
}

impl UrlAuth {
    /// The authorization type as the Lambda API spells it (`AWS_IAM`, `NONE`), which every
    /// frontend writes the same way.
    pub fn from_api(s: &str) -> UrlAuth {
        match s {
            "AWS_IAM" => UrlAuth::AwsIam,
            "NONE" => UrlAuth::None,
            other => UrlAuth::Other(other.to_string()),
        }
    }
}

impl std::fmt::Display for UrlAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlAuth::AwsIam => f.write_str("AWS_IAM"),
            UrlAuth::None => f.write_str("NONE"),
            UrlAuth::Other(s) => f.write_str(s),
        }
    }
}

/// A function URL.
#[derive(Clone, Debug)]
pub struct FunctionUrl {
    pub id: ResourceId,
    /// The function it invokes, when it is in the estate.
    pub function: Option<ResourceId>,
    /// The authorization type (required: `None` only in a broken configuration).
    pub auth: Option<Attr<UrlAuth>>,
}

/// One permission of a function's resource policy.
#[derive(Clone, Debug)]
pub struct Permission {
    pub id: ResourceId,
    /// The function it applies to, when it is in the estate.
    pub function: Option<ResourceId>,
    /// The action allowed (`lambda:InvokeFunctionUrl`, `lambda:InvokeFunction`).
    pub action: Option<Attr<String>>,
    /// The principal allowed (`*`, an account, a service).
    pub principal: Option<Attr<String>>,
    /// For `lambda:InvokeFunctionUrl`: the URL authorization type the permission is for.
    pub url_auth: Option<Attr<UrlAuth>>,
}
