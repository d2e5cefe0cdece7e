//! Fuzz the Terraform frontend on one file's text: any bytes, as `.tf`, as `.tf.json` and as a
//! plan JSON (`terraform show -json`), must
//! never panic, hang or exhaust memory (libFuzzer's `-timeout` and `-rss_limit_mb` catch the
//! last two), and must never read a file: `file("/etc/passwd")` and friends are outside the
//! (nonexistent) root this entry point evaluates in.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

mod common;

fn passwd_line() -> Option<&'static str> {
    static L: OnceLock<Option<String>> = OnceLock::new();
    L.get_or_init(|| {
        std::fs::read_to_string("/etc/passwd")
            .ok()
            .and_then(|t| t.lines().next().map(str::to_string))
            .filter(|l| l.len() >= 8)
    })
    .as_deref()
}

fuzz_target!(|data: &[u8]| {
    let _watchdog = common::Watchdog::start(data);
    if let Ok(text) = std::str::from_utf8(data) {
        for name in ["main.tf", "main.tf.json"] {
            let estate = moat_terraform::parse_and_evaluate_str(name, text);
            if let Some(line) = passwd_line() {
                if !text.contains(line) {
                    let dump = format!("{estate:?}");
                    assert!(
                        !dump.contains(line),
                        "/etc/passwd was read through `{name}`"
                    );
                }
            }
        }
    }
    // A plan is bytes too: UTF-16 and BOMs are decoded by the plan reader itself.
    let estate = moat_terraform::plan::load_str("plan.json", &String::from_utf8_lossy(data));
    drop(estate);
});
