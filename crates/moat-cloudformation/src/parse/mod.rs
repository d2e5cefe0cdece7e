//! YAML and JSON templates into [`Node`]s with a location on every value.
//!
//! Both syntaxes give the same shape: a template is a [`Value::Map`] of sections, lists are
//! [`Value::List`], scalars are strings, numbers, booleans or null. YAML short-form tags
//! become their long forms (`!Ref X` -> `{"Ref": "X"}`, `!GetAtt A.B` ->
//! `{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` -> `{"Fn::Sub": s}`...), so the resolver sees one
//! form.
//!
//! # Locations
//! Every node has `loc = Some(Loc{file, line, column})`, 1-based line and column (columns count
//! characters). **The value of a mapping entry carries the position of its key**: in
//! ```yaml
//! Resources:
//!   WebSecurityGroup:            # line 2
//!     Type: AWS::EC2::SecurityGroup
//! ```
//! the node `Resources.WebSecurityGroup` (a map whose first key is on line 3) has line 2, the
//! line of the logical ID, and `Resources.WebSecurityGroup.Type` has line 3. So a resource's
//! line is its node's line, and a property's line is the line of its key (which is also its
//! value's line when the value is written on the same line, as scalars and flow collections
//! are). List items carry their own position. A tagged value (`Key: !Ref X`) gives the wrapper
//! map the key's position and the inner value (`"X"`) the tag's position.
//!
//! # Scalars (YAML)
//! Quoted and block scalars are strings. Plain scalars: `true`/`false` (also `True`, `TRUE`...)
//! are booleans, `null`, `~` and empty values are null, decimal numbers without a leading zero
//! and with at most 15 significant digits are numbers; everything else (`2010-09-09`,
//! `0123`, `0x1F`, `yes`, `1e400`, `.inf`, `123456789012345678`) stays a string, which later
//! stages read as CloudFormation does (a property declared as a number accepts `"443"`).
//! Core tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq` are honoured.
//!
//! # Refused input (a [`ScanError`] at the offending line)
//! - unknown tags (`!Foo`), tags on mapping keys, complex (non-scalar) mapping keys;
//! - duplicate mapping keys (CloudFormation rejects them);
//! - more than one YAML document;
//! - nesting deeper than [`MAX_DEPTH`] (checked before any recursion, so a 100 000-deep
//!   `[[[[...` is an error, not a stack overflow);
//! - YAML aliases whose expansion would exceed [`MAX_ALIAS_NODES`] nodes (a "billion laughs"
//!   file is refused at the alias that crosses the cap, after linear work);
//! - a string longer than [`Limits::max_string_bytes`], a list or map with more than
//!   [`Limits::max_collection_len`] entries.
//!
//! The YAML merge key `<<` is not expanded (CloudFormation does not support it): it stays an
//! ordinary key.

mod json;
mod yaml;

use std::sync::Arc;

use moat_model::{Limits, Loc, Node, ScanError, Value};

pub use json::parse_json;
pub use yaml::parse_yaml;

/// Deepest nesting of lists and maps accepted (a real template nests fewer than 20 levels).
pub const MAX_DEPTH: usize = 256;

/// Most nodes that YAML aliases (`*name`) and the anchors they copy may add to one template.
/// Without aliases a template has at most one node per few bytes of text, so this only bounds
/// alias expansion ("billion laughs").
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// The short-form YAML tags and the long-form key each one becomes.
pub const SHORT_TAGS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("FindInMap", "Fn::FindInMap"),
    ("GetAtt", "Fn::GetAtt"),
    ("GetAZs", "Fn::GetAZs"),
    ("ImportValue", "Fn::ImportValue"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("Sub", "Fn::Sub"),
    ("Transform", "Fn::Transform"),
    ("And", "Fn::And"),
    ("Equals", "Fn::Equals"),
    ("If", "Fn::If"),
    ("Not", "Fn::Not"),
    ("Or", "Fn::Or"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
    // The rule functions, valid in a template's `Rules` section (and `!ValueOf` in some
    // parameter-dependent values): kept as their long forms; the resolver does not evaluate
    // `Rules` assertions.
    ("Contains", "Fn::Contains"),
    ("EachMemberEquals", "Fn::EachMemberEquals"),
    ("EachMemberIn", "Fn::EachMemberIn"),
    ("RefAll", "Fn::RefAll"),
    ("ValueOf", "Fn::ValueOf"),
    ("ValueOfAll", "Fn::ValueOfAll"),
];

/// The long-form key for a short-form tag suffix (`"GetAtt"` -> `"Fn::GetAtt"`).
pub fn long_form(tag: &str) -> Option<&'static str> {
    SHORT_TAGS
        .iter()
        .find(|(short, _)| *short == tag)
        .map(|(_, long)| *long)
}

/// Parse a template, YAML or JSON. A file named `*.json` is JSON; a file whose first
/// non-blank character is `{` is read as JSON and, if that fails, as YAML (YAML flow style);
/// anything else is YAML. `file` is the name used in every [`Loc`] and error.
pub fn parse(file: Arc<str>, text: &str, limits: &Limits) -> Result<Node, ScanError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if file.to_ascii_lowercase().ends_with(".json") {
        return parse_json(file, text, limits);
    }
    if text.trim_start().starts_with('{') {
        return match parse_json(file.clone(), text, limits) {
            Ok(n) => Ok(n),
            Err(json_err) => parse_yaml(file, text, limits).map_err(|_| json_err),
        };
    }
    parse_yaml(file, text, limits)
}

/// An error at `line` of `file`.
pub(crate) fn error(file: &str, line: u32, message: impl Into<String>) -> ScanError {
    ScanError {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

/// A number for a plain scalar or JSON number literal, when it is a decimal number that an
/// `f64` holds exactly enough: no leading zero (`0123` stays text), at most 15 significant
/// digits (`123456789012345678` stays text), finite.
pub(crate) fn number(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let digits_start = usize::from(matches!(b.first(), Some(b'-') | Some(b'+')));
    let body = text.get(digits_start..)?;
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i)?, Some(body.get(i + 1..)?)),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    if int.is_empty() || !int.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if int.len() > 1 && int.starts_with('0') {
        return None;
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || e.len() > 3 || !e.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let significant = int.trim_start_matches('0').len() + frac.map_or(0, str::len);
    if significant > 15 {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    v.is_finite().then_some(v)
}

/// The value of a plain (unquoted, untagged) YAML scalar.
pub(crate) fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => match number(text) {
            Some(n) => Value::Number(n),
            None => Value::String(text.to_string()),
        },
    }
}

/// `Some(loc)` at `line`/`column` of `file`.
pub(crate) fn loc(file: &Arc<str>, line: usize, column: usize) -> Option<Loc> {
    Some(Loc::new(
        file.clone(),
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number("443"), Some(443.0));
        assert_eq!(number("-1.5"), Some(-1.5));
        assert_eq!(number("1e3"), Some(1000.0));
        assert_eq!(number("0"), Some(0.0));
        assert_eq!(number("0.5"), Some(0.5));
        assert_eq!(number("0123"), None);
        assert_eq!(number("2010-09-09"), None);
        assert_eq!(number("0x1F"), None);
        assert_eq!(number("1."), None);
        assert_eq!(number(".5"), None);
        assert_eq!(number("1e400"), None);
        assert_eq!(number("123456789012345678"), None);
        assert_eq!(number("123456789012"), Some(123456789012.0));
        assert_eq!(number(""), None);
        assert_eq!(number("-"), None);
    }
}
