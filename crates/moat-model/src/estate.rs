//! The estate: every resource that the frontends found, resolved, with reference edges.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::value::{Loc, Node, Unknown, Value};

/// Index of a resource in [`Estate::resources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ResourceId(pub u32);

impl ResourceId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Which frontend produced a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Frontend {
    Terraform,
    TerraformPlan,
    CloudFormation,
    Inventory,
    Kubernetes,
}

/// Managed resource or data source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Managed,
    Data,
}

/// One resource instance (after `count`/`for_each` expansion).
#[derive(Clone, Debug)]
pub struct Resource {
    /// The name users see (see CONTRACTS.md "Resource names"):
    /// `module.net.aws_subnet.private[1]`, `PaymentsBucket`, `sg-0abc`, `Deployment/shop/web`.
    pub address: String,
    /// The type as the frontend names it: `aws_s3_bucket`, `AWS::S3::Bucket`.
    pub rtype: String,
    /// The local name (`web` in `aws_instance.web`), the logical ID, or the AWS ID.
    pub name: String,
    pub mode: Mode,
    /// Module path (`module.net`, `module.a.module.b`), empty at the root.
    pub module: String,
    pub frontend: Frontend,
    /// Where the resource is declared (the block's first line).
    pub loc: Loc,
    /// The resolved body. Nested blocks are lists of maps under the block's name.
    pub attrs: BTreeMap<String, Node>,
    /// How the frontend wrote the value of an attribute, by attribute path (`policy`,
    /// `inline_policy.0.policy`), for the attributes whose origin an adapter needs (a policy
    /// document from a generator, a JSON encoding or text). Absent when not recorded. Shared by
    /// the instances of one declaration.
    pub written: Arc<BTreeMap<String, Written>>,
    /// The whole body is unknown (CloudFormation `Properties` produced by `Fn::Transform`):
    /// an attribute that is not in [`Resource::attrs`] may be set all the same, so it reads as
    /// this unknown, never as absent (see `aws::setting::written`). `None` for a body read
    /// as written.
    pub unknown_body: Option<Node>,
}

/// How a frontend wrote the value of an attribute, in neutral terms: the adapters read it
/// where the same value means something else depending on how it was produced (which
/// Checkov check reads a policy document), so that nothing reads source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Written {
    /// Text written in place: a string literal, a string template or a heredoc.
    Text,
    /// An object or list written in place.
    Structure,
    /// The result of a function call, by function name (`jsonencode`).
    Call(String),
    /// An attribute of a data source, by the data source's type (`aws_iam_policy_document`).
    DataSource(String),
    /// An attribute of another resource, by that resource's type (`aws_db_parameter_group`).
    Reference(String),
    /// Anything else: a variable, a local value, another resource's attribute, an operator.
    Other,
}

impl Resource {
    pub fn new(
        address: impl Into<String>,
        rtype: impl Into<String>,
        name: impl Into<String>,
        frontend: Frontend,
        loc: Loc,
    ) -> Self {
        Resource {
            address: address.into(),
            rtype: rtype.into(),
            name: name.into(),
            mode: Mode::Managed,
            module: String::new(),
            frontend,
            loc,
            attrs: BTreeMap::new(),
            written: Arc::default(),
            unknown_body: None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.attrs.get(key)
    }

    /// Follow a dotted path from the resource body (`versioning.0.enabled`).
    pub fn path(&self, path: &str) -> Option<&Node> {
        let (first, rest) = match path.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (path, None),
        };
        let n = self.attrs.get(first)?;
        match rest {
            Some(r) => n.path(r),
            None => Some(n),
        }
    }

    /// Nested blocks called `name` (Terraform block list or CloudFormation map/list).
    pub fn blocks(&self, name: &str) -> Vec<&Node> {
        self.attrs
            .get(name)
            .map(|n| n.as_block_list())
            .unwrap_or_default()
    }

    pub fn str_attr(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).and_then(Node::as_str)
    }

    /// The location of an attribute if it is set, else of the resource block.
    pub fn loc_of(&self, path: &str) -> &Loc {
        self.path(path)
            .and_then(|n| n.loc.as_ref())
            .unwrap_or(&self.loc)
    }

    /// The resource's `tags` as a map of strings (known ones only).
    pub fn tags(&self) -> BTreeMap<&str, &str> {
        let mut out = BTreeMap::new();
        for key in ["tags", "Tags"] {
            match self.attrs.get(key).map(|n| &n.value) {
                Some(Value::Map(m)) => {
                    for (k, v) in m {
                        if let Some(s) = v.as_str() {
                            out.insert(k.as_str(), s);
                        }
                    }
                }
                // CloudFormation style: [{Key, Value}]
                Some(Value::List(l)) => {
                    for item in l {
                        if let (Some(k), Some(v)) = (
                            item.get("Key").and_then(Node::as_str),
                            item.get("Value").and_then(Node::as_str),
                        ) {
                            out.insert(k, v);
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The `Name` tag, or the resource name.
    pub fn display_name(&self) -> &str {
        self.tags().get("Name").copied().unwrap_or(&self.name)
    }
}

/// A reference from one resource to another, found in an attribute value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: ResourceId,
    pub to: ResourceId,
    /// The attribute path in `from` where the reference is written (`vpc_security_group_ids`).
    pub attr: String,
}

/// An error met while reading input. The scan goes on with the other files.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScanError {
    pub file: String,
    /// 1-based line, 0 when the error is about the whole file.
    pub line: u32,
    pub message: String,
}

/// A module call whose module could not be read: the resources it declares are not in the
/// estate. Frontends record it beside the note or error they write, so that callers can say
/// "nothing could be checked" without reading message text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnreadModule {
    /// Where the call is written.
    pub file: String,
    pub line: u32,
    pub name: String,
    /// The source as written, when it is a literal.
    pub source: Option<String>,
    /// A registry or remote module that was not downloaded (`terraform init` would fetch it),
    /// as opposed to a local one that could not be read.
    pub not_downloaded: bool,
    /// Why it could not be read, in words (empty when not downloaded).
    pub reason: String,
}

/// How the message of a reference-cycle error starts (Terraform rejects such a
/// configuration; moat still reads every resource in it).
pub const REFERENCE_CYCLE: &str = "cycle between resources";

impl ScanError {
    /// A cycle of references between resources: every resource was read, only the references
    /// that close the cycle are unknown (their identity stays known). Unlike a file that could
    /// not be read, it does not make a whole-configuration verdict unknown.
    pub fn is_reference_cycle(&self) -> bool {
        self.message.starts_with(REFERENCE_CYCLE)
    }
}

/// Something the user should know that is not an error: a module that was not resolved, a
/// value that stayed unknown.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// A suppression written in the source's own structure rather than as a comment: CloudFormation
/// `Metadata: moat: ignore: [{id: S3002, reason: ...}]` on a resource. It applies to the
/// findings of `address` whose rule (or Checkov equivalent) is `id`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResourceIgnore {
    pub address: String,
    pub id: String,
    /// Empty when none was written (then it is not honoured and the frontend reports an error).
    pub reason: String,
    /// Where the entry is written.
    pub loc: Loc,
}

/// Text to hide in output, and what to show instead.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Redaction {
    pub text: String,
    pub with: String,
}

impl Redaction {
    /// Shortest text worth hiding: masking two-letter values everywhere would garble messages
    /// without protecting anything.
    pub const MIN_LEN: usize = 4;
}

/// The whole resolved estate.
#[derive(Debug, Default)]
pub struct Estate {
    /// The root module (or stack) this estate was resolved from, relative to the scanned
    /// path: `.` for the path itself, `envs/prod` for a root below it. Empty when unknown.
    pub root: String,
    pub resources: Vec<Resource>,
    pub edges: Vec<Edge>,
    pub errors: Vec<ScanError>,
    pub notes: Vec<Note>,
    /// Source text of every scanned file, by the path used in [`Loc::file`].
    pub sources: BTreeMap<Arc<str>, Arc<str>>,
    pub files_scanned: usize,
    /// Text that output must not show: values of sensitive variables and outputs, contents of
    /// files read by `file()`, longest first (see [`Estate::sort_redactions`]).
    /// [`Estate::redact`] applies them to messages.
    pub redactions: Vec<Redaction>,
    /// Module calls whose modules could not be read, sorted.
    pub unread_modules: Vec<UnreadModule>,
    /// Suppressions written on resources (not as comments), sorted.
    pub ignores: Vec<ResourceIgnore>,
    /// Evaluation work spent on this estate (fuel units, see [`crate::Limits::fuel`]).
    pub work: u64,
    /// The typed AWS state, filled by the frontend's adapter after resolution. Rules and
    /// analyses read this, never [`Estate::resources`]' attributes.
    pub aws: crate::aws::AwsState,
    by_address: HashMap<String, ResourceId>,
    /// Instances by address without their final `[index]`, in address order.
    by_base: HashMap<String, Vec<ResourceId>>,
    by_type: BTreeMap<String, Vec<ResourceId>>,
    /// Edges into each resource (indexes into `edges`).
    incoming: Vec<Vec<usize>>,
    outgoing: Vec<Vec<usize>>,
}

impl Estate {
    pub fn new() -> Self {
        Self::default()
    }

    /// Put [`Estate::redactions`] in the order [`Estate::redact`] needs: longest first, then
    /// by text; duplicates removed.
    pub fn sort_redactions(&mut self) {
        self.redactions
            .sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(a.cmp(b)));
        self.redactions.dedup();
    }

    /// `text` with every redacted value replaced, in the order of [`Estate::redactions`]
    /// (longest first, so that a value containing another is hidden whole).
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for r in &self.redactions {
            if r.text.len() >= Redaction::MIN_LEN && out.contains(r.text.as_str()) {
                out = out.replace(r.text.as_str(), &r.with);
            }
        }
        out
    }

    /// Add a resource. Call [`Estate::index`] when all are added; it sorts the resources, so the
    /// id returned here is only valid until then (look resources up by address afterwards).
    pub fn push(&mut self, r: Resource) -> ResourceId {
        let id = ResourceId(self.resources.len() as u32);
        self.resources.push(r);
        id
    }

    /// Merge another estate (from another frontend or file set) into this one.
    pub fn extend(&mut self, other: Estate) {
        self.resources.extend(other.resources);
        self.errors.extend(other.errors);
        self.notes.extend(other.notes);
        self.sources.extend(other.sources);
        self.ignores.extend(other.ignores);
        self.files_scanned += other.files_scanned;
    }

    /// Sort resources by address, build the lookup tables and the reference edges. Must be
    /// called after the last resource is added; ids change.
    pub fn index(&mut self) {
        self.resources.sort_by(|a, b| {
            (a.address.as_str(), a.loc.file.as_ref())
                .cmp(&(b.address.as_str(), b.loc.file.as_ref()))
        });
        self.errors.sort();
        self.errors.dedup();
        self.notes.sort();
        self.notes.dedup();
        self.ignores.sort();
        self.ignores.dedup();
        self.by_address.clear();
        self.by_base.clear();
        self.by_type.clear();
        for (i, r) in self.resources.iter().enumerate() {
            let id = ResourceId(i as u32);
            self.by_address.entry(r.address.clone()).or_insert(id);
            if let Some(base) = strip_instance_key(&r.address) {
                self.by_base.entry(base.to_string()).or_default().push(id);
            }
            self.by_type.entry(r.rtype.clone()).or_default().push(id);
        }
        let mut edges = Vec::new();
        for (i, r) in self.resources.iter().enumerate() {
            let from = ResourceId(i as u32);
            for (key, node) in &r.attrs {
                collect_refs(node, &mut |addr| {
                    if let Some(to) = self.lookup_ref(addr) {
                        if to != from {
                            edges.push(Edge {
                                from,
                                to,
                                attr: key.clone(),
                            });
                        }
                    }
                });
            }
        }
        edges.sort();
        edges.dedup();
        self.incoming = vec![Vec::new(); self.resources.len()];
        self.outgoing = vec![Vec::new(); self.resources.len()];
        for (i, e) in edges.iter().enumerate() {
            if let Some(v) = self.incoming.get_mut(e.to.index()) {
                v.push(i);
            }
            if let Some(v) = self.outgoing.get_mut(e.from.index()) {
                v.push(i);
            }
        }
        self.edges = edges;
    }

    /// Resolve an address written in a reference. A reference to a counted resource without an
    /// index (`aws_instance.web` when there are `[0]`, `[1]`) resolves to the first instance.
    fn lookup_ref(&self, addr: &str) -> Option<ResourceId> {
        if let Some(id) = self.by_address.get(addr) {
            return Some(*id);
        }
        self.by_base.get(addr).and_then(|v| v.first().copied())
    }

    pub fn get(&self, id: ResourceId) -> Option<&Resource> {
        self.resources.get(id.index())
    }

    pub fn by_address(&self, address: &str) -> Option<ResourceId> {
        self.by_address.get(address).copied()
    }

    /// All instances of a resource written without index: `aws_instance.web` gives
    /// `aws_instance.web[0]`, `aws_instance.web[1]`, or just `aws_instance.web`.
    pub fn instances_of(&self, address: &str) -> Vec<ResourceId> {
        if let Some(id) = self.by_address.get(address) {
            return vec![*id];
        }
        self.by_base.get(address).cloned().unwrap_or_default()
    }

    /// Resources of one type, in address order.
    pub fn of_type(&self, rtype: &str) -> impl Iterator<Item = (ResourceId, &Resource)> {
        self.by_type
            .get(rtype)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(move |id| self.get(*id).map(|r| (*id, r)))
    }

    /// Managed resources of one type (not data sources: a `data "aws_s3_bucket"` only looks
    /// up a bucket that this configuration does not manage), in address order.
    pub fn managed_of_type(&self, rtype: &str) -> impl Iterator<Item = (ResourceId, &Resource)> {
        self.of_type(rtype).filter(|(_, r)| r.mode == Mode::Managed)
    }

    /// Managed resources of any of several types, in address order.
    pub fn managed_of_types<'a>(
        &'a self,
        rtypes: &'a [&'a str],
    ) -> impl Iterator<Item = (ResourceId, &'a Resource)> + 'a {
        self.of_types(rtypes)
            .filter(|(_, r)| r.mode == Mode::Managed)
    }

    /// Resources of any of several types, in address order.
    pub fn of_types<'a>(
        &'a self,
        rtypes: &'a [&'a str],
    ) -> impl Iterator<Item = (ResourceId, &'a Resource)> + 'a {
        let mut ids: Vec<ResourceId> = rtypes
            .iter()
            .flat_map(|t| self.by_type.get(*t).cloned().unwrap_or_default())
            .collect();
        ids.sort();
        ids.into_iter()
            .filter_map(move |id| self.get(id).map(|r| (id, r)))
    }

    /// Edges out of a resource (what it references).
    pub fn refs_from(&self, id: ResourceId) -> impl Iterator<Item = &Edge> {
        self.outgoing
            .get(id.index())
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(move |i| self.edges.get(*i))
    }

    /// Edges into a resource (who references it).
    pub fn refs_to(&self, id: ResourceId) -> impl Iterator<Item = &Edge> {
        self.incoming
            .get(id.index())
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(move |i| self.edges.get(*i))
    }

    /// The resources of type `rtype` that reference `target` (in any attribute, or in `attr`
    /// when given). This is how split resources find their parent and vice versa:
    /// `referrers(bucket, "aws_s3_bucket_versioning", None)`.
    pub fn referrers(
        &self,
        target: ResourceId,
        rtype: &str,
        attr: Option<&str>,
    ) -> Vec<ResourceId> {
        let mut out: Vec<ResourceId> = self
            .refs_to(target)
            .filter(|e| attr.is_none_or(|a| e.attr == a))
            .filter(|e| self.get(e.from).is_some_and(|r| r.rtype == rtype))
            .map(|e| e.from)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Resolve a node that names another resource: a computed reference
    /// (`aws_vpc.main.id`), or a literal value equal to one of `match_attrs` of a resource of
    /// one of `types` (a bucket named `"logs"`, an inventory `sg-0abc`).
    pub fn resolve(&self, node: &Node, types: &[&str], match_attrs: &[&str]) -> Resolved {
        match &node.value {
            Value::Unknown(Unknown::Computed { address, .. }) => match self.lookup_ref(address) {
                Some(id) => Resolved::Resource(id),
                None => Resolved::Unknown(Unknown::derived(format!(
                    "`{address}` is not in the scanned files"
                ))),
            },
            Value::Unknown(u) => Resolved::Unknown(u.clone()),
            Value::String(s) => {
                for (id, r) in self.of_types(types) {
                    if r.address == *s
                        || match_attrs
                            .iter()
                            .any(|a| r.get(a).and_then(Node::as_str) == Some(s.as_str()))
                    {
                        return Resolved::Resource(id);
                    }
                }
                Resolved::External(s.clone())
            }
            Value::Null => Resolved::Absent,
            other => Resolved::Unknown(Unknown::derived(format!(
                "expected a reference, found {}",
                other.type_name()
            ))),
        }
    }

    /// The text of a line of a scanned file (1-based), for display.
    pub fn source_line(&self, file: &str, line: u32) -> Option<&str> {
        let text = self.sources.get(file)?;
        text.lines().nth((line as usize).checked_sub(1)?)
    }
}

/// What a reference resolved to.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// A resource in the estate.
    Resource(ResourceId),
    /// A literal that names something outside the scanned files (an existing `sg-...`).
    External(String),
    /// Nothing is set.
    Absent,
    Unknown(Unknown),
}

/// `aws_instance.web[0]` -> `aws_instance.web`; `module.m["a"].aws_s3_bucket.b["x"]` ->
/// `module.m["a"].aws_s3_bucket.b`. None when the address has no final index.
fn strip_instance_key(address: &str) -> Option<&str> {
    if !address.ends_with(']') {
        return None;
    }
    let mut depth = 0usize;
    let mut in_str = false;
    for (i, c) in address.char_indices().rev() {
        match c {
            '"' => in_str = !in_str,
            ']' if !in_str => depth += 1,
            '[' if !in_str => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return address.get(..i);
                }
            }
            _ => {}
        }
    }
    None
}

fn collect_refs(node: &Node, f: &mut dyn FnMut(&str)) {
    node.walk(&mut |n| {
        if let Value::Unknown(u) = &n.value {
            for a in u.refs() {
                f(a);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(addr: &str, rtype: &str) -> Resource {
        Resource::new(
            addr,
            rtype,
            addr,
            Frontend::Terraform,
            Loc::new("main.tf", 1, 1),
        )
    }

    #[test]
    fn edges_follow_computed_refs() {
        let mut e = Estate::new();
        e.push(res("aws_s3_bucket.logs", "aws_s3_bucket"));
        let mut v = res("aws_s3_bucket_versioning.logs", "aws_s3_bucket_versioning");
        v.attrs.insert(
            "bucket".into(),
            Node::unknown(
                Unknown::Computed {
                    address: "aws_s3_bucket.logs".into(),
                    attr: "id".into(),
                },
                None,
            ),
        );
        e.push(v);
        e.index();
        let b = e.by_address("aws_s3_bucket.logs").unwrap();
        let refs = e.referrers(b, "aws_s3_bucket_versioning", Some("bucket"));
        assert_eq!(refs.len(), 1);
        assert_eq!(
            e.get(refs[0]).unwrap().address,
            "aws_s3_bucket_versioning.logs"
        );
    }

    #[test]
    fn unindexed_reference_finds_counted_instances() {
        let mut e = Estate::new();
        e.push(res("aws_instance.web[1]", "aws_instance"));
        e.push(res("aws_instance.web[0]", "aws_instance"));
        e.index();
        assert_eq!(e.instances_of("aws_instance.web").len(), 2);
    }

    #[test]
    fn instance_keys_strip_only_the_last_index() {
        assert_eq!(
            strip_instance_key("aws_instance.web[0]"),
            Some("aws_instance.web")
        );
        assert_eq!(
            strip_instance_key("module.m[\"a\"].aws_s3_bucket.b[\"x]y\"]"),
            Some("module.m[\"a\"].aws_s3_bucket.b")
        );
        assert_eq!(strip_instance_key("aws_instance.web"), None);
    }

    #[test]
    fn resolve_literal_by_attribute() {
        let mut e = Estate::new();
        let mut b = res("aws_s3_bucket.logs", "aws_s3_bucket");
        b.attrs
            .insert("bucket".into(), Node::from(Value::String("my-logs".into())));
        e.push(b);
        e.index();
        let n = Node::from(Value::String("my-logs".into()));
        assert!(matches!(
            e.resolve(&n, &["aws_s3_bucket"], &["bucket"]),
            Resolved::Resource(_)
        ));
        let n = Node::from(Value::String("other".into()));
        assert!(matches!(
            e.resolve(&n, &["aws_s3_bucket"], &["bucket"]),
            Resolved::External(_)
        ));
    }
}
