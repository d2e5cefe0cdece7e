//! Fuzz the CloudFormation frontend on one template's text: any bytes, decoded as the walker
//! decodes files (UTF-8, BOM, UTF-16), parsed as YAML and as JSON, then the whole pipeline
//! (`moat_cloudformation::parse_str`: parse, SAM, resolve, adapt; no file system) as
//! `template.yaml` and `template.json`. Invariants: no panic, no hang (the watchdog), no memory
//! blow-up (alias bombs, deep nesting: libFuzzer's `-rss_limit_mb`).
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use moat_model::Limits;

mod common;

fuzz_target!(|data: &[u8]| {
    let _watchdog = common::Watchdog::start(data);
    let Ok(text) = moat_cloudformation::walk::text_from_bytes(data.to_vec(), "fuzz") else {
        return;
    };
    let limits = Limits::default();
    for name in ["template.yaml", "template.json", "template.template"] {
        if let Ok(node) = moat_cloudformation::parse::parse(Arc::from(name), &text, &limits) {
            let _ = moat_cloudformation::is_template(&node);
        }
    }
    for name in ["template.yaml", "template.json"] {
        let _ = moat_cloudformation::parse_str(name, &text);
    }
});
