//! Print the evaluation work (fuel units) and size of every root module under a path: the
//! figures behind the default limits in `docs/RELIABILITY.md`.
//!
//! `cargo run --release -p moat-terraform --example work -- DIR...`

fn main() {
    let mut rows: Vec<(u64, String, usize)> = Vec::new();
    for arg in std::env::args().skip(1) {
        let path = std::path::Path::new(&arg);
        for e in moat_terraform::load(path, &moat_terraform::Options::default()) {
            rows.push((e.work, format!("{arg}/{}", e.root), e.resources.len()));
        }
    }
    rows.sort();
    for (work, root, resources) in &rows {
        println!("{work:>12} {resources:>6} {root}");
    }
    let max = rows.last().map(|r| r.0).unwrap_or(0);
    let total: u64 = rows.iter().map(|r| r.0).sum();
    println!("roots {} max {max} total {total}", rows.len());
}
