//! Fuzz the Terraform frontend: any bytes, as `.tf` and as `.tf.json`, must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = moat_terraform::parse_and_evaluate_str("main.tf", text);
        let _ = moat_terraform::parse_and_evaluate_str("main.tf.json", text);
    }
});
