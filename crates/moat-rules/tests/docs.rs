//! The checked-in `docs/rules/` must equal what the catalogue generates. Set
//! `MOAT_UPDATE_DOCS=1` to regenerate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn docs_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let generated = moat_rules::docs::generate();
    if std::env::var_os("MOAT_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".md") && !generated.contains_key(&name) {
                std::fs::remove_file(&p).unwrap();
            }
        }
        for (name, text) in &generated {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (name, text) in &generated {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(t) if t == *text => {}
            _ => stale.push(name.clone()),
        }
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name.ends_with(".md") && !generated.contains_key(&name) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is out of date ({stale:?}); run `MOAT_UPDATE_DOCS=1 cargo test -p moat-rules --test docs`"
    );
}

#[test]
fn every_doc_has_the_sections() {
    for r in moat_rules::catalogue() {
        for s in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## References",
        ] {
            assert!(r.doc.contains(s), "{} lacks `{s}`", r.id);
        }
        assert!(
            r.doc.contains("https://docs.aws.amazon.com/"),
            "{} cites no AWS documentation page",
            r.id
        );
        if let Some(why) = internal_reference(r.doc) {
            panic!(
                "{} cites an internal document ({why}); cite public sources",
                r.id
            );
        }
    }
}

/// Why a rule doc refers to an internal document instead of a public source: the internal
/// seeds ("Seed 000", "seed 002") or text quoted from them (Hangul).
fn internal_reference(doc: &str) -> Option<String> {
    let lower = doc.to_lowercase();
    if doc.contains("Seed ") || lower.contains("seed 0") {
        return Some("a seed".to_string());
    }
    doc.chars()
        .find(|&c| is_hangul(c))
        .map(|c| format!("Hangul text `{c}`"))
}

/// Hangul syllables, Hangul Jamo and Hangul compatibility Jamo.
fn is_hangul(c: char) -> bool {
    let syllables = '\u{AC00}'..='\u{D7A3}';
    let jamo = '\u{1100}'..='\u{11FF}';
    let compatibility_jamo = '\u{3130}'..='\u{318F}';
    syllables.contains(&c) || jamo.contains(&c) || compatibility_jamo.contains(&c)
}

#[test]
fn internal_references_are_detected() {
    assert!(internal_reference("- Seed 002, checklist").is_some());
    assert!(internal_reference("as seed 000 says").is_some());
    assert!(internal_reference("\u{D5EC}\u{C2A4}\u{CCB4}\u{D06C}").is_some());
    assert!(internal_reference("\u{1100}").is_some());
    assert!(internal_reference("\u{3131}").is_some());
    assert!(internal_reference("seeded random data, a seedling; see the AWS docs").is_none());
}

#[test]
fn codes_are_well_formed_and_unique() {
    let cat = moat_rules::catalogue();
    let mut seen = std::collections::BTreeSet::new();
    for r in &cat {
        assert!(seen.insert(r.id), "duplicate {}", r.id);
        let (prefix, digits) = r.id.split_at(r.id.len() - 3);
        assert!(digits.chars().all(|c| c.is_ascii_digit()), "{}", r.id);
        let prefixes = [
            "S3", "EC2", "SG", "RDS", "CT", "KMS", "EBS", "IAM", "VPC", "MON", "LB", "EKS", "LMB",
            "NET", "ECR", "SNS", "SQS", "SM", "CWL", "ELC", "API",
        ];
        assert!(prefixes.contains(&prefix), "{}", r.id);
        assert_eq!(
            r.id.starts_with("NET"),
            r.family == "net",
            "NET is reserved for network diagnosis"
        );
        assert!(moat_rules::rule(&r.id.to_lowercase()).is_some());
    }
    assert!(cat.len() >= 25);
}
