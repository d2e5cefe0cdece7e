//! Helpers shared by the CloudFormation test files.
//!
//! Each test file is its own binary and uses only some of these helpers, hence the
//! `#[allow(dead_code)]` on each item.
#![allow(clippy::unwrap_used, clippy::panic)]

use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Node, ResourceId};

#[path = "../../../../tests/support/peers.rs"]
mod peers;
#[allow(unused_imports)] // not every test file compares with a peer
pub use peers::missing_peer;

/// A template parsed, resolved and adapted by `moat_cloudformation::parse_str`, which must
/// read without errors and hold resources.
#[allow(dead_code)]
pub fn load(yaml: &str) -> Estate {
    let e = moat_cloudformation::parse_str("template.yaml", yaml);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    assert!(!e.resources.is_empty(), "no resources read");
    e
}

/// The resource named by its logical ID (address).
#[allow(dead_code)]
pub fn id(e: &Estate, logical: &str) -> ResourceId {
    e.by_address(logical)
        .unwrap_or_else(|| panic!("no resource `{logical}`"))
}

/// Whether a typed attribute is unknown.
#[allow(dead_code)]
pub fn is_unknown<T>(a: &Attr<T>) -> bool {
    matches!(a.value, AttrValue::Unknown(_))
}

/// The resolved property `path` (dotted) of the resource at `address`.
#[allow(dead_code)]
pub fn attr<'a>(e: &'a Estate, address: &str, path: &str) -> &'a Node {
    let id = e
        .by_address(address)
        .unwrap_or_else(|| panic!("no resource {address}"));
    e.get(id)
        .unwrap()
        .path(path)
        .unwrap_or_else(|| panic!("no {path} on {address}"))
}

/// The estate's errors as `file:line message`.
#[allow(dead_code)]
pub fn errors(e: &Estate) -> Vec<String> {
    e.errors
        .iter()
        .map(|x| format!("{}:{} {}", x.file, x.line, x.message))
        .collect()
}

/// 1-based line of the first line of `text` containing `needle`.
#[allow(dead_code)]
pub fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u32 + 1)
        .unwrap_or_else(|| panic!("`{needle}` not in text"))
}
