//! The principal that makes a request, and how the `Principal` / `NotPrincipal` element of a
//! resource-based policy matches it, following
//! [AWS JSON policy elements: Principal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):
//!
//! - `"*"` and `{"AWS": "*"}` match everyone, anonymous requests included.
//! - An account (`123456789012` or `arn:aws:iam::123456789012:root`) matches every principal of
//!   that account, but only as a delegation to the account: the account's own identity-based
//!   policies must still allow ([`PrincipalMatch::Account`]).
//! - A role ARN matches the role's sessions (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`);
//!   a role session ARN, a user ARN or a federated-user ARN matches exactly.
//! - Wildcards are not supported in principal ARNs ("You cannot use a wildcard to match part of
//!   a principal name or ARN"): a value with `*` other than `"*"` itself matches nothing.
//! - `Service`, `Federated` and `CanonicalUser` values match the request principal of that
//!   kind exactly.

use moat_model::{Tri, Unknown};

use crate::estate::ESTATE_ACCOUNT;
use crate::policy::{Leaf, PrincipalElement, PrincipalType, Principals};

/// What kind of principal makes the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalKind {
    /// The account's root user (`arn:aws:iam::ACCOUNT:root`).
    Root,
    /// An IAM user.
    User,
    /// A role, given by its ARN: the request is made by a session of the role whose session ARN
    /// is not fixed.
    Role,
    /// A role session (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`).
    RoleSession,
    /// A federated user session (`arn:aws:sts::ACCOUNT:federated-user/NAME`).
    FederatedUser,
    /// An AWS service principal (`lambda.amazonaws.com`).
    Service,
    /// A web identity or SAML provider (`Federated` principals).
    Federated,
    /// An S3 canonical user ID.
    CanonicalUser,
    /// An unauthenticated request.
    Anonymous,
}

/// The principal of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestPrincipal {
    /// As given (`arn:aws:iam::111122223333:role/app`).
    pub arn: String,
    pub kind: PrincipalKind,
    /// The account, for account principals.
    pub account: Option<String>,
    /// The role's name (roles and role sessions), the user's name (users, with the path
    /// removed).
    pub name: Option<String>,
    /// The partition (`aws`).
    pub partition: String,
}

impl RequestPrincipal {
    /// Classify a principal string: an IAM or STS ARN, a bare account ID (its root user), a
    /// service principal (`*.amazonaws.com`), `anonymous` / `*` for an unauthenticated request,
    /// anything else (a provider ARN) as `Federated`.
    pub fn parse(text: &str) -> RequestPrincipal {
        let mut p = RequestPrincipal {
            arn: text.to_string(),
            kind: PrincipalKind::Federated,
            account: None,
            name: None,
            partition: "aws".to_string(),
        };
        if text == "*" || text.eq_ignore_ascii_case("anonymous") {
            p.kind = PrincipalKind::Anonymous;
            return p;
        }
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            p.kind = PrincipalKind::Root;
            p.account = Some(text.to_string());
            p.arn = format!("arn:aws:iam::{text}:root");
            return p;
        }
        if !text.starts_with("arn:") {
            p.kind = if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") {
                PrincipalKind::Service
            } else if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                PrincipalKind::CanonicalUser
            } else {
                PrincipalKind::Federated
            };
            return p;
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let (partition, service, account, resource) = match parts.as_slice() {
            [_, partition, service, _, account, resource] => {
                (partition, service, account, resource)
            }
            _ => return p,
        };
        p.partition = partition.to_string();
        p.account = (!account.is_empty()).then(|| account.to_string());
        match (*service, *resource) {
            ("iam", "root") => p.kind = PrincipalKind::Root,
            ("iam", r) if r.starts_with("user/") => {
                p.kind = PrincipalKind::User;
                p.name = r.rsplit('/').next().map(str::to_string);
            }
            ("iam", r) if r.starts_with("role/") => {
                p.kind = PrincipalKind::Role;
                p.name = r.rsplit('/').next().map(str::to_string);
            }
            ("sts", r) if r.starts_with("assumed-role/") => {
                p.kind = PrincipalKind::RoleSession;
                p.name = r.split('/').nth(1).map(str::to_string);
            }
            ("sts", r) if r.starts_with("federated-user/") => {
                p.kind = PrincipalKind::FederatedUser;
                p.name = r.split('/').nth(1).map(str::to_string);
            }
            _ => p.kind = PrincipalKind::Federated,
        }
        p
    }

    /// The same principal in another account (its ARN rewritten).
    pub fn with_account(&self, account: &str) -> RequestPrincipal {
        let mut p = self.clone();
        if let Some(old) = &self.account {
            p.arn = self
                .arn
                .replacen(&format!(":{old}:"), &format!(":{account}:"), 1);
        }
        p.account = Some(account.to_string());
        p
    }

    /// An IAM identity of an account (root, user, role, session): subject to identity-based
    /// policies and SCPs.
    pub fn is_iam_identity(&self) -> bool {
        matches!(
            self.kind,
            PrincipalKind::Root
                | PrincipalKind::User
                | PrincipalKind::Role
                | PrincipalKind::RoleSession
                | PrincipalKind::FederatedUser
        )
    }

    /// A service-linked role (`role/aws-service-role/...`) or a session of one: SCPs and RCPs
    /// do not apply to it.
    pub fn is_service_linked_role(&self) -> bool {
        matches!(self.kind, PrincipalKind::Role | PrincipalKind::RoleSession)
            && (self.arn.contains(":role/aws-service-role/")
                || self
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("AWSServiceRoleFor")))
    }

    /// The ARN AWS puts in `aws:PrincipalArn`: the role's ARN for a role session (without the
    /// role's path, which the session ARN does not carry).
    pub fn principal_arn(&self) -> String {
        match (self.kind, &self.account, &self.name) {
            (PrincipalKind::RoleSession, Some(acct), Some(name)) => {
                format!("arn:{}:iam::{acct}:role/{name}", self.partition)
            }
            _ => self.arn.clone(),
        }
    }

    /// The value of `aws:PrincipalType`.
    pub fn principal_type(&self) -> Option<&'static str> {
        Some(match self.kind {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::Role | PrincipalKind::RoleSession => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
            PrincipalKind::Anonymous => "Anonymous",
            _ => return None,
        })
    }
}

/// How a `Principal` element matched the request principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// No match.
    None,
    /// Through the principal's account (`arn:aws:iam::ACCOUNT:root` or the bare ID): a
    /// delegation to the account, whose identity-based policies must still allow.
    Account,
    /// Through the role's ARN for a role's session: limited by the role's permissions boundary
    /// and session policy in the same account.
    RoleArn,
    /// `"*"` for a role's session: it does not name the session, so the session policy limits
    /// it (as for a grant to the role); the permissions boundary does not (it bounds
    /// identity-based permissions and grants to the role itself).
    Everyone,
    /// The principal itself (`*`, its user ARN, its session ARN, its service).
    Direct,
}

/// How a `Principal` element matches: the best certain match, and a better match that an
/// unknown value could still make.
#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalOutcome {
    /// The best match of the known values ([`PrincipalMatch::None`] when none matches).
    pub certain: PrincipalMatch,
    /// An unknown value that could match better than `certain`, and how at best.
    pub possible: Option<(Unknown, PrincipalMatch)>,
}

impl PrincipalOutcome {
    fn none() -> PrincipalOutcome {
        PrincipalOutcome {
            certain: PrincipalMatch::None,
            possible: None,
        }
    }

    fn add_possible(&mut self, u: Unknown, class: PrincipalMatch) {
        let better = match &self.possible {
            Some((_, c)) => class > *c,
            None => true,
        };
        if class > self.certain && better {
            self.possible = Some((u, class));
        }
    }

    /// As a three-valued match with the class: true with the certain class, else unknown with
    /// the possible class, else false.
    pub fn as_tri(&self) -> (Tri, PrincipalMatch) {
        match (&self.certain, &self.possible) {
            (PrincipalMatch::None, Some((u, c))) => (Tri::Unknown(u.clone()), *c),
            (PrincipalMatch::None, None) => (Tri::False, PrincipalMatch::None),
            (c, _) => (Tri::True, *c),
        }
    }
}

/// Match the `Principal` element of a statement: `Tri::True` with how, or unknown.
pub fn match_principals(principals: &Principals, who: &RequestPrincipal) -> (Tri, PrincipalMatch) {
    principal_outcome(principals, who).as_tri()
}

/// Match the `Principal` element, keeping what unknown values could still match.
///
/// An unknown value whose literal parts are known (`arn:aws:iam::${var.account}:root`, a
/// template) can only match as its shape allows: an account's root as the account, a role ARN
/// as the role (when the role's name fits). A wholly unknown value could be anything, `*`
/// included.
pub fn principal_outcome(principals: &Principals, who: &RequestPrincipal) -> PrincipalOutcome {
    match principals {
        Principals::Everyone => PrincipalOutcome {
            certain: match_aws("*", who),
            possible: None,
        },
        Principals::Unknown(u) => PrincipalOutcome {
            certain: PrincipalMatch::None,
            possible: Some((u.clone(), PrincipalMatch::Direct)),
        },
        Principals::Typed(map) => {
            let mut out = PrincipalOutcome::none();
            for (kind, values) in map {
                for v in values {
                    match v {
                        Leaf::Unknown(u) => {
                            let class = match u {
                                Unknown::Template { text, .. } => template_class(*kind, text, who),
                                _ => PrincipalMatch::Direct,
                            };
                            if class != PrincipalMatch::None {
                                out.add_possible(u.clone(), class);
                            }
                        }
                        Leaf::Known(text) => match match_one(*kind, text, who) {
                            Ok(m) => {
                                out.certain = out.certain.max(m);
                                if out
                                    .possible
                                    .as_ref()
                                    .is_some_and(|(_, c)| *c <= out.certain)
                                {
                                    out.possible = None;
                                }
                            }
                            Err(u) => out.add_possible(u, PrincipalMatch::Direct),
                        },
                    }
                }
            }
            out
        }
    }
}

/// The best match a principal value with unknown parts could make: its literal text with each
/// `${...}` standing for any text.
fn template_class(kind: PrincipalType, text: &str, who: &RequestPrincipal) -> PrincipalMatch {
    let pattern = crate::pattern::template_pattern(text);
    if pattern.chars().all(|c| c == '*') {
        return PrincipalMatch::Direct;
    }
    if kind != PrincipalType::Aws {
        let same_kind = match kind {
            PrincipalType::Service => who.kind == PrincipalKind::Service,
            PrincipalType::Federated => who.kind == PrincipalKind::Federated,
            PrincipalType::CanonicalUser => who.kind == PrincipalKind::CanonicalUser,
            PrincipalType::Aws => true,
        };
        return if same_kind && crate::pattern::glob(&pattern, &who.arn) {
            PrincipalMatch::Direct
        } else {
            PrincipalMatch::None
        };
    }
    if who.kind == PrincipalKind::Anonymous || who.account.is_none() {
        return PrincipalMatch::None;
    }
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", _, account, "root"] => {
            let acct = who.account.as_deref().unwrap_or_default();
            if account.contains('*') || *account == acct || acct == ESTATE_ACCOUNT {
                if who.kind == PrincipalKind::Root {
                    PrincipalMatch::Direct
                } else {
                    PrincipalMatch::Account
                }
            } else {
                PrincipalMatch::None
            }
        }
        ["arn", _, "iam", _, _, res] if res.starts_with("role/") => {
            let name = res.rsplit('/').next().unwrap_or_default();
            match (who.kind, who.name.as_deref()) {
                (PrincipalKind::Role | PrincipalKind::RoleSession, Some(n))
                    if crate::pattern::glob(name, n) =>
                {
                    PrincipalMatch::RoleArn
                }
                _ => PrincipalMatch::None,
            }
        }
        ["arn", ..] => {
            if crate::pattern::glob(&pattern, &who.arn) {
                PrincipalMatch::Direct
            } else {
                PrincipalMatch::None
            }
        }
        // A bare account ID with unknown digits.
        _ if !pattern.contains(':') => PrincipalMatch::Account,
        _ => PrincipalMatch::None,
    }
}

/// Whether a statement's principal element applies: `Principal` as matched, `NotPrincipal` as
/// its complement (a `NotPrincipal` match is direct: the statement names everyone else).
/// `None` (no element, an identity-based policy) applies.
pub fn statement_applies_to(
    element: Option<&PrincipalElement>,
    who: &RequestPrincipal,
) -> (Tri, PrincipalMatch) {
    let o = statement_principal(element, who);
    o.as_tri()
}

/// [`statement_applies_to`] keeping what unknown values could still match.
pub fn statement_principal(
    element: Option<&PrincipalElement>,
    who: &RequestPrincipal,
) -> PrincipalOutcome {
    match element {
        None => PrincipalOutcome {
            certain: PrincipalMatch::Direct,
            possible: None,
        },
        Some(PrincipalElement::Only(p)) => principal_outcome(p, who),
        Some(PrincipalElement::AllBut(p)) => {
            let o = principal_outcome(p, who);
            match (o.certain, o.possible) {
                (PrincipalMatch::None, None) => PrincipalOutcome {
                    certain: PrincipalMatch::Direct,
                    possible: None,
                },
                (PrincipalMatch::None, Some((u, _))) => PrincipalOutcome {
                    certain: PrincipalMatch::None,
                    possible: Some((u, PrincipalMatch::Direct)),
                },
                _ => PrincipalOutcome::none(),
            }
        }
    }
}

/// One principal value: how it matches, or unknown (a literal account compared with an
/// estate principal whose account is not known).
fn match_one(
    kind: PrincipalType,
    value: &str,
    who: &RequestPrincipal,
) -> Result<PrincipalMatch, Unknown> {
    if kind == PrincipalType::Aws && who.account.as_deref() == Some(ESTATE_ACCOUNT) {
        if let Some(acct) = value_account(value) {
            if acct != ESTATE_ACCOUNT {
                let plain = match_aws(value, &who.with_account(acct));
                if plain != PrincipalMatch::None {
                    return Err(Unknown::derived(format!(
                        "whether `{acct}` (in principal `{value}`) is the scanned account; name it with --account"
                    )));
                }
                return Ok(PrincipalMatch::None);
            }
        }
    }
    Ok(match kind {
        PrincipalType::Aws => match_aws(value, who),
        PrincipalType::Service => {
            if who.kind == PrincipalKind::Service && value.eq_ignore_ascii_case(&who.arn) {
                PrincipalMatch::Direct
            } else {
                PrincipalMatch::None
            }
        }
        PrincipalType::Federated => {
            if who.kind == PrincipalKind::Federated && value == who.arn {
                PrincipalMatch::Direct
            } else {
                PrincipalMatch::None
            }
        }
        PrincipalType::CanonicalUser => {
            if who.kind == PrincipalKind::CanonicalUser && value == who.arn {
                PrincipalMatch::Direct
            } else {
                PrincipalMatch::None
            }
        }
    })
}

/// The account a principal value names: a bare account ID, or the account segment of an IAM
/// or STS ARN.
fn value_account(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    let mut parts = value.splitn(6, ':');
    if parts.next() != Some("arn") {
        return None;
    }
    let service = parts.nth(1)?;
    let account = parts.nth(1)?;
    (matches!(service, "iam" | "sts") && !account.is_empty()).then_some(account)
}

fn match_aws(value: &str, who: &RequestPrincipal) -> PrincipalMatch {
    if value == "*" {
        // Everyone: for a role's session, a grant that does not name the session.
        return if matches!(who.kind, PrincipalKind::Role | PrincipalKind::RoleSession) {
            PrincipalMatch::Everyone
        } else {
            PrincipalMatch::Direct
        };
    }
    if who.kind == PrincipalKind::Anonymous || value.contains('*') {
        return PrincipalMatch::None;
    }
    let Some(acct) = who.account.as_deref() else {
        return PrincipalMatch::None;
    };
    // An account: the bare ID or its root ARN.
    let value_account = if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        Some(value)
    } else {
        value
            .strip_prefix("arn:")
            .and_then(|r| r.split_once(":iam::"))
            .and_then(|(_, r)| r.strip_suffix(":root"))
    };
    if let Some(a) = value_account {
        if a != acct {
            return PrincipalMatch::None;
        }
        // The root user itself is named directly by its account's root ARN.
        return if who.kind == PrincipalKind::Root {
            PrincipalMatch::Direct
        } else {
            PrincipalMatch::Account
        };
    }
    if value == who.arn {
        // A grant to a role's ARN is a grant to its sessions through the role.
        return if who.kind == PrincipalKind::Role {
            PrincipalMatch::RoleArn
        } else {
            PrincipalMatch::Direct
        };
    }
    // A role ARN (with any path) names the role's sessions.
    if matches!(who.kind, PrincipalKind::RoleSession | PrincipalKind::Role) {
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        if let [_, _, "iam", _, a, res] = parts.as_slice() {
            if *a == acct && res.starts_with("role/") {
                let name = res.rsplit('/').next();
                if name.is_some() && name == who.name.as_deref() {
                    return PrincipalMatch::RoleArn;
                }
            }
        }
    }
    PrincipalMatch::None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify() {
        let s = RequestPrincipal::parse("arn:aws:sts::111122223333:assumed-role/app/i-123");
        assert_eq!(s.kind, PrincipalKind::RoleSession);
        assert_eq!(s.name.as_deref(), Some("app"));
        assert_eq!(s.principal_arn(), "arn:aws:iam::111122223333:role/app");
        let u = RequestPrincipal::parse("arn:aws:iam::111122223333:user/dev/alice");
        assert_eq!(
            (u.kind, u.name.as_deref()),
            (PrincipalKind::User, Some("alice"))
        );
        assert_eq!(
            RequestPrincipal::parse("111122223333").kind,
            PrincipalKind::Root
        );
        assert_eq!(
            RequestPrincipal::parse("lambda.amazonaws.com").kind,
            PrincipalKind::Service
        );
        assert!(RequestPrincipal::parse(
            "arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
        )
        .is_service_linked_role());
    }

    #[test]
    fn aws_values() {
        let s = RequestPrincipal::parse("arn:aws:sts::111122223333:assumed-role/app/i-123");
        assert_eq!(match_aws("111122223333", &s), PrincipalMatch::Account);
        assert_eq!(
            match_aws("arn:aws:iam::111122223333:root", &s),
            PrincipalMatch::Account
        );
        assert_eq!(
            match_aws("arn:aws:iam::111122223333:role/svc/app", &s),
            PrincipalMatch::RoleArn
        );
        assert_eq!(
            match_aws("arn:aws:iam::444455556666:role/app", &s),
            PrincipalMatch::None
        );
        assert_eq!(
            match_aws("arn:aws:iam::111122223333:role/*", &s),
            PrincipalMatch::None
        );
        assert_eq!(match_aws("*", &s), PrincipalMatch::Everyone);
        let u = RequestPrincipal::parse("arn:aws:iam::111122223333:user/alice");
        assert_eq!(match_aws("*", &u), PrincipalMatch::Direct);
        let anon = RequestPrincipal::parse("anonymous");
        assert_eq!(match_aws("111122223333", &anon), PrincipalMatch::None);
    }
}
