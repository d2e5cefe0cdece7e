//! AWS wildcard matching for the `Action`, `Resource` and `Principal` elements.
//!
//! `*` matches any run of characters (including none) and `?` exactly one character
//! ([IAM JSON policy elements: Resource](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html)).
//! Actions are matched case-insensitively, service prefix and action name alike
//! ([Action](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html));
//! resources case-sensitively.
//!
//! ARNs (`arn:partition:service:region:account-id:resource`) are matched segment by segment:
//! a wildcard in one of the first five segments stays inside its segment, except that a `*`
//! that ends the last segment the pattern writes may expand beyond the colons (AWS: "If the `*`
//! wildcard is the last character of a resource ARN segment, it can expand to match beyond the
//! colon boundaries"), and the resource segment is matched as a whole, so a wildcard there may
//! span `/` and `:`.
//!
//! Policy variables (`${aws:username}`) are not substituted here: they are matched as the
//! literal text they are written as. Substitution belongs to the evaluator, which knows the
//! request (and that in version `2008-10-17` they are literal text).
//!
//! The matcher is the iterative two-pointer algorithm with one backtrack point: time is
//! O(pattern x text) in the worst case, with no exponential backtracking.

/// In a pattern, a literal `*` (what the policy variable `${*}` stands for): matches the
/// character `*` only. A private-use code point, so it never occurs in AWS names.
pub const LITERAL_STAR: char = '\u{E000}';
/// In a pattern, a literal `?` (the policy variable `${?}`).
pub const LITERAL_QUESTION: char = '\u{E001}';

/// The pattern a string with unknown parts stands for: its literal text (wildcards kept) with
/// each `${...}` placeholder as `*` (the unknown text could be anything). A value matched by
/// no such pattern cannot be matched by the string, whatever the unknown parts turn out to be.
pub fn template_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        match after.find('}') {
            Some(end) => {
                out.push('*');
                rest = after.get(end + 1..).unwrap_or("");
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escape text so that a pattern matches it literally (`*` and `?` lose their meaning).
pub fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '*' => LITERAL_STAR,
            '?' => LITERAL_QUESTION,
            c => c,
        })
        .collect()
}

/// Undo [`escape`]: the text a pattern stands for when compared without wildcards.
pub fn unescape(pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| match c {
            LITERAL_STAR => '*',
            LITERAL_QUESTION => '?',
            c => c,
        })
        .collect()
}

fn literal_char(c: char) -> char {
    match c {
        LITERAL_STAR => '*',
        LITERAL_QUESTION => '?',
        c => c,
    }
}

/// Match `text` against `pattern`, where `*` is any run and `?` one character, exactly
/// (case-sensitively). [`LITERAL_STAR`] and [`LITERAL_QUESTION`] in the pattern match the
/// characters `*` and `?` only.
pub fn glob(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        glob_slice(pattern.as_bytes(), text.as_bytes(), b'*', b'?', |c| c)
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        glob_slice(&p, &t, '*', '?', literal_char)
    }
}

/// Match an action name (`s3:GetObject`) against an action pattern (`S3:get*`),
/// case-insensitively in both the service prefix and the action name.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    if pattern.is_ascii() && action.is_ascii() {
        glob_slice_by(pattern.as_bytes(), action.as_bytes(), b'*', b'?', |p, c| {
            p.eq_ignore_ascii_case(&c)
        })
    } else {
        glob(&pattern.to_lowercase(), &action.to_lowercase())
    }
}

/// Number of colon-separated segments before the resource part of an ARN.
const ARN_PREFIX_SEGMENTS: usize = 5;

/// Match a resource (an ARN, or any other resource string) against a `Resource` pattern,
/// case-sensitively and ARN-segment-aware (see the module documentation).
///
/// A pattern that is not an ARN (`*`, or text not starting with `arn:`) is matched against the
/// whole string.
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    // The literal text before the first wildcard must begin the resource (segment boundaries
    // in it are literal colons); without a wildcard, the pattern is the resource.
    match pattern.find(['*', '?']) {
        None if !pattern.contains([LITERAL_STAR, LITERAL_QUESTION]) => return pattern == resource,
        Some(i) => {
            let prefix = pattern.get(..i).unwrap_or("");
            if !prefix.contains([LITERAL_STAR, LITERAL_QUESTION]) && !resource.starts_with(prefix) {
                return false;
            }
        }
        None => {}
    }
    if !pattern.starts_with("arn:") {
        return glob(pattern, resource);
    }
    let segments = pattern.splitn(ARN_PREFIX_SEGMENTS + 1, ':').count();
    let last = segments.saturating_sub(1);
    let mut pats = pattern.splitn(ARN_PREFIX_SEGMENTS + 1, ':');
    // Byte offset in `resource` where its segment `i` starts.
    let mut offset = 0usize;
    let mut vals = resource.splitn(ARN_PREFIX_SEGMENTS + 1, ':');
    let mut matched = 0usize;
    for i in 0..segments {
        let Some(p) = pats.next() else {
            return false;
        };
        if i == last && i < ARN_PREFIX_SEGMENTS && p.ends_with('*') {
            // A trailing `*` in the last written segment expands beyond the colons.
            return match resource.get(offset..) {
                Some(rest)
                    if offset <= resource.len()
                        && (offset < resource.len() || vals.next().is_some()) =>
                {
                    glob(p, rest)
                }
                _ => false,
            };
        }
        let Some(v) = vals.next() else {
            return false;
        };
        if !glob(p, v) {
            return false;
        }
        offset += v.len() + 1;
        matched += 1;
    }
    matched == segments && vals.next().is_none()
}

/// The two-pointer wildcard matcher over any alphabet; `literal` maps an escaped pattern
/// character to the text character it stands for.
fn glob_slice<T: PartialEq + Copy>(p: &[T], s: &[T], star: T, any: T, literal: fn(T) -> T) -> bool {
    glob_slice_by(p, s, star, any, |pc, c| literal(pc) == c)
}

/// The two-pointer wildcard matcher with a character comparison of its own.
fn glob_slice_by<T: PartialEq + Copy>(
    p: &[T],
    s: &[T],
    star: T,
    any: T,
    same: impl Fn(T, T) -> bool,
) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    // Position after the last `*` seen in the pattern, and where in the text it resumes.
    let mut back: Option<(usize, usize)> = None;
    while let Some(&c) = s.get(si) {
        match p.get(pi) {
            Some(&pc) if pc == star => {
                back = Some((pi + 1, si));
                pi += 1;
                continue;
            }
            Some(&pc) if pc == any || same(pc, c) => {
                pi += 1;
                si += 1;
                continue;
            }
            _ => {}
        }
        match back {
            Some((bp, bs)) => {
                // Let the last `*` swallow one more character and retry.
                pi = bp;
                si = bs + 1;
                back = Some((bp, bs + 1));
            }
            None => return false,
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == star))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_basics() {
        assert!(glob("*", ""));
        assert!(glob("a*c", "abbbc"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(!glob("abc", "abcd"));
        assert!(glob("a*b*c", "a-b-b-c"));
        assert!(!glob("a*b*c", "a-c-b"));
        assert!(glob("é?", "éx"));
        assert!(!glob("ABC", "abc"));
    }

    #[test]
    fn no_exponential_backtracking() {
        let text = "a".repeat(5_000);
        let pattern = format!("{}b", "a*".repeat(100));
        assert!(!glob(&pattern, &text));
    }
}
