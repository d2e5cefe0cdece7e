//! Shared by the fuzz targets.
//!
//! [`Watchdog`]: libFuzzer's own `-timeout` handler runs in a signal handler and allocates; with
//! `-s none` (no sanitizer allocator) it deadlocks when the interrupted thread holds the malloc
//! lock, which a busy evaluator nearly always does, so a hang would hang the fuzzer (and CI)
//! instead of failing it. The watchdog thread saves the input as `hang-<hash>` in the artifact
//! directory and aborts the process, which libFuzzer reports as a crash (and saves as
//! `crash-<hash>` too). Its limit is `MOAT_FUZZ_HANG_SECS` (default 10 s); give libFuzzer a
//! larger `-timeout` as a backstop.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

struct Current {
    started: Instant,
    input: Vec<u8>,
}

static CURRENT: Mutex<Option<Current>> = Mutex::new(None);

fn limit() -> Duration {
    static L: OnceLock<Duration> = OnceLock::new();
    *L.get_or_init(|| {
        let secs = std::env::var("MOAT_FUZZ_HANG_SECS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(10);
        Duration::from_secs(secs.max(1))
    })
}

fn artifact_dir() -> String {
    std::env::args()
        .find_map(|a| a.strip_prefix("-artifact_prefix=").map(str::to_string))
        .unwrap_or_default()
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Marks one input as running until dropped.
pub struct Watchdog;

impl Watchdog {
    pub fn start(input: &[u8]) -> Watchdog {
        static THREAD: OnceLock<()> = OnceLock::new();
        THREAD.get_or_init(|| {
            std::thread::spawn(watch);
        });
        if let Ok(mut c) = CURRENT.lock() {
            *c = Some(Current {
                started: Instant::now(),
                input: input.to_vec(),
            });
        }
        Watchdog
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Ok(mut c) = CURRENT.lock() {
            *c = None;
        }
    }
}

fn watch() {
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let Ok(c) = CURRENT.lock() else { continue };
        let Some(cur) = c.as_ref() else { continue };
        let took = cur.started.elapsed();
        if took < limit() {
            continue;
        }
        let path = format!("{}hang-{:016x}", artifact_dir(), fnv(&cur.input));
        let saved = std::fs::write(&path, &cur.input).is_ok();
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "==moat-fuzz== HANG: one input ran for {} s (limit {} s, MOAT_FUZZ_HANG_SECS); {}",
            took.as_secs(),
            limit().as_secs(),
            if saved {
                format!("input saved to {path}")
            } else {
                format!("could not save the input to {path}")
            }
        );
        let _ = err.flush();
        std::process::abort();
    }
}
