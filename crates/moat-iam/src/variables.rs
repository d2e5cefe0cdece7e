//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, the special characters
//! `${*}`, `${?}`, `${$}`, and defaults `${aws:username, 'nobody'}`, following
//! [IAM policy elements: Variables and tags](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
//!
//! - Variables are substituted in the `Resource` element and in the values of string and ARN
//!   condition operators, and only in policies of version `2012-10-17`; in `2008-10-17` (or
//!   without `Version`) they are literal text.
//! - A variable whose key is not in the request context takes its default when one is written;
//!   without a default, the element that contains it matches nothing ("If there is no value for
//!   the variable ... the policy variable ... the statement does not match", the page's "Request
//!   information that you can use for policy variables").
//! - Substituted text is literal: a `*` in a tag value does not become a wildcard. In patterns
//!   the result is escaped with [`crate::pattern::escape`].
//! - A key with several values (`aws:TagKeys`) cannot be used as a variable: it does not match.
//! - In an open context (the request is not fully known, as when answering from IaC), a key that
//!   is not set is unknown: the element's outcome depends on the request.

use moat_model::Unknown;

use crate::condition::RequestContext;
use crate::pattern::{escape, LITERAL_QUESTION, LITERAL_STAR};

/// The outcome of substituting the variables of one policy string.
#[derive(Clone, Debug, PartialEq)]
pub enum Substituted {
    /// The text after substitution (escaped for pattern use when asked).
    Text(String),
    /// A variable whose key is absent and has no default: the element matches nothing.
    Missing(String),
    /// A variable whose key is not known (open context).
    Unknown(Unknown),
}

/// Whether `text` contains something that looks like a policy variable.
pub fn has_variables(text: &str) -> bool {
    text.contains("${")
}

/// Substitute the policy variables of `text` from `context`. With `pattern` set, the result is
/// a pattern: text written in the policy keeps its wildcards, substituted text is escaped.
/// Without it, the result is plain text (`${*}` is `*`).
pub fn substitute(text: &str, context: &RequestContext, pattern: bool) -> Substituted {
    if !has_variables(text) {
        return Substituted::Text(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let body_and_more = after.get(2..).unwrap_or("");
        let Some(end) = body_and_more.find('}') else {
            // Unterminated: literal text.
            out.push_str(after);
            rest = "";
            break;
        };
        let body = body_and_more.get(..end).unwrap_or("");
        rest = body_and_more.get(end + 1..).unwrap_or("");
        match body {
            "*" => out.push(if pattern { LITERAL_STAR } else { '*' }),
            "?" => out.push(if pattern { LITERAL_QUESTION } else { '?' }),
            "$" => out.push('$'),
            _ => {
                let (key, default) = split_default(body);
                if !valid_key(key) {
                    // Not a variable AWS recognises: the text stays as written.
                    out.push_str("${");
                    out.push_str(body);
                    out.push('}');
                    continue;
                }
                let value = match context.values(key) {
                    Some(values) if values.len() == 1 => values.first().cloned(),
                    Some(_) => None,
                    None if context.is_unknown_key(key) => {
                        return Substituted::Unknown(Unknown::derived(format!(
                            "the value of the request's `{key}` (policy variable in `{text}`)"
                        )))
                    }
                    None => None,
                };
                match value.or_else(|| default.map(str::to_string)) {
                    Some(v) if pattern => out.push_str(&escape(&v)),
                    Some(v) => out.push_str(&v),
                    None => return Substituted::Missing(key.to_string()),
                }
            }
        }
    }
    out.push_str(rest);
    Substituted::Text(out)
}

/// `aws:username, 'default'` -> (`aws:username`, Some(`default`)).
fn split_default(body: &str) -> (&str, Option<&str>) {
    match body.split_once(',') {
        Some((key, default)) => {
            let d = default.trim();
            let d = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(d);
            (key.trim(), Some(d))
        }
        None => (body.trim(), None),
    }
}

/// A condition key usable as a variable: `service:name` with an optional `/tag-key`.
fn valid_key(key: &str) -> bool {
    let Some((service, name)) = key.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && !name.is_empty()
        // `${AWS::Region}` (CloudFormation) is not a condition key.
        && !name.starts_with(':')
        && service
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '{' || c == '}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> RequestContext {
        let mut c = RequestContext::new();
        c.set("aws:username", "bob")
            .set("aws:PrincipalTag/team", "a*b")
            .set_multi("aws:TagKeys", &["x", "y"]);
        c
    }

    #[test]
    fn substitutes_and_escapes() {
        let c = ctx();
        assert_eq!(
            substitute("home/${aws:username}/*", &c, true),
            Substituted::Text("home/bob/*".into())
        );
        assert_eq!(
            substitute("t/${aws:principaltag/team}", &c, true),
            Substituted::Text(format!("t/a{LITERAL_STAR}b"))
        );
        assert_eq!(
            substitute("t/${aws:PrincipalTag/team}", &c, false),
            Substituted::Text("t/a*b".into())
        );
        assert_eq!(
            substitute("a${*}b${?}${$}", &c, true),
            Substituted::Text(format!("a{LITERAL_STAR}b{LITERAL_QUESTION}$"))
        );
        assert_eq!(
            substitute("${aws:userid, 'none'}", &c, false),
            Substituted::Text("none".into())
        );
        assert_eq!(
            substitute("${aws:userid}", &c, false),
            Substituted::Missing("aws:userid".into())
        );
        assert_eq!(
            substitute("${aws:TagKeys}", &c, false),
            Substituted::Missing("aws:TagKeys".into())
        );
        assert_eq!(
            substitute("${unterminated", &c, false),
            Substituted::Text("${unterminated".into())
        );
    }

    #[test]
    fn open_context_is_unknown() {
        let mut c = RequestContext::open();
        c.set("aws:username", "bob");
        assert!(matches!(
            substitute("${aws:SourceVpc}", &c, false),
            Substituted::Unknown(_)
        ));
        assert_eq!(
            substitute("${aws:username}", &c, false),
            Substituted::Text("bob".into())
        );
    }
}
