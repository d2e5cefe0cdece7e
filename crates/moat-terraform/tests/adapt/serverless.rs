//! The Terraform adapter of the serverless family: Lambda environment encryption (written,
//! default, unknown), function URLs and permissions linked to their function, and an invalid
//! authorization type.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[allow(unused_imports)] // each family uses some of them
use super::{id, load, load_hcl};

use moat_model::aws::serverless::{Function, UrlAuth};
use moat_model::aws::AttrValue;
use moat_model::{Estate, Unknown};

fn function<'e>(e: &'e Estate, address: &str) -> &'e Function {
    let id = e.by_address(address).unwrap();
    e.aws
        .serverless
        .functions
        .iter()
        .find(|f| f.id == id)
        .unwrap()
}

const HCL: &str = r#"
variable "key" {}

resource "aws_kms_key" "k" {}

resource "aws_lambda_function" "plain" {
  function_name = "plain"
  environment {
    variables = { A = "1" }
  }
}

resource "aws_lambda_function" "cmk" {
  function_name = "cmk"
  kms_key_arn   = aws_kms_key.k.arn
  environment {
    variables = { A = "1" }
  }
}

resource "aws_lambda_function" "from_var" {
  function_name = "from-var"
  kms_key_arn   = var.key
  environment {
    variables = { A = "1" }
  }
}

resource "aws_lambda_function" "no_env" {
  function_name = "no-env"
}

resource "aws_lambda_function_url" "open" {
  function_name      = aws_lambda_function.plain.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_function_url" "odd" {
  function_name      = "cmk"
  authorization_type = 5
}

resource "aws_lambda_permission" "url" {
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.plain.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}
"#;

#[test]
fn environment_encryption_written_default_and_unknown() {
    let e = load_hcl(HCL);
    let plain = function(&e, "aws_lambda_function.plain");
    assert_eq!(plain.environment.as_ref().unwrap().line, 8);
    assert_eq!(plain.kms_key.value, AttrValue::Default(false));
    assert_eq!(plain.kms_key.loc.line, 6);
    assert_eq!(
        plain.kms_key.describe(),
        "`kms_key_arn` is not set (default `false`)"
    );

    let cmk = function(&e, "aws_lambda_function.cmk");
    assert_eq!(cmk.kms_key.value, AttrValue::Known(true));
    assert_eq!(
        (cmk.kms_key.path.as_ref(), cmk.kms_key.loc.line),
        ("kms_key_arn", 15)
    );

    let var = function(&e, "aws_lambda_function.from_var");
    assert_eq!(
        var.kms_key.value,
        AttrValue::Unknown(Unknown::Variable { name: "key".into() })
    );

    assert!(function(&e, "aws_lambda_function.no_env")
        .environment
        .is_none());
}

#[test]
fn urls_and_permissions_link_to_their_function() {
    let e = load_hcl(HCL);
    let s = &e.aws.serverless;
    let plain = e.by_address("aws_lambda_function.plain").unwrap();
    let cmk = e.by_address("aws_lambda_function.cmk").unwrap();

    let open = s
        .urls
        .iter()
        .find(|u| u.id == e.by_address("aws_lambda_function_url.open").unwrap())
        .unwrap();
    assert_eq!(open.function, Some(plain));
    let auth = open.auth.as_ref().unwrap();
    assert_eq!(auth.value, AttrValue::Known(UrlAuth::None));
    assert_eq!(auth.describe(), "`authorization_type` is `NONE`");

    let odd = s
        .urls
        .iter()
        .find(|u| u.id == e.by_address("aws_lambda_function_url.odd").unwrap())
        .unwrap();
    // Linked by the function's name.
    assert_eq!(odd.function, Some(cmk));
    assert!(matches!(
        odd.auth.as_ref().unwrap().value,
        AttrValue::Invalid { .. }
    ));

    let p = &s.permissions[0];
    assert_eq!(p.function, Some(plain));
    assert_eq!(
        p.principal.as_ref().unwrap().value,
        AttrValue::Known("*".into())
    );
    assert_eq!(
        p.url_auth.as_ref().unwrap().value,
        AttrValue::Known(UrlAuth::None)
    );
}
