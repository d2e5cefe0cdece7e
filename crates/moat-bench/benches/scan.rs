//! Parse + resolve + rules on generated corpora of 100 and 1,000 files.
//!
//! `load` times `moat_terraform::load` (walk, read, parse, evaluate, index); `check` times
//! `moat_rules::check` on the estates `load` returned; `scan` times both, as `moat scan` does
//! minus the rendering. The corpora are written to a temporary directory once per size.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use moat_terraform::Options;

const SIZES: [usize; 2] = [100, 1_000];
const SEED: u64 = 1;

fn corpus(files: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    moat_bench::generate(files, SEED, dir.path()).expect("generate corpus");
    dir
}

fn scan(root: &Path, opts: &Options) -> usize {
    let estates = moat_terraform::load(root, opts);
    estates.iter().map(|e| moat_rules::check(e).len()).sum()
}

fn benches(c: &mut Criterion) {
    let opts = Options::default();
    for files in SIZES {
        let dir = corpus(files);
        let root = dir.path();
        let estates = moat_terraform::load(root, &opts);
        let resources: usize = estates.iter().map(|e| e.resources.len()).sum();
        let findings: usize = estates.iter().map(|e| moat_rules::check(e).len()).sum();
        eprintln!(
            "corpus {files} files: {} estates, {resources} resources, {findings} findings",
            estates.len()
        );

        let mut g = c.benchmark_group("terraform");
        g.throughput(Throughput::Elements(files as u64));
        if files >= 1_000 {
            g.sample_size(10).measurement_time(Duration::from_secs(10));
        }
        g.bench_with_input(BenchmarkId::new("load", files), &root, |b, root| {
            b.iter(|| black_box(moat_terraform::load(root, &opts)))
        });
        g.bench_with_input(BenchmarkId::new("check", files), &estates, |b, estates| {
            b.iter(|| {
                let n: usize = estates.iter().map(|e| moat_rules::check(e).len()).sum();
                black_box(n)
            })
        });
        g.bench_with_input(BenchmarkId::new("scan", files), &root, |b, root| {
            b.iter(|| black_box(scan(root, &opts)))
        });
        g.finish();
    }
}

criterion_group!(scan_benches, benches);
criterion_main!(scan_benches);
