//! Rule documentation: `docs/rules/<CODE>.md` and the `docs/rules/README.md` index, generated
//! from the catalogue.

use std::collections::BTreeMap;

use crate::{catalogue, RuleInfo};

/// One rule's page.
pub fn rule_page(r: &RuleInfo) -> String {
    let checkov = if r.checkov.is_empty() {
        "none".to_string()
    } else {
        r.checkov
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "# {id}: {title}\n\n- Name: `{name}`\n- Severity: {sev}\n- Family: `{fam}`\n- Checkov equivalents: {checkov}\n\n{doc}",
        name = crate::rule_name(r.id).unwrap_or_default(),
        id = r.id,
        title = r.title,
        sev = r.severity,
        fam = r.family,
        doc = r.doc.trim_end().to_string() + "\n",
    )
}

/// The index table.
pub fn index_page(rules: &[RuleInfo]) -> String {
    let mut s = String::from(
        "# moat rules\n\nGenerated from `crates/moat-rules` (do not edit; run `MOAT_UPDATE_DOCS=1 cargo test -p moat-rules docs`).\n\n| Code | Title | Severity | Family | Checkov |\n|---|---|---|---|---|\n",
    );
    for r in rules {
        s.push_str(&format!(
            "| [{id}]({id}.md) | {title} | {sev} | {fam} | {ck} |\n",
            id = r.id,
            title = r.title,
            sev = r.severity,
            fam = r.family,
            ck = r.checkov.join(", ")
        ));
    }
    s
}

/// Every generated file, by name relative to `docs/rules/`.
pub fn generate() -> BTreeMap<String, String> {
    let rules = catalogue();
    let mut out = BTreeMap::new();
    for r in &rules {
        out.insert(format!("{}.md", r.id), rule_page(r));
    }
    out.insert("README.md".to_string(), index_page(&rules));
    out
}
