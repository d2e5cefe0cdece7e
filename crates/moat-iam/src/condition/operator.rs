//! Every condition operator family, with `...IfExists` and the set qualifiers.
//!
//! Follows [IAM JSON policy elements: Condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
//! and [Conditions with multiple context keys or values](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html).
//!
//! Semantics, for one condition key:
//! - For one request value, the policy values are OR-ed for a positive operator and NOR-ed for
//!   a negated one (`StringNotEquals`, `NumericNotEquals`, `DateNotEquals`, `NotIpAddress`,
//!   `ArnNotEquals`, `ArnNotLike`): it holds when the request value matches none of them.
//! - Without a set qualifier, several request values are OR-ed (positive) or AND-ed (negated).
//!   An absent key makes a positive operator false and a negated one true; `...IfExists` makes
//!   it true.
//! - `ForAllValues:` holds when every request value satisfies the operator; it is true when the
//!   key is missing or empty. `ForAnyValue:` holds when at least one does; it is false when the
//!   key is missing or empty (with `...IfExists`, true when the key is missing).
//! - `Null` takes `true` (the key is absent or empty) or `false` (it is present); it has no
//!   `IfExists` form and no qualifier.
//! - A value that does not parse for the family (a non-numeric value for `Numeric*`, a bad date,
//!   a bad address) never matches: it contributes no match to the OR (and so, for a negated
//!   operator, no veto to the NOR).
//! - A policy value that is unknown, or contains an unsubstituted `${` variable, makes the
//!   outcome unknown unless a known value settles it.

use std::net::IpAddr;

use moat_model::{Tri, Unknown};

use super::StringComparison;
use crate::pattern::glob;
use crate::policy::Leaf;

/// The six comparisons of the `Numeric*` and `Date*` families.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    /// `...Equals` (and, negated, `...NotEquals`).
    Equals,
    /// `...LessThan`: request value < policy value.
    LessThan,
    /// `...LessThanEquals`.
    LessThanEquals,
    /// `...GreaterThan`: request value > policy value.
    GreaterThan,
    /// `...GreaterThanEquals`.
    GreaterThanEquals,
}

impl Ordering {
    fn holds(self, actual: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering as O;
        match self {
            Ordering::Equals => actual == O::Equal,
            Ordering::LessThan => actual == O::Less,
            Ordering::LessThanEquals => actual != O::Greater,
            Ordering::GreaterThan => actual == O::Greater,
            Ordering::GreaterThanEquals => actual != O::Less,
        }
    }
}

/// The operator family and its comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `String*`.
    String(StringComparison),
    /// `Numeric*`: integers and decimals.
    Numeric(Ordering),
    /// `Date*`: ISO 8601 dates and times, or epoch seconds.
    Date(Ordering),
    /// `Bool`: `true` / `false`, case-insensitively.
    Bool,
    /// `BinaryEquals`: base64 values compared byte for byte.
    Binary,
    /// `IpAddress` / `NotIpAddress`: CIDR containment, IPv4 and IPv6.
    IpAddress,
    /// `ArnEquals` / `ArnLike` (identical in AWS) and their `Not` forms: segment-wise wildcards.
    Arn,
    /// `Null`: whether the key is absent.
    Null,
}

/// A set qualifier for multi-valued request keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetQualifier {
    /// `ForAllValues:`.
    ForAllValues,
    /// `ForAnyValue:`.
    ForAnyValue,
}

/// A condition operator as written in a policy (`ForAnyValue:StringNotLikeIfExists`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operator {
    /// The family and comparison.
    pub family: Family,
    /// The negated form (`...NotEquals`, `NotIpAddress`, `ArnNotLike`, ...).
    pub negated: bool,
    /// The `...IfExists` suffix.
    pub if_exists: bool,
    /// `ForAllValues:` / `ForAnyValue:`, if written.
    pub qualifier: Option<SetQualifier>,
}

impl Operator {
    /// Recognise an operator name. `None` for unknown names, `NullIfExists` and qualified `Null`.
    pub fn parse(name: &str) -> Option<Operator> {
        let (qualifier, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (rest, false),
        };
        use Ordering as O;
        use StringComparison as S;
        let (family, negated) = match base {
            "StringEquals" => (Family::String(S::Equals), false),
            "StringNotEquals" => (Family::String(S::Equals), true),
            "StringEqualsIgnoreCase" => (Family::String(S::EqualsIgnoreCase), false),
            "StringNotEqualsIgnoreCase" => (Family::String(S::EqualsIgnoreCase), true),
            "StringLike" => (Family::String(S::Like), false),
            "StringNotLike" => (Family::String(S::Like), true),
            "NumericEquals" => (Family::Numeric(O::Equals), false),
            "NumericNotEquals" => (Family::Numeric(O::Equals), true),
            "NumericLessThan" => (Family::Numeric(O::LessThan), false),
            "NumericLessThanEquals" => (Family::Numeric(O::LessThanEquals), false),
            "NumericGreaterThan" => (Family::Numeric(O::GreaterThan), false),
            "NumericGreaterThanEquals" => (Family::Numeric(O::GreaterThanEquals), false),
            "DateEquals" => (Family::Date(O::Equals), false),
            "DateNotEquals" => (Family::Date(O::Equals), true),
            "DateLessThan" => (Family::Date(O::LessThan), false),
            "DateLessThanEquals" => (Family::Date(O::LessThanEquals), false),
            "DateGreaterThan" => (Family::Date(O::GreaterThan), false),
            "DateGreaterThanEquals" => (Family::Date(O::GreaterThanEquals), false),
            "Bool" => (Family::Bool, false),
            "BinaryEquals" => (Family::Binary, false),
            "IpAddress" => (Family::IpAddress, false),
            "NotIpAddress" => (Family::IpAddress, true),
            "ArnEquals" | "ArnLike" => (Family::Arn, false),
            "ArnNotEquals" | "ArnNotLike" => (Family::Arn, true),
            "Null" if !if_exists && qualifier.is_none() => (Family::Null, false),
            _ => return None,
        };
        Some(Operator {
            family,
            negated,
            if_exists,
            qualifier,
        })
    }

    /// Decide the condition for one key: `policy_values` as written in the policy, `request`
    /// the key's values in the request context (`None` when the key is absent; one element for
    /// a single-valued key).
    pub fn evaluate(&self, policy_values: &[Leaf], request: Option<&[&str]>) -> Tri {
        self.evaluate_values(policy_values, request, false)
    }

    /// [`Operator::evaluate`] for values whose policy variables have been substituted already
    /// (by [`crate::variables::substitute`]): a `${` left in them is literal text.
    pub fn evaluate_substituted<S: AsRef<str>>(
        &self,
        policy_values: &[Leaf],
        request: Option<&[S]>,
    ) -> Tri {
        self.evaluate_values(policy_values, request, true)
    }

    /// Whether policy variables may appear in this operator's values (string and ARN
    /// operators).
    pub fn takes_variables(&self) -> bool {
        matches!(self.family, Family::String(_) | Family::Arn)
    }

    /// Whether this operator's values are patterns (`StringLike`, `Arn*`).
    pub fn takes_patterns(&self) -> bool {
        matches!(
            self.family,
            Family::String(StringComparison::Like) | Family::Arn
        )
    }

    pub(crate) fn evaluate_values<S: AsRef<str>>(
        &self,
        policy_values: &[Leaf],
        request: Option<&[S]>,
        substituted: bool,
    ) -> Tri {
        if self.family == Family::Null {
            // A key present with an empty set of values is present: `Null` is about absence.
            let absent = request.is_none();
            return self.any_value(policy_values, substituted, |p| {
                parse_bool(p).is_some_and(|want| want == absent)
            });
        }
        let values = match (self.qualifier, request) {
            (Some(SetQualifier::ForAllValues), None) => return Tri::True,
            (Some(SetQualifier::ForAllValues), Some([])) => return Tri::True,
            (Some(SetQualifier::ForAnyValue), None) => return Tri::from(self.if_exists),
            (Some(SetQualifier::ForAnyValue), Some([])) => return Tri::False,
            (None, None) | (None, Some([])) => return Tri::from(self.if_exists || self.negated),
            (_, Some(v)) => v,
        };
        let per_value = values.iter().map(|actual| {
            let hit = self.any_value(policy_values, substituted, |p| {
                self.family.matches(p, actual.as_ref())
            });
            if self.negated {
                not(hit)
            } else {
                hit
            }
        });
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => all(per_value),
            Some(SetQualifier::ForAnyValue) => any(per_value),
            None if self.negated => all(per_value),
            None => any(per_value),
        }
    }

    /// OR over the policy values: true at the first known match, unknown if an unknown value
    /// could still match, else false.
    fn any_value(
        &self,
        policy_values: &[Leaf],
        substituted: bool,
        matches: impl Fn(&str) -> bool,
    ) -> Tri {
        let mut unknown: Option<Unknown> = None;
        for v in policy_values {
            match v {
                Leaf::Known(s) if !substituted && s.contains("${") => {
                    unknown.get_or_insert_with(|| {
                        Unknown::derived(format!(
                            "policy variable in condition value `{s}` is not substituted yet"
                        ))
                    });
                }
                Leaf::Known(s) => {
                    if matches(s) {
                        return Tri::True;
                    }
                }
                Leaf::Unknown(u) => {
                    unknown.get_or_insert_with(|| u.clone());
                }
            }
        }
        match unknown {
            Some(u) => Tri::Unknown(u),
            None => Tri::False,
        }
    }
}

impl Family {
    /// Whether one request value matches one policy value (unnegated).
    fn matches(self, policy: &str, actual: &str) -> bool {
        match self {
            Family::String(StringComparison::Equals) => policy == actual,
            Family::String(StringComparison::EqualsIgnoreCase) => {
                policy == actual || policy.to_lowercase() == actual.to_lowercase()
            }
            Family::String(StringComparison::Like) => glob(policy, actual),
            Family::Numeric(o) => match (parse_number(actual), parse_number(policy)) {
                (Some(a), Some(p)) => a.partial_cmp(&p).is_some_and(|c| o.holds(c)),
                _ => false,
            },
            Family::Date(o) => match (parse_date(actual), parse_date(policy)) {
                (Some(a), Some(p)) => o.holds(a.cmp(&p)),
                _ => false,
            },
            Family::Bool => match (parse_bool(policy), parse_bool(actual)) {
                (Some(p), Some(a)) => p == a,
                _ => false,
            },
            Family::Binary => match (base64_decode(policy), base64_decode(actual)) {
                (Some(p), Some(a)) => p == a,
                _ => false,
            },
            Family::IpAddress => cidr_contains(policy, actual),
            Family::Arn => arn_like(policy, actual),
            Family::Null => false,
        }
    }
}

fn not(t: Tri) -> Tri {
    match t {
        Tri::True => Tri::False,
        Tri::False => Tri::True,
        u => u,
    }
}

/// AND: false settles it, else unknown if any is unknown.
fn all(items: impl Iterator<Item = Tri>) -> Tri {
    let mut unknown = None;
    for t in items {
        match t {
            Tri::False => return Tri::False,
            Tri::Unknown(u) => {
                unknown.get_or_insert(u);
            }
            Tri::True => {}
        }
    }
    unknown.map_or(Tri::True, Tri::Unknown)
}

/// OR: true settles it, else unknown if any is unknown.
fn any(items: impl Iterator<Item = Tri>) -> Tri {
    let mut unknown = None;
    for t in items {
        match t {
            Tri::True => return Tri::True,
            Tri::Unknown(u) => {
                unknown.get_or_insert(u);
            }
            Tri::False => {}
        }
    }
    unknown.map_or(Tri::False, Tri::Unknown)
}

/// `true` / `false`, case-insensitively.
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A decimal number (`-12`, `3.5`); no `NaN`, `inf` or hexadecimal.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || !digits.bytes().any(|b| b.is_ascii_digit())
    {
        return None;
    }
    t.parse::<f64>().ok()
}

/// A date as milliseconds since the Unix epoch: epoch seconds (`1700000000`), or ISO 8601
/// `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.fff]]` with `Z` or `±hh:mm` (no zone means UTC).
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(1000);
    }
    let (date, time) = match s.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut dp = date.split('-');
    let y: i64 = num(dp.next()?, 4)?;
    let mo: i64 = num(dp.next()?, 2)?;
    let d: i64 = num(dp.next()?, 2)?;
    if dp.next().is_some() || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    let mut ms = days_from_civil(y, mo, d) * 86_400_000;
    if let Some(t) = time {
        let (clock, offset_ms) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(i) = t.rfind(['+', '-']) {
            let (c, z) = t.split_at(i);
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let z = z.get(1..)?;
            let (zh, zm) = match z.split_once(':') {
                Some((h, m)) => (num(h, 2)?, num(m, 2)?),
                None if z.len() == 4 => (num(z.get(..2)?, 2)?, num(z.get(2..)?, 2)?),
                None => (num(z, 2)?, 0),
            };
            if zh > 23 || zm > 59 {
                return None;
            }
            (c, sign * (zh * 60 + zm) * 60_000)
        } else {
            (t, 0)
        };
        let (hms, frac) = match clock.split_once(['.', ',']) {
            Some((a, f)) => (a, Some(f)),
            None => (clock, None),
        };
        let mut tp = hms.split(':');
        let h = num(tp.next()?, 2)?;
        let mi = num(tp.next()?, 2)?;
        let sec = match tp.next() {
            Some(x) => num(x, 2)?,
            None => 0,
        };
        if tp.next().is_some() || h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        let mut frac_ms = 0;
        if let Some(f) = frac {
            if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let three: String = f.chars().chain("000".chars()).take(3).collect();
            frac_ms = three.parse::<i64>().ok()?;
        }
        ms += ((h * 60 + mi) * 60 + sec) * 1000 + frac_ms - offset_ms;
    }
    Some(ms)
}

/// Exactly `width` ASCII digits.
fn num(s: &str, width: usize) -> Option<i64> {
    if s.len() != width || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Standard base64 (RFC 4648, with or without padding); `None` if malformed or
/// non-canonical (non-zero bits after the last byte).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let body = s.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for b in body.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    // A lone sextet, or non-zero leftover bits (a non-canonical encoding), is malformed.
    if bits >= 6 || acc & ((1 << bits) - 1) != 0 {
        return None;
    }
    Some(out)
}

/// Whether `addr` lies in `cidr` (`203.0.113.0/24`, `2001:db8::/32`, or a single address).
pub fn cidr_contains(cidr: &str, addr: &str) -> bool {
    let Ok(ip) = addr.trim().parse::<IpAddr>() else {
        return false;
    };
    let (net, len) = match cidr.trim().split_once('/') {
        Some((n, l)) => match (n.parse::<IpAddr>(), l.parse::<u32>()) {
            (Ok(n), Ok(l)) => (n, l),
            _ => return false,
        },
        None => match cidr.trim().parse::<IpAddr>() {
            Ok(n) => (n, if n.is_ipv4() { 32 } else { 128 }),
            Err(_) => return false,
        },
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) if len <= 32 => {
            let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) if len <= 128 => {
            let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// `ArnLike`: each of the six colon-delimited parts matched separately with `*` and `?`; the
/// resource part (the sixth) is matched as a whole, colons included. A pattern that does not
/// start with `arn:` (such as `*`) is matched against the whole value.
pub fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    if !pattern.starts_with("arn:") {
        // `*` or another non-ARN pattern: matched against the whole value.
        return glob(pattern, arn);
    }
    if p.len() != 6 || a.len() != 6 {
        return false;
    }
    p.iter().zip(a.iter()).all(|(p, a)| glob(p, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(parse_date("2019-07-16T12:00:00Z"), Some(1_563_278_400_000));
    }
}
