//! CloudFormation and Terraform plan JSON frontends on generated corpora.
//!
//! `template`: `moat_cloudformation::parse_str` (parse, resolve intrinsics, adapt to the typed
//! AWS state) of the largest template of a generated 12-template corpus (YAML or JSON).
//! `load`: `moat_cloudformation::load` of a 100-template corpus (walk, read, nested stacks
//! included) and `moat_terraform::plan::load` of 100 plans, as `moat scan` reads them; `scan`
//! adds `moat_rules::check`. The corpora are written to a temporary directory once.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const SEED: u64 = 1;
const FILES: usize = 100;

/// The largest template of a small corpus (no nested stacks), by resource count: its file
/// name, its text and its resource count.
fn largest_template() -> (String, String, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    moat_bench::cloudformation::generate(12, SEED, dir.path()).expect("generate templates");
    let mut best = (String::new(), String::new(), 0usize);
    for stack in 0..12 {
        for name in ["template.yaml", "template.json"] {
            let rel = format!("stacks/stack-{stack:04}/{name}");
            let Ok(text) = std::fs::read_to_string(dir.path().join(&rel)) else {
                continue;
            };
            let n = moat_cloudformation::parse_str(&rel, &text).resources.len();
            if n > best.2 {
                best = (rel, text, n);
            }
        }
    }
    best
}

fn scan_cfn(root: &Path, opts: &moat_cloudformation::Options) -> usize {
    let estates = moat_cloudformation::load(root, opts);
    estates.iter().map(|e| moat_rules::check(e).len()).sum()
}

fn scan_plans(root: &Path, opts: &moat_terraform::Options) -> usize {
    let estates = moat_terraform::plan::load(root, opts);
    estates.iter().map(|e| moat_rules::check(e).len()).sum()
}

fn benches(c: &mut Criterion) {
    let (name, text, resources) = largest_template();
    let e = moat_cloudformation::parse_str(&name, &text);
    assert!(e.errors.is_empty(), "{name}: {:?}", e.errors);
    eprintln!(
        "largest template {name}: {resources} resources, {} bytes",
        text.len()
    );
    let mut g = c.benchmark_group("cloudformation_template");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_with_input(
        BenchmarkId::new("parse_resolve_adapt", "largest"),
        &text,
        |b, t| b.iter(|| black_box(moat_cloudformation::parse_str(&name, t))),
    );
    g.finish();

    let cfn = tempfile::tempdir().expect("temp dir");
    moat_bench::cloudformation::generate(FILES, SEED, cfn.path()).expect("generate templates");
    let plans = tempfile::tempdir().expect("temp dir");
    moat_bench::plan::generate(FILES, SEED, plans.path()).expect("generate plans");
    let cfn_opts = moat_cloudformation::Options::default();
    let plan_opts = moat_terraform::Options::default();
    let estates = moat_cloudformation::load(cfn.path(), &cfn_opts);
    let from_plans = moat_terraform::plan::load(plans.path(), &plan_opts);
    eprintln!(
        "{FILES} templates: {} estates, {} resources, {} findings; {FILES} plans: {} estates, {} resources, {} findings",
        estates.len(),
        estates.iter().map(|e| e.resources.len()).sum::<usize>(),
        scan_cfn(cfn.path(), &cfn_opts),
        from_plans.len(),
        from_plans.iter().map(|e| e.resources.len()).sum::<usize>(),
        scan_plans(plans.path(), &plan_opts),
    );

    let mut g = c.benchmark_group("cloudformation");
    g.throughput(Throughput::Elements(FILES as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_with_input(BenchmarkId::new("load", FILES), &cfn.path(), |b, root| {
        b.iter(|| black_box(moat_cloudformation::load(root, &cfn_opts)))
    });
    g.bench_with_input(BenchmarkId::new("scan", FILES), &cfn.path(), |b, root| {
        b.iter(|| black_box(scan_cfn(root, &cfn_opts)))
    });
    g.finish();

    let mut g = c.benchmark_group("terraform_plan");
    g.throughput(Throughput::Elements(FILES as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_with_input(BenchmarkId::new("load", FILES), &plans.path(), |b, root| {
        b.iter(|| black_box(moat_terraform::plan::load(root, &plan_opts)))
    });
    g.bench_with_input(BenchmarkId::new("scan", FILES), &plans.path(), |b, root| {
        b.iter(|| black_box(scan_plans(root, &plan_opts)))
    });
    g.finish();
}

criterion_group!(cloudformation_benches, benches);
criterion_main!(cloudformation_benches);
