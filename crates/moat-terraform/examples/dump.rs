//! Print what the frontend loads from a path (for debugging).
fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let t = std::time::Instant::now();
    let estates = moat_terraform::load(
        std::path::Path::new(&path),
        &moat_terraform::Options::default(),
    );
    let took = t.elapsed();
    for e in &estates {
        println!(
            "== estate: {} files, {} resources",
            e.files_scanned,
            e.resources.len()
        );
        for r in &e.resources {
            println!(
                "{} ({}:{}) module={:?}",
                r.address, r.loc.file, r.loc.line, r.module
            );
            if std::env::var("ATTRS").is_ok() {
                for (k, v) in &r.attrs {
                    println!("    {k} = {} @{:?}", v, v.line());
                }
            }
        }
        for x in &e.edges {
            println!(
                "edge {} -> {} ({})",
                e.resources[x.from.index()].address,
                e.resources[x.to.index()].address,
                x.attr
            );
        }
        for x in &e.errors {
            println!("ERROR {}:{} {}", x.file, x.line, x.message);
        }
        for x in &e.notes {
            println!("NOTE {}:{} {}", x.file, x.line, x.message);
        }
    }
    eprintln!("took {took:?}");
}
