//! The plan corpus describes the same estates as the Terraform corpus of the same seed: read
//! by the plan frontend, each plan has the resources and the findings of its root module.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use moat_model::Estate;
use moat_terraform::Options;

fn summary(e: &Estate) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
    let addresses = e.resources.iter().map(|r| r.address.clone()).collect();
    let findings = moat_rules::check(e)
        .into_iter()
        .map(|f| (f.rule_id.clone(), f.resource.clone()))
        .collect();
    (addresses, findings)
}

#[test]
fn plans_have_the_resources_and_findings_of_their_root_modules() {
    let tf = tempfile::tempdir().unwrap();
    let plans = tempfile::tempdir().unwrap();
    moat_bench::generate(46, 3, tf.path()).unwrap();
    let stats = moat_bench::plan::generate(4, 3, plans.path()).unwrap();
    assert_eq!((stats.files, stats.stacks), (4, 4));

    let hcl = moat_terraform::load(tf.path(), &Options::default());
    let from_plans = moat_terraform::plan::load(plans.path(), &Options::default());
    assert_eq!(hcl.len(), 4);
    assert_eq!(from_plans.len(), 4);
    for (h, p) in hcl.iter().zip(&from_plans) {
        assert!(p.errors.is_empty(), "{}: {:?}", p.root, p.errors);
        assert_eq!(
            p.root,
            format!("plans/{}.json", h.root.trim_start_matches("stacks/"))
        );
        let (h_res, h_find) = summary(h);
        let (p_res, p_find) = summary(p);
        assert!(h_res.len() > 50, "{}: {} resources", h.root, h_res.len());
        assert_eq!(h_res, p_res, "{}", p.root);
        let only_hcl: Vec<_> = h_find.difference(&p_find).collect();
        let only_plan: Vec<_> = p_find.difference(&h_find).collect();
        assert!(
            only_hcl.is_empty() && only_plan.is_empty(),
            "{}: only from HCL {only_hcl:?}, only from the plan {only_plan:?}",
            p.root
        );
        assert!(!p_find.is_empty());
    }
}
