//! The service authorization table, parsed from the embedded `data/actions.tsv`.
//!
//! The file is written by `scripts/gen-iam-data.mjs` (its header comment describes the
//! format). Strings borrow from the embedded text; only the qualified action names
//! (`s3:GetObject`) are allocated.

use std::cmp::Ordering;

/// The access level AWS gives an action in the Service Authorization Reference
/// ([access levels](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    Tagging,
    PermissionsManagement,
    /// A level this version of moat does not know, as written in the data.
    Other(&'static str),
}

impl AccessLevel {
    /// Parse the level as the data writes it. The source writes the tagging and permission
    /// levels as `Tagging, Write` and `Permissions management, Write`; the first word decides.
    pub fn parse(text: &'static str) -> AccessLevel {
        match text.split(',').next().map(str::trim) {
            Some("List") => AccessLevel::List,
            Some("Read") => AccessLevel::Read,
            Some("Write") => AccessLevel::Write,
            Some("Tagging") => AccessLevel::Tagging,
            Some("Permissions management") => AccessLevel::PermissionsManagement,
            _ => AccessLevel::Other(text),
        }
    }

    /// The level as AWS names it (`Permissions management`).
    pub fn as_str(&self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::Tagging => "Tagging",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Other(text) => text,
        }
    }
}

/// A resource type an action can act on, as listed on the action's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionResourceType {
    /// The resource type's name in the service's resource type table (`object`).
    pub name: &'static str,
    /// AWS marks the type required (`*` in the reference): the action needs a resource of this
    /// type in the request.
    pub required: bool,
    /// Condition keys listed on this resource type row of the action.
    pub condition_keys: Vec<&'static str>,
}

/// One IAM action of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// The action name without the service prefix, in AWS's case (`GetObject`).
    pub name: &'static str,
    pub access_level: AccessLevel,
    /// The resource types the action acts on; empty when it supports only `Resource: *`.
    pub resource_types: Vec<ActionResourceType>,
    /// Condition keys of the action itself (not those of a resource type row).
    pub condition_keys: Vec<&'static str>,
    qualified: String,
    prefix_len: usize,
}

impl Action {
    /// The qualified name in AWS's case (`s3:GetObject`).
    pub fn qualified_name(&self) -> &str {
        &self.qualified
    }

    /// The service prefix (`s3`).
    pub fn service_prefix(&self) -> &str {
        self.qualified.get(..self.prefix_len).unwrap_or_default()
    }
}

/// A resource type of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    /// Its name (`bucket`), as actions refer to it.
    pub name: &'static str,
    /// Its ARN formats (`arn:${Partition}:s3:::${BucketName}`); most types have one, a few
    /// (API Gateway, Lex) several.
    pub arn_formats: Vec<&'static str>,
    /// Condition keys that apply to resources of this type.
    pub condition_keys: Vec<&'static str>,
}

/// A condition key a service defines (or uses, like `aws:ResourceTag/${TagKey}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionKey {
    /// The key in AWS's case (`s3:x-amz-acl`, `aws:RequestTag/${TagKey}`).
    pub name: &'static str,
    /// The type AWS documents (`String`, `ArrayOfString`, `ARN`, `Bool`, `Numeric`, `Date`,
    /// `IPAddress`, `ArrayOfARN`, `ArrayOfBool`...).
    pub value_type: &'static str,
}

impl ConditionKey {
    /// Whether the key is multivalued (`ArrayOf...`), the keys that need a
    /// `ForAllValues:`/`ForAnyValue:` qualifier
    /// ([multivalued context keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html)).
    pub fn is_multivalued(&self) -> bool {
        self.value_type.starts_with("ArrayOf")
    }
}

/// One AWS service: its prefix, actions, resource types and condition keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The service prefix (`s3`), as in `s3:GetObject`.
    pub prefix: &'static str,
    /// The service's name (`Amazon S3`).
    pub name: &'static str,
    /// The actions, sorted by name case-insensitively.
    pub actions: Vec<Action>,
    pub resource_types: Vec<ResourceType>,
    pub condition_keys: Vec<ConditionKey>,
}

impl Service {
    /// The action named `name` (without the prefix), case-insensitively as AWS matches actions.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions
            .binary_search_by(|a| cmp_ignore_ascii_case(a.name, name))
            .ok()
            .and_then(|i| self.actions.get(i))
    }

    /// The resource type named `name` (exactly as the data writes it).
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        self.resource_types.iter().find(|r| r.name == name)
    }

    /// The condition key `name`, case-insensitively (condition key names are not
    /// case-sensitive: [Condition](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html)).
    /// Templated keys (`aws:RequestTag/${TagKey}`) match only as written.
    pub fn condition_key(&self, name: &str) -> Option<&ConditionKey> {
        self.condition_keys
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case(name))
    }
}

/// Compare two strings as if ASCII-lowercased.
pub(crate) fn cmp_ignore_ascii_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// A list field: `|`-separated, empty for none.
fn list(field: &'static str) -> Vec<&'static str> {
    if field.is_empty() {
        Vec::new()
    } else {
        field.split('|').collect()
    }
}

/// Parse the whole table; services and actions are sorted case-insensitively whatever the
/// file's order, so lookups can binary-search.
pub(crate) fn parse(text: &'static str) -> Result<Vec<Service>, String> {
    let mut services: Vec<Service> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let lineno = n + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        let tag = fields.next().unwrap_or_default();
        let mut next = |what: &str| {
            fields
                .next()
                .ok_or_else(|| format!("line {lineno}: missing {what}"))
        };
        if tag == "S" {
            let prefix = next("service prefix")?;
            let name = next("service name")?;
            services.push(Service {
                prefix,
                name,
                actions: Vec::new(),
                resource_types: Vec::new(),
                condition_keys: Vec::new(),
            });
            continue;
        }
        let service = services
            .last_mut()
            .ok_or_else(|| format!("line {lineno}: record before any service"))?;
        match tag {
            "R" => {
                let name = next("resource type")?;
                let arn_formats = list(next("arn formats")?);
                let condition_keys = list(next("condition keys")?);
                service.resource_types.push(ResourceType {
                    name,
                    arn_formats,
                    condition_keys,
                });
            }
            "C" => {
                let name = next("condition key")?;
                let value_type = next("condition key type")?;
                service
                    .condition_keys
                    .push(ConditionKey { name, value_type });
            }
            "A" => {
                let name = next("action name")?;
                let access_level = AccessLevel::parse(next("access level")?);
                let resource_types = list(next("resource types")?)
                    .into_iter()
                    .map(|item| {
                        let mut parts = item.split(';');
                        let first = parts.next().unwrap_or_default();
                        let (name, required) = match first.strip_suffix('*') {
                            Some(n) => (n, true),
                            None => (first, false),
                        };
                        ActionResourceType {
                            name,
                            required,
                            condition_keys: parts.collect(),
                        }
                    })
                    .collect();
                let condition_keys = list(next("condition keys")?);
                if name.is_empty() || name.contains(':') {
                    return Err(format!("line {lineno}: bad action name `{name}`"));
                }
                service.actions.push(Action {
                    name,
                    access_level,
                    resource_types,
                    condition_keys,
                    qualified: format!("{}:{}", service.prefix, name),
                    prefix_len: service.prefix.len(),
                });
            }
            other => return Err(format!("line {lineno}: unknown record `{other}`")),
        }
    }
    for s in &mut services {
        s.actions
            .sort_by(|a, b| cmp_ignore_ascii_case(a.name, b.name));
    }
    services.sort_by(|a, b| cmp_ignore_ascii_case(a.prefix, b.prefix));
    Ok(services)
}

/// Whether `arn` has the format `template` (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`),
/// and if so how specific the template is (its count of literal characters).
///
/// The approximation: the first five colon-separated segments are matched segment by segment,
/// the resource part (after the fifth colon) as a whole; a `${...}` placeholder matches any
/// non-empty run of characters (inside its segment in the first five; any characters, `/` and
/// `:` included, in the resource part, since names with paths and object keys contain them); a
/// `*` in the template (`cert:*`) matches any run. Everything else is literal and
/// case-sensitive. The data does not say which characters a placeholder's value may hold, so
/// `${BucketName}` also matches `b/k`: callers keep the most specific matches
/// ([`super::resource_types_for_arn`]).
pub(crate) fn arn_format_match(template: &str, arn: &str) -> Option<usize> {
    const SEGMENTS: usize = 6;
    let t: Vec<&str> = template.splitn(SEGMENTS, ':').collect();
    let a: Vec<&str> = arn.splitn(SEGMENTS, ':').collect();
    if t.len() != a.len() {
        return None;
    }
    let mut literal = 0usize;
    for (tp, av) in t.iter().zip(a.iter()) {
        let (glob, lits) = template_glob(tp);
        if !crate::pattern::glob(&glob, av) {
            return None;
        }
        literal += lits;
    }
    Some(literal)
}

/// The glob pattern of an ARN format segment (`${X}` becomes `?*`, one or more characters)
/// and its count of literal characters.
fn template_glob(segment: &str) -> (String, usize) {
    let mut glob = String::with_capacity(segment.len());
    let mut literal = 0usize;
    let mut rest = segment;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        let Some(end) = after.find('}') else {
            break;
        };
        glob.push_str(before);
        literal += before.chars().filter(|&c| c != '*').count();
        glob.push_str("?*");
        rest = after.get(end + 1..).unwrap_or_default();
    }
    glob.push_str(rest);
    literal += rest.chars().filter(|&c| c != '*').count();
    (glob, literal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_levels_parse_with_the_write_suffix() {
        assert_eq!(AccessLevel::parse("Tagging, Write"), AccessLevel::Tagging);
        assert_eq!(
            AccessLevel::parse("Permissions management, Write"),
            AccessLevel::PermissionsManagement
        );
        assert_eq!(AccessLevel::parse("List"), AccessLevel::List);
        assert_eq!(AccessLevel::parse("Odd"), AccessLevel::Other("Odd"));
        assert_eq!(
            AccessLevel::PermissionsManagement.as_str(),
            "Permissions management"
        );
    }

    #[test]
    fn parse_small_table_and_reject_malformed() {
        let text = "# c\nS\tx\tX Service\nR\tthing\tarn:${Partition}:x:::t/${Id}\tx:k\nC\tx:k\tArrayOfString\nA\tgetThing\tRead\tthing*;x:k\tx:k|aws:TagKeys\nA\tAlpha\tList\t\t\n";
        let s = parse(text).unwrap();
        assert_eq!(s.len(), 1);
        let x = &s[0];
        assert_eq!(x.actions[0].name, "Alpha");
        let g = x.action("GETTHING").unwrap();
        assert_eq!(g.qualified_name(), "x:getThing");
        assert_eq!(g.service_prefix(), "x");
        assert_eq!(
            g.resource_types,
            vec![ActionResourceType {
                name: "thing",
                required: true,
                condition_keys: vec!["x:k"]
            }]
        );
        assert_eq!(g.condition_keys, vec!["x:k", "aws:TagKeys"]);
        assert!(x.condition_key("X:K").unwrap().is_multivalued());
        assert!(x.actions[0].resource_types.is_empty());

        assert!(parse("A\tGet\tRead\t\t\n").is_err());
        assert!(parse("S\tx\tX\nZ\tq\n").is_err());
        assert!(parse("S\tx\tX\nA\tGet\tRead\n").is_err());
    }

    #[test]
    fn arn_formats_match_segment_aware_with_specificity() {
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert!(arn_format_match(bucket, "arn:aws:s3:::b").is_some());
        assert_eq!(arn_format_match(object, "arn:aws:s3:::b"), None);
        let (b, o) = (
            arn_format_match(bucket, "arn:aws:s3:::b/k/l").unwrap(),
            arn_format_match(object, "arn:aws:s3:::b/k/l").unwrap(),
        );
        assert!(o > b);
        // A placeholder in the first five segments stays in its segment and is non-empty.
        let role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        assert!(arn_format_match(role, "arn:aws:iam::123456789012:role/a/b").is_some());
        assert_eq!(arn_format_match(role, "arn:aws:iam:::role/a"), None);
        assert_eq!(
            arn_format_match(role, "arn:aws:iam:us-east-1:1:role/a"),
            None
        );
        // A literal `*` in a format is a wildcard.
        let cert = "arn:${Partition}:dms:${Region}:${Account}:cert:*";
        assert!(arn_format_match(cert, "arn:aws:dms:eu-west-1:1:cert:ABC").is_some());
        assert_eq!(
            arn_format_match(cert, "arn:aws:dms:eu-west-1:1:rep:ABC"),
            None
        );
    }
}
