#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use moat_model::{Estate, Node, Unknown, Value};
use moat_terraform::parse_and_evaluate_str;

/// Evaluate `expr` as the attribute `v` of a resource, with some locals around.
fn eval(expr: &str) -> Node {
    let text = format!(
        r#"
locals {{
  m    = {{ a = 1, b = 2 }}
  l    = ["x", "y", "z"]
  objs = [{{ name = "a", port = 22 }}, {{ name = "b", port = 443 }}]
}}
resource "aws_vpc" "main" {{
  cidr_block = "10.0.0.0/16"
}}
resource "aws_subnet" "s" {{
  count  = 2
  vpc_id = aws_vpc.main.id
}}
resource "test" "t" {{
  v = {expr}
}}
"#
    );
    let e = parse_and_evaluate_str("main.tf", &text);
    assert!(e.errors.is_empty(), "{expr}: {:?}", e.errors);
    let id = e.by_address("test.t").unwrap();
    e.get(id).unwrap().get("v").unwrap().clone()
}

fn s(expr: &str) -> String {
    match eval(expr).value {
        Value::String(s) => s,
        other => panic!("{expr} gave {other:?}"),
    }
}

fn j(expr: &str) -> serde_json::Value {
    let n = eval(expr);
    assert!(!n.contains_unknown(), "{expr} gave {n}");
    n.value.to_json()
}

#[test]
fn network_functions() {
    assert_eq!(s(r#"cidrsubnet("10.0.0.0/16", 8, 2)"#), "10.0.2.0/24");
    assert_eq!(s(r#"cidrsubnet("10.0.0.0/16", 4, 15)"#), "10.0.240.0/20");
    assert_eq!(s(r#"cidrsubnet("fd00::/56", 8, 1)"#), "fd00:0:0:1::/64");
    assert_eq!(s(r#"cidrhost("10.0.1.0/24", 5)"#), "10.0.1.5");
    assert_eq!(s(r#"cidrhost("10.0.1.0/24", -1)"#), "10.0.1.255");
    assert_eq!(s(r#"cidrnetmask("172.16.0.0/12")"#), "255.240.0.0");
    assert_eq!(
        j(r#"cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)"#),
        serde_json::json!([
            "10.1.0.0/20",
            "10.1.16.0/20",
            "10.1.32.0/24",
            "10.1.48.0/20"
        ])
    );
}

#[test]
fn string_functions() {
    assert_eq!(s(r#"format("%s-%03d", "web", 7)"#), "web-007");
    assert_eq!(s(r#"join(",", local.l)"#), "x,y,z");
    assert_eq!(s(r#"replace("a-b-c", "-", "_")"#), "a_b_c");
    assert_eq!(s(r##"replace("a1b22", "/[0-9]+/", "#")"##), "a#b#");
    assert_eq!(s(r#"upper(trimspace("  hi "))"#), "HI");
    assert_eq!(s(r#"title("hello world")"#), "Hello World");
    assert_eq!(s(r#"substr("hello", 1, 3)"#), "ell");
    assert_eq!(
        s(r#"trimsuffix(trimprefix("pre-x-suf", "pre-"), "-suf")"#),
        "x"
    );
    assert_eq!(s(r#"regex("^(\\w+)-", "app-1")[0]"#), "app");
    assert_eq!(s(r#"base64decode(base64encode("moat"))"#), "moat");
    assert_eq!(
        s(r#"sha256("")"#),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(s(r#"md5("a")"#), "0cc175b9c0f1b6a831c399e269772661");
    assert_eq!(
        s(r#"jsonencode({ b = [1, true], a = "x" })"#),
        r#"{"a":"x","b":[1,true]}"#
    );
    assert_eq!(s(r#"lookup(jsondecode("{\"k\":\"v\"}"), "k", "d")"#), "v");
    assert_eq!(s("\"%{ if true }yes%{ else }no%{ endif }\""), "yes");
    assert_eq!(s("\"%{ for x in local.l }${x};%{ endfor }\""), "x;y;z;");
    assert_eq!(s("<<-EOT\n    hello ${local.l[1]}\n    EOT"), "hello y\n");
    assert_eq!(s(r#""q\"b$${x}\n""#), "q\"b${x}\n");
    assert_eq!(s(r#""%{~ if true ~}  yes  %{~ endif ~}""#), "yes");
    assert_eq!(s(r#""%{ for x in local.l ~} ${x} %{~ endfor }""#), "xyz");
}

#[test]
fn collection_functions_and_expressions() {
    assert_eq!(j("length(local.l)"), serde_json::json!(3));
    assert_eq!(
        j("concat(local.l, [\"w\"])"),
        serde_json::json!(["x", "y", "z", "w"])
    );
    assert_eq!(
        j("merge(local.m, { c = 3 })"),
        serde_json::json!({"a": 1, "b": 2, "c": 3})
    );
    assert_eq!(j("keys(local.m)"), serde_json::json!(["a", "b"]));
    assert_eq!(
        j("[for o in local.objs : o.port if o.port > 100]"),
        serde_json::json!([443])
    );
    assert_eq!(
        j("{ for o in local.objs : o.name => o.port }"),
        serde_json::json!({"a": 22, "b": 443})
    );
    assert_eq!(
        j("{ for o in local.objs : \"all\" => o.name... }"),
        serde_json::json!({"all": ["a", "b"]})
    );
    assert_eq!(j("local.objs[*].name"), serde_json::json!(["a", "b"]));
    assert_eq!(j("local.objs.*.port"), serde_json::json!([22, 443]));
    assert_eq!(j("flatten([[1], [2, [3]]])"), serde_json::json!([1, 2, 3]));
    assert_eq!(j("distinct([1, 2, 1])"), serde_json::json!([1, 2]));
    assert_eq!(
        j("toset([\"b\", \"a\", \"b\"])"),
        serde_json::json!(["a", "b"])
    );
    assert_eq!(j("zipmap([\"a\"], [1])"), serde_json::json!({"a": 1}));
    assert_eq!(j("range(3)"), serde_json::json!([0, 1, 2]));
    assert_eq!(j("slice(local.l, 1, 3)"), serde_json::json!(["y", "z"]));
    assert_eq!(j("reverse(local.l)"), serde_json::json!(["z", "y", "x"]));
    assert_eq!(j("sort([\"b\", \"a\"])"), serde_json::json!(["a", "b"]));
    assert_eq!(j("element(local.l, 4)"), serde_json::json!("y"));
    assert_eq!(j("index(local.l, \"z\")"), serde_json::json!(2));
    assert_eq!(j("contains(local.l, \"q\")"), serde_json::json!(false));
    assert_eq!(j("coalesce(\"\", \"b\")"), serde_json::json!("b"));
    assert_eq!(j("compact([\"a\", \"\", null])"), serde_json::json!(["a"]));
    assert_eq!(j("one([5])"), serde_json::json!(5));
    assert_eq!(j("sum([1, 2, 3.5])"), serde_json::json!(6.5));
    assert_eq!(j("max(1, 7, 3) + min(4, 2)"), serde_json::json!(9));
    assert_eq!(
        j("setproduct([\"a\"], [1, 2])"),
        serde_json::json!([["a", 1], ["a", 2]])
    );
    assert_eq!(
        j("try(local.m.nope, \"fallback\")"),
        serde_json::json!("fallback")
    );
    assert_eq!(j("can(local.m.a)"), serde_json::json!(true));
    assert_eq!(j("can(local.m.nope)"), serde_json::json!(false));
    assert_eq!(j("1 + 2 * 3 == 7 && !false"), serde_json::json!(true));
    assert_eq!(j("10 % 4 - -1"), serde_json::json!(3));
    assert_eq!(
        j("local.m.a > 0 ? \"pos\" : \"neg\""),
        serde_json::json!("pos")
    );
    assert_eq!(j("tonumber(\"42\") + 1"), serde_json::json!(43));
    assert_eq!(j("startswith(\"moat\", \"mo\") && endswith(\"moat\", \"at\") && strcontains(\"moat\", \"oa\")"), serde_json::json!(true));
    assert_eq!(j("terraform.workspace"), serde_json::json!("default"));
    assert_eq!(j("path.module"), serde_json::json!("."));
}

#[test]
fn references_and_unknowns() {
    // a splat over counted resources keeps each instance's identity
    let n = eval("aws_subnet.s[*].id");
    let l = n.as_list().unwrap();
    assert_eq!(l.len(), 2);
    assert_eq!(l[1].computed_ref(), Some(("aws_subnet.s[1]", "id")));
    let n = eval("aws_subnet.s.*.vpc_id");
    assert_eq!(
        n.as_list().unwrap()[0].computed_ref(),
        Some(("aws_vpc.main", "id"))
    );
    // a configured attribute is its value
    assert_eq!(s("aws_vpc.main.cidr_block"), "10.0.0.0/16");
    // unknown propagation through functions and templates keeps the reference
    let n = eval("\"${aws_vpc.main.arn}/*\"");
    assert!(n.is_unknown());
    assert_eq!(n.unknown_reason().unwrap().refs(), vec!["aws_vpc.main"]);
    let n = eval("upper(aws_vpc.main.id)");
    assert_eq!(n.unknown_reason().unwrap().refs(), vec!["aws_vpc.main"]);
    // unknown condition: unknown, never a branch
    let n = eval("aws_vpc.main.id == \"x\" ? \"a\" : \"b\"");
    assert!(n.is_unknown());
    // known short circuit
    assert_eq!(
        j("false && aws_vpc.main.id == \"x\""),
        serde_json::json!(false)
    );
    // unsupported function: unknown and a note, not an error
    let e: Estate =
        parse_and_evaluate_str("main.tf", "resource \"t\" \"x\" {\n  v = nosuchfn(1)\n}\n");
    assert!(e.errors.is_empty());
    assert!(e.resources[0].get("v").unwrap().is_unknown());
    assert_eq!(e.notes.len(), 1);
    assert_eq!(e.notes[0].line, 2);
}

#[test]
fn data_sources_and_policy_documents() {
    let text = r#"
data "aws_caller_identity" "me" {}
data "aws_partition" "p" {}
data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "Assume"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["111122223333"]
    }
  }
  statement {
    effect      = "Deny"
    not_actions = ["s3:*", "iam:*"]
    resources   = ["arn:${data.aws_partition.p.partition}:s3:::b"]
  }
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.assume.json
  description        = data.aws_caller_identity.me.account_id
}
"#;
    let e = parse_and_evaluate_str("main.tf", text);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let r = e.get(e.by_address("aws_iam_role.r").unwrap()).unwrap();
    assert_eq!(
        r.get("description").unwrap().value,
        Value::Unknown(Unknown::DataSource {
            address: "data.aws_caller_identity.me".into()
        })
    );
    let doc: serde_json::Value =
        serde_json::from_str(r.str_attr("assume_role_policy").unwrap()).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Assume",
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": { "Service": "ec2.amazonaws.com" },
                    "Condition": { "StringEquals": { "aws:SourceAccount": "111122223333" } }
                },
                {
                    "Effect": "Deny",
                    "NotAction": ["iam:*", "s3:*"],
                    "Resource": "arn:aws:s3:::b"
                }
            ]
        })
    );
    // data sources are in the estate too
    assert!(e.by_address("data.aws_caller_identity.me").is_some());
}

#[test]
fn nested_dynamic_blocks_with_iterator() {
    let text = r#"
locals {
  rules = {
    web = { ports = [80, 443], cidrs = ["0.0.0.0/0"] }
    ssh = { ports = [22], cidrs = ["10.0.0.0/8"] }
  }
}
resource "aws_wafv2_thing" "x" {
  dynamic "rule" {
    for_each = local.rules
    iterator = r
    content {
      name = r.key
      dynamic "port" {
        for_each = r.value.ports
        content {
          number = port.value
          cidrs  = r.value.cidrs
        }
      }
    }
  }
}
"#;
    let e = parse_and_evaluate_str("main.tf", text);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let r = &e.resources[0];
    let rules = r.blocks("rule");
    assert_eq!(rules.len(), 2);
    // map iteration is in key order: ssh, web
    assert_eq!(rules[0].get("name").unwrap().as_str(), Some("ssh"));
    assert_eq!(rules[1].blocks("port").len(), 2);
    assert_eq!(
        rules[1].path("port.1.number").unwrap().as_f64(),
        Some(443.0)
    );
    assert_eq!(
        rules[0].path("port.0.cidrs.0").unwrap().as_str(),
        Some("10.0.0.0/8")
    );
    assert_eq!(rules[0].line(), Some(12));
}
