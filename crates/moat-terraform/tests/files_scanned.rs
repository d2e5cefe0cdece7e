//! `files_scanned` counts distinct files read, even when a module is called by several roots.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use moat_terraform::{load, Options};

#[test]
fn module_shared_by_two_roots_is_counted_once() {
    let d = tempfile::tempdir().unwrap();
    let w = |p: &str, t: &str| {
        let p = d.path().join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, t).unwrap();
    };
    w(
        "modules/sg/main.tf",
        "variable \"name\" {}\nresource \"aws_security_group\" \"this\" {\n  name = var.name\n}\n",
    );
    w(
        "modules/sg/outputs.tf",
        "output \"id\" {\n  value = aws_security_group.this.id\n}\n",
    );
    w(
        "live/a/main.tf",
        "module \"sg\" {\n  source = \"../../modules/sg\"\n  name = \"a\"\n}\n",
    );
    w(
        "live/b/main.tf",
        "module \"sg\" {\n  source = \"../../modules/sg\"\n  name = \"b\"\n}\n",
    );
    w(
        "live/b/extra.tf",
        "variable \"bucket\" {}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = var.bucket\n}\n",
    );
    w("live/b/terraform.tfvars", "bucket = \"logs\"\n");
    let estates = load(d.path(), &Options::default());
    assert_eq!(estates.len(), 2);
    for e in &estates {
        assert!(e.errors.is_empty(), "{:?}", e.errors);
    }
    // Both roots evaluated the module...
    let names: Vec<Vec<&str>> = estates
        .iter()
        .map(|e| e.resources.iter().map(|r| r.address.as_str()).collect())
        .collect();
    assert_eq!(
        names,
        vec![
            vec!["module.sg.aws_security_group.this"],
            vec!["aws_s3_bucket.b", "module.sg.aws_security_group.this"]
        ]
    );
    assert_eq!(
        estates[1].resources[0].get("bucket").unwrap().as_str(),
        Some("logs")
    );
    // ...but its two files are counted once: 2 module files + 1 in a + 2 .tf and the
    // terraform.tfvars in b.
    let total: usize = estates.iter().map(|e| e.files_scanned).sum();
    assert_eq!(total, 6);
    assert_eq!(estates[0].files_scanned, 3);
    assert_eq!(estates[1].files_scanned, 3);
}
