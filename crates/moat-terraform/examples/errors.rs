//! Print every error moat reports while loading each path (file:line: message), sorted.
//!
//! `cargo run --release -p moat-terraform --example errors -- DIR...`

fn main() {
    let mut rows: Vec<String> = Vec::new();
    for arg in std::env::args().skip(1) {
        let path = std::path::Path::new(&arg);
        for e in moat_terraform::load(path, &moat_terraform::Options::default()) {
            for x in &e.errors {
                rows.push(format!("{arg}/{}:{}: {}", x.file, x.line, x.message));
            }
        }
    }
    rows.sort();
    rows.dedup();
    for r in &rows {
        println!("{r}");
    }
}
