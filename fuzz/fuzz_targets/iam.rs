//! Fuzz the IAM engine on one `moat iam simulate --input` document: any bytes, parsed as JSON,
//! read as requests (policies of every type, principals, contexts) and decided. Invariants: no
//! panic, no hang (the watchdog: wildcard matching is linear per pattern, the unknown
//! enumeration is bounded), every decision one of the four kinds.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let _watchdog = common::Watchdog::start(data);
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(out) = moat_iam::simulate::simulate_json(&json) {
        let decisions: Vec<&serde_json::Value> = match &out {
            serde_json::Value::Array(a) => a.iter().collect(),
            one => vec![one],
        };
        for d in decisions {
            let kind = d.get("decision").and_then(|k| k.as_str()).unwrap_or("");
            assert!(
                matches!(kind, "allow" | "explicit_deny" | "implicit_deny" | "unknown"),
                "bad decision {kind}"
            );
        }
    }
    // A policy on its own, as `--scp` files are read.
    let _ = moat_iam::policy::Policy::from_json(&json);
});
