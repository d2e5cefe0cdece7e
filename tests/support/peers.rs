//! The one convention for differential tests, which compare moat with an independent
//! implementation (a "peer": terraform and its provider mirror, Checkov, moto, jsonschema,
//! graphviz). Each test crate's `tests/common/mod.rs` includes this file with `#[path]`, so it
//! exists once.
//!
//! A test whose peer is missing calls [`missing_peer`] and returns: by default it skips and says
//! so on stderr; under `MOAT_REQUIRE_PEERS=1` (which `.ci/run` sets) it fails, naming the tool
//! and how to install it, so CI cannot pass without comparing.
#![allow(dead_code)]

/// Whether a missing peer fails the test (`MOAT_REQUIRE_PEERS=1`) instead of skipping it.
pub fn peers_required() -> bool {
    std::env::var_os("MOAT_REQUIRE_PEERS").is_some_and(|v| v == "1")
}

/// The peer `tool` is missing; `install` says how to get it. Fails the test under
/// `MOAT_REQUIRE_PEERS=1`; otherwise prints that the comparison is skipped, and the caller
/// returns (or leaves out what needs the peer).
#[track_caller]
pub fn missing_peer(tool: &str, install: &str) {
    let test = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .map(|n| format!("{n}: "))
        .unwrap_or_default();
    if peers_required() {
        panic!(
            "{test}peer missing: {tool}\n  install: {install}\n  \
             (MOAT_REQUIRE_PEERS=1 makes a missing peer a failure; without it the comparison skips)"
        );
    }
    eprintln!(
        "{test}skipped: peer missing: {tool} (install: {install}; \
         under MOAT_REQUIRE_PEERS=1 this fails)"
    );
}
