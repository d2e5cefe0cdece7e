#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use moat_terraform::{load, Options};

#[test]
fn tf_json_resources_lines_and_templates() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/json");
    let v = load(&p, &Options::default());
    assert_eq!(v.len(), 1);
    let e = &v[0];
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let b = e.get(e.by_address("aws_s3_bucket.logs").unwrap()).unwrap();
    assert_eq!(&*b.loc.file, "main.tf.json");
    assert_eq!(b.loc.line, 10);
    assert_eq!(b.str_attr("bucket"), Some("logs-json"));
    assert_eq!(b.get("bucket").unwrap().line(), Some(11));
    let ver = e.by_address("aws_s3_bucket_versioning.logs").unwrap();
    let bucket = e.by_address("aws_s3_bucket.logs").unwrap();
    assert_eq!(
        e.referrers(bucket, "aws_s3_bucket_versioning", Some("bucket")),
        vec![ver]
    );
    let v = e.get(ver).unwrap();
    assert_eq!(v.blocks("versioning_configuration").len(), 1);
    assert_eq!(
        v.path("versioning_configuration.status").unwrap().as_str(),
        Some("Enabled")
    );
    let sg = e
        .get(e.by_address("aws_security_group.web[1]").unwrap())
        .unwrap();
    assert_eq!(sg.str_attr("name"), Some("web-1"));
    assert_eq!(sg.blocks("ingress").len(), 1);
    assert_eq!(sg.loc.line, 23);
    let doc = e
        .get(e.by_address("data.aws_iam_policy_document.read").unwrap())
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(doc.str_attr("json").unwrap()).unwrap();
    assert_eq!(json["Statement"][0]["Action"], "s3:GetObject");
    assert_eq!(json["Statement"][0]["Effect"], "Allow");
    assert_eq!(
        json["Statement"][0]["Resource"],
        "${aws_s3_bucket.logs.arn}/*"
    );
}

#[test]
fn json_comments_and_dynamic_blocks() {
    let text = r#"{
  "//": "a comment",
  "resource": {
    "aws_security_group": {
      "web": {
        "//": "ignored",
        "dynamic": {
          "ingress": {
            "for_each": [22, 443],
            "content": {
              "from_port": "${ingress.value}",
              "to_port": "${ingress.value}"
            }
          }
        }
      }
    }
  }
}"#;
    let e = moat_terraform::parse_and_evaluate_str("main.tf.json", text);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let sg = &e.resources[0];
    assert_eq!(sg.address, "aws_security_group.web");
    assert_eq!(sg.loc.line, 5);
    assert!(sg.get("//").is_none());
    let ing = sg.blocks("ingress");
    assert_eq!(ing.len(), 2);
    assert_eq!(ing[1].get("to_port").unwrap().as_f64(), Some(443.0));
}
