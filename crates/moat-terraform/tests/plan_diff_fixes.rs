//! Regression tests for what the terraform-plan oracle (`plan_diff.rs`) found; expected values
//! are what `terraform plan` computed for the realistic fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use moat_model::{Estate, Node, Value};
use moat_terraform::parse_and_evaluate_str;

fn estate(text: &str) -> Estate {
    let e = parse_and_evaluate_str("main.tf", text);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    e
}

fn attr<'a>(e: &'a Estate, addr: &str, path: &str) -> &'a Node {
    let id = e.by_address(addr).unwrap_or_else(|| panic!("no {addr}"));
    e.get(id)
        .unwrap()
        .path(path)
        .unwrap_or_else(|| panic!("no {path}"))
}

#[test]
fn optional_object_attributes_get_their_defaults() {
    let e = estate(
        r#"
variable "subnets" {
  type = map(object({
    netnum  = number
    public  = optional(bool, false)
    newbits = optional(number, 8)
    health  = optional(object({
      path     = optional(string, "/health")
      interval = optional(number, 30)
    }), {})
    note    = optional(string)
  }))
  default = {
    a = { netnum = 1, public = true }
    b = { netnum = 2, newbits = 9, health = { path = "/" } }
  }
}
resource "aws_subnet" "s" {
  for_each                = var.subnets
  cidr_block              = cidrsubnet("10.0.0.0/16", each.value.newbits, each.value.netnum)
  map_public_ip_on_launch = each.value.public
  tags = {
    Path     = each.value.health.path
    Interval = each.value.health.interval
    Note     = each.value.note == null ? "none" : each.value.note
  }
}
"#,
    );
    let a = r#"aws_subnet.s["a"]"#;
    let b = r#"aws_subnet.s["b"]"#;
    assert_eq!(attr(&e, a, "cidr_block").as_str(), Some("10.0.1.0/24"));
    assert_eq!(attr(&e, b, "cidr_block").as_str(), Some("10.0.1.0/25"));
    assert_eq!(attr(&e, a, "map_public_ip_on_launch").as_bool(), Some(true));
    assert_eq!(
        attr(&e, b, "map_public_ip_on_launch").as_bool(),
        Some(false)
    );
    assert_eq!(attr(&e, a, "tags.Path").as_str(), Some("/health"));
    assert_eq!(attr(&e, b, "tags.Path").as_str(), Some("/"));
    assert_eq!(attr(&e, b, "tags.Interval").as_f64(), Some(30.0));
    assert_eq!(attr(&e, a, "tags.Note").as_str(), Some("none"));
}

#[test]
fn chunklist_and_matchkeys() {
    let e = estate(
        r#"
resource "test" "t" {
  chunks  = chunklist([3000, 8080, 8443], 2)
  matched = matchkeys(["i-1", "i-2", "i-3"], ["a", "b", "a"], ["a"])
}
"#,
    );
    assert_eq!(
        attr(&e, "test.t", "chunks").value.to_json(),
        serde_json::json!([[3000, 8080], [8443]])
    );
    assert_eq!(
        attr(&e, "test.t", "matched").value.to_json(),
        serde_json::json!(["i-1", "i-3"])
    );
}

#[test]
fn aws_region_data_source_answers_the_provider_region() {
    let e = estate(
        r#"
variable "region" {
  default = "cn-north-1"
}
provider "aws" {
  region = var.region
}
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}
data "aws_region" "current" {}
data "aws_partition" "current" {}
resource "aws_s3_bucket" "b" {
  bucket = "logs-${data.aws_region.current.name}"
  tags = {
    Arn = "arn:${data.aws_partition.current.partition}:s3:::logs"
  }
}
"#,
    );
    assert_eq!(
        attr(&e, "aws_s3_bucket.b", "bucket").as_str(),
        Some("logs-cn-north-1")
    );
    assert_eq!(
        attr(&e, "aws_s3_bucket.b", "tags.Arn").as_str(),
        Some("arn:aws-cn:s3:::logs")
    );
}

#[test]
fn slice_of_an_unknown_list_has_a_known_length() {
    let e = estate(
        r#"
data "aws_availability_zones" "available" {}
resource "aws_subnet" "s" {
  count             = length(slice(data.aws_availability_zones.available.names, 0, 2))
  availability_zone = slice(data.aws_availability_zones.available.names, 0, 2)[count.index]
}
"#,
    );
    let addrs: Vec<&str> = e
        .resources
        .iter()
        .filter(|r| r.rtype == "aws_subnet")
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(addrs, vec!["aws_subnet.s[0]", "aws_subnet.s[1]"]);
    // The zone itself stays unknown (a data source).
    assert!(matches!(
        attr(&e, "aws_subnet.s[0]", "availability_zone").value,
        Value::Unknown(_)
    ));
}

#[test]
fn templatestring_renders_with_its_variables() {
    let e = estate(
        r#"
locals {
  t = "v$${v}:%%{ for c in cs }[$${c}]%%{ endfor }"
}
resource "test" "t" {
  s = templatestring(local.t, { v = "1.2", cs = ["a", "b"] })
}
"#,
    );
    assert_eq!(attr(&e, "test.t", "s").as_str(), Some("v1.2:[a][b]"));
}

#[test]
fn null_for_a_non_nullable_module_variable_means_its_default() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("m")).unwrap();
    std::fs::write(
        d.path().join("m/main.tf"),
        "variable \"desired\" {\n  default  = 2\n  nullable = false\n}\nvariable \"keep\" {\n  default = 14\n}\nresource \"aws_ecs_service\" \"s\" {\n  name          = var.keep == null ? \"null\" : \"set\"\n  desired_count = var.desired\n}\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("main.tf"),
        "module \"m\" {\n  source  = \"./m\"\n  desired = null\n  keep    = null\n}\n",
    )
    .unwrap();
    let es = moat_terraform::load(d.path(), &moat_terraform::Options::default());
    assert_eq!(es.len(), 1);
    let e = &es[0];
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let a = "module.m.aws_ecs_service.s";
    assert_eq!(attr(e, a, "desired_count").as_f64(), Some(2.0));
    // A nullable variable (the default) given null is null, not its default.
    assert_eq!(attr(e, a, "name").as_str(), Some("null"));
}
