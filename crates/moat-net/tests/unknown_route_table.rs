//! A subnet whose route table association names a table that is not known offline (a variable
//! or parameter without value) is not read as using its VPC's main table: where its traffic
//! goes is unknown, so an instance with a public address in it is neither reachable nor
//! blocked from the internet, in both frontends. Traffic inside the VPC still follows the
//! local route.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use moat_model::aws::network::Protocol;
use moat_model::Estate;
use moat_net::{reach, Endpoint, PortSet, Query, Verdict};

const TERRAFORM: &str = r#"
variable "rt" {}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "web" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}

resource "aws_route_table_association" "web" {
  subnet_id      = aws_subnet.web.id
  route_table_id = var.rt
}

resource "aws_security_group" "web" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "web" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.web.id
  vpc_security_group_ids = [aws_security_group.web.id]
}
"#;

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  RouteTable:
    Type: String
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc
      InternetGatewayId: !Ref Igw
  Web:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      MapPublicIpOnLaunch: true
  WebRoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref Web
      RouteTableId: !Ref RouteTable
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
  Server:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      SubnetId: !Ref Web
      SecurityGroupIds: [!Ref WebSg]
"#;

fn verdict(e: &Estate, from: Endpoint, to: &str) -> Verdict {
    let to = Endpoint::Resource(e.by_address(to).unwrap_or_else(|| panic!("no {to}")));
    reach(
        &e.aws.network,
        e,
        &Query::new(from, to, Protocol::Tcp, PortSet::single(443)),
    )
    .unwrap()
    .verdict
}

#[test]
fn an_unknown_route_table_makes_internet_reachability_unknown() {
    let tf = moat_terraform::parse_and_evaluate_str("main.tf", TERRAFORM);
    let cfn = moat_cloudformation::parse_str("template.yaml", TEMPLATE);
    for (e, instance) in [(&tf, "aws_instance.web"), (&cfn, "Server")] {
        assert!(e.errors.is_empty(), "{:?}", e.errors);
        assert_eq!(
            verdict(e, Endpoint::Internet, instance),
            Verdict::Unknown,
            "{instance}"
        );
        // Inside the VPC, the local route decides.
        let inside = Endpoint::Cidr("10.0.2.0/24".parse().unwrap());
        assert_eq!(
            verdict(e, inside, instance),
            Verdict::Reachable,
            "{instance}"
        );
    }
}
