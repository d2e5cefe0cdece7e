//! The Terraform adapter of the edge family (load balancer attributes, listeners, API Gateway,
//! WAF associations) and the network settings that rules read (a subnet's public addressing,
//! how VPCs and subnets are declared, default security groups).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[allow(unused_imports)] // each family uses some of them
use super::{id, load, load_hcl};

use moat_model::aws::network::{Declared, LbKind, Ref};
use moat_model::aws::AttrValue;
use moat_model::{ResourceId, Unknown};

#[test]
fn edge_listeners_load_balancers_and_waf() {
    let e = load_hcl(
        r#"
variable "lb_type" {}

resource "aws_lb" "web" {
  name = "web"
}

resource "aws_lb" "net" {
  name               = "net"
  load_balancer_type = "network"
  internal           = true
}

resource "aws_lb" "var" {
  name               = "var"
  load_balancer_type = var.lb_type
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "tls" {
  load_balancer_arn = aws_lb.net.arn
  port              = 443
  protocol          = "TLS"
}

resource "aws_wafv2_web_acl_association" "web" {
  resource_arn = aws_lb.web.arn
  web_acl_arn  = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/w/1"
}

resource "aws_api_gateway_rest_api" "private" {
  name = "private"
  endpoint_configuration {
    types = ["PRIVATE"]
  }
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.private.id
  deployment_id = "d"
  stage_name    = "prod"
}
"#,
    );
    let edge = &e.aws.edge;
    let web = edge.load_balancer(id(&e, "aws_lb.web")).unwrap();
    assert_eq!(web.kind.value, AttrValue::Default(LbKind::Application));
    assert_eq!(web.internal.value, AttrValue::Default(false));
    assert_eq!(
        web.drop_invalid_header_fields.value,
        AttrValue::Default(false)
    );
    let net = edge.load_balancer(id(&e, "aws_lb.net")).unwrap();
    assert_eq!(net.kind.value, AttrValue::Known(LbKind::Network));
    assert_eq!(net.internal.value, AttrValue::Known(true));
    let var = edge.load_balancer(id(&e, "aws_lb.var")).unwrap();
    assert!(matches!(var.kind.value, AttrValue::Unknown(_)));

    let listener = |a: &str| edge.listeners.iter().find(|l| l.id == id(&e, a)).unwrap();
    let http = listener("aws_lb_listener.http");
    assert_eq!(http.load_balancer, Some(id(&e, "aws_lb.web")));
    // Not written on an application load balancer: HTTP.
    let proto = http.protocol.as_ref().unwrap();
    assert_eq!(proto.value, AttrValue::Default("HTTP".into()));
    assert_eq!(proto.path, "protocol");
    assert!(http.default_actions[0].redirects_to_https());
    let tls = listener("aws_lb_listener.tls");
    assert_eq!(
        tls.protocol.as_ref().unwrap().value,
        AttrValue::Known("TLS".into())
    );
    assert_eq!(
        tls.ssl_policy.describe(),
        "`ssl_policy` is not set (default `ELBSecurityPolicy-2016-08`)"
    );

    assert!(edge.waf_protects(id(&e, "aws_lb.web")));
    assert!(!edge.waf_protects(id(&e, "aws_lb.net")));
    assert!(edge.waf_unknown().is_none());

    let stage = &edge.api_stages[0];
    let api = id(&e, "aws_api_gateway_rest_api.private");
    assert_eq!(stage.rest_api, Some(Ref::Res(api)));
    assert!(stage.rest_api_by_reference);
    assert!(edge.rest_api(api).unwrap().private());
}

#[test]
fn subnets_vpcs_and_default_groups() {
    let e = load_hcl(
        r#"
variable "public" {}
variable "vpc" {}

resource "aws_vpc" "a" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "b" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_default_vpc" "default" {}

data "aws_vpc" "shared" {
  id = "vpc-0123"
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.a.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}

resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.a.id
  cidr_block = "10.0.2.0/24"
}

resource "aws_subnet" "var" {
  vpc_id                  = aws_vpc.b.id
  cidr_block              = "10.1.1.0/24"
  map_public_ip_on_launch = var.public
}

resource "aws_default_subnet" "az" {
  availability_zone = "eu-west-1a"
}

resource "aws_default_security_group" "a" {
  vpc_id = aws_vpc.a.id
}

resource "aws_default_security_group" "unknown" {
  vpc_id = var.vpc
}
"#,
    );
    let net = &e.aws.network;
    let subnet = |a: &str| net.subnet(id(&e, a)).unwrap();
    let public = &subnet("aws_subnet.public").map_public_ip_on_launch;
    assert_eq!(public.value, AttrValue::Known(true));
    assert_eq!(public.path, "map_public_ip_on_launch");
    assert_eq!(public.loc.line, 22);
    let private = subnet("aws_subnet.private");
    assert_eq!(
        private.map_public_ip_on_launch.value,
        AttrValue::Default(false)
    );
    assert_eq!(private.declared, Declared::Created);
    assert!(matches!(
        subnet("aws_subnet.var").map_public_ip_on_launch.value,
        AttrValue::Unknown(Unknown::Variable { .. })
    ));
    let az = subnet("aws_default_subnet.az");
    assert_eq!(az.declared, Declared::AdoptedDefault);
    assert_eq!(az.map_public_ip_on_launch.value, AttrValue::Default(true));

    let vpc = |a: &str| net.vpc(id(&e, a)).unwrap();
    assert_eq!(
        vpc("aws_default_vpc.default").declared,
        Declared::AdoptedDefault
    );
    assert_eq!(vpc("data.aws_vpc.shared").declared, Declared::LookedUp);

    // Only created VPCs count; `a` has its default group declared, `b` does not, and the
    // group whose VPC is unknown may be `b`'s.
    let (without, unknown) = net.vpcs_without_default_group();
    let without: Vec<ResourceId> = without.iter().map(|v| v.id).collect();
    assert_eq!(without, vec![id(&e, "aws_vpc.b")]);
    let (g, _) = unknown.unwrap();
    assert_eq!(g.id, id(&e, "aws_default_security_group.unknown"));
    assert!(matches!(g.vpc, Some(Ref::Unknown(_))));
}
