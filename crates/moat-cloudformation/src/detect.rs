//! Is this file a CloudFormation template? Decided by content, never by file name.
//!
//! A template is a mapping with `AWSTemplateFormatVersion`, or with a `Resources` mapping
//! holding at least one resource whose `Type` is a CloudFormation type (`AWS::...`,
//! `Custom::...`, `Alexa::...`). A Kubernetes manifest, a `package.json`, a Terraform plan or
//! state file has neither.
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html>)

use moat_model::{Node, Value};

/// Prefixes of CloudFormation resource types (`Custom::` for custom resources).
const TYPE_PREFIXES: &[&str] = &["AWS::", "Custom::", "Alexa::"];

/// A cheap test on the text before parsing: could this be a template? True for every
/// template [`is_template`] accepts (false positives are fine, false negatives are not).
pub fn may_be_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && TYPE_PREFIXES.iter().any(|p| text.contains(p)))
}

/// Whether a parsed document is a CloudFormation template.
pub fn is_template(doc: &Node) -> bool {
    let Value::Map(top) = &doc.value else {
        return false;
    };
    if top.contains_key("AWSTemplateFormatVersion") {
        return true;
    }
    let Some(Node {
        value: Value::Map(resources),
        ..
    }) = top.get("Resources")
    else {
        return false;
    };
    resources.values().any(|r| match &r.value {
        Value::Map(m) => matches!(
            m.get("Type").map(|t| &t.value),
            Some(Value::String(t)) if TYPE_PREFIXES.iter().any(|p| t.starts_with(p))
        ),
        _ => false,
    })
}
