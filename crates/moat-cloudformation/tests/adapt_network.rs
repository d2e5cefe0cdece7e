//! The CloudFormation network adapter, end to end: a YAML template in, the typed network state
//! out, with the defaults CloudFormation applies (default egress, main route table, default
//! NACL, public IPs), template lines and unknowns.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use moat_model::aws::network::*;
use moat_model::{Estate, Tri, Unknown};

mod common;
use common::{id, load};

fn sg<'e>(e: &'e Estate, logical: &str) -> &'e SecurityGroup {
    e.aws.network.security_group(id(e, logical)).unwrap()
}

fn net(s: &str) -> ipnet::IpNet {
    s.parse().unwrap()
}

/// (direction, protocol, ports, cidrs, line, implicit)
type Shown = (
    Direction,
    Option<Protocol>,
    Option<PortRange>,
    Vec<String>,
    u32,
    bool,
);

fn rules(g: &SecurityGroup) -> Vec<Shown> {
    g.rules
        .iter()
        .map(|r| {
            let mut c: Vec<String> = r.ipv4.iter().map(|n| n.to_string()).collect();
            c.extend(r.ipv6.iter().map(|n| n.to_string()));
            (r.direction, r.protocol, r.ports, c, r.loc.line, r.implicit)
        })
        .collect()
}

const VPC: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  AdminCidr:
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
  Public:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      MapPublicIpOnLaunch: "true"
      AvailabilityZone: eu-west-1a
  Private:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.2.0/24
  PublicRoutes:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  DefaultRoute:
    Type: AWS::EC2::Route
    DependsOn: Attach
    Properties:
      RouteTableId: !Ref PublicRoutes
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Igw
  PublicAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      RouteTableId: !Ref PublicRoutes
      SubnetId: !Ref Public
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
        - IpProtocol: "6"
          FromPort: "22"
          ToPort: "22"
          CidrIp: !Ref AdminCidr
  Locked:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: locked
      VpcId: !Ref Vpc
      SecurityGroupEgress:
        - IpProtocol: "-1"
          CidrIp: 10.0.0.0/16
  Split:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: split
      VpcId: !Ref Vpc
  SplitIn:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Split.GroupId
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
      SourceSecurityGroupId: !Ref Web
  SplitOut:
    Type: AWS::EC2::SecurityGroupEgress
    Properties:
      GroupId: !Ref Split
      IpProtocol: udp
      FromPort: 53
      ToPort: 53
      CidrIpv6: "::/0"
  Server:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      SubnetId: !Ref Public
      SecurityGroupIds: [!Ref Web]
  Backend:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      SubnetId: !Ref Private
      PrivateIpAddress: 10.0.2.10
  Bastion:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      NetworkInterfaces:
        - DeviceIndex: "0"
          SubnetId: !Ref Private
          AssociatePublicIpAddress: true
          GroupSet: [!GetAtt Vpc.DefaultSecurityGroup]
  BackendIp:
    Type: AWS::EC2::EIP
    Properties:
      InstanceId: !Ref Backend
"#;

#[test]
fn default_egress_is_kept_without_egress_rules_and_removed_by_any() {
    let e = load(VPC);
    // No egress written: AWS's allow-all IPv4 and IPv6 rules, at the group's line.
    let web = sg(&e, "Web");
    let r = rules(web);
    assert_eq!(r.len(), 4, "{r:?}");
    assert_eq!(
        r[0],
        (
            Direction::Ingress,
            Some(Protocol::Tcp),
            Some(PortRange::new(443, 443)),
            vec!["0.0.0.0/0".into()],
            r[0].4,
            false
        )
    );
    // Protocol "6" and string ports; the CIDR is a parameter without value: unknown.
    assert_eq!(web.rules[1].protocol, Some(Protocol::Tcp));
    assert_eq!(web.rules[1].ports, Some(PortRange::new(22, 22)));
    assert!(web.rules[1].addresses_unknown);
    assert!(matches!(
        web.rules[1].unknown.as_slice(),
        [Unknown::Parameter { name }] if name == "AdminCidr"
    ));
    let web_line = web.loc.line;
    assert_eq!(
        r[2..],
        [
            (
                Direction::Egress,
                Some(Protocol::All),
                Some(PortRange::ALL),
                vec!["0.0.0.0/0".to_string()],
                web_line,
                true
            ),
            (
                Direction::Egress,
                Some(Protocol::All),
                Some(PortRange::ALL),
                vec!["::/0".to_string()],
                web_line,
                true
            )
        ]
    );
    // Inline egress given: no default rule.
    let locked = rules(sg(&e, "Locked"));
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0].3, vec!["10.0.0.0/16".to_string()]);
    assert!(!locked[0].5);
    // A separate egress resource removes it too; the separate ingress names its peer group.
    let split = sg(&e, "Split");
    assert_eq!(split.rules.len(), 2, "{:?}", rules(split));
    assert!(split.rules.iter().all(|r| !r.implicit));
    let inr = split.ingress().next().unwrap();
    assert_eq!(inr.groups, vec![Ref::Res(id(&e, "Web"))]);
    assert_eq!(inr.declared_by, id(&e, "SplitIn"));
    assert_eq!(inr.ports, Some(PortRange::new(5432, 5432)));
    let out = split.egress().next().unwrap();
    assert_eq!((out.protocol, out.ipv6.len()), (Some(Protocol::Udp), 1));
    assert_eq!(out.declared_by, id(&e, "SplitOut"));
    assert_eq!(split.vpc, Some(Ref::Res(id(&e, "Vpc"))));
}

#[test]
fn routes_gateways_and_the_main_table() {
    let e = load(VPC);
    let n = &e.aws.network;
    let public = id(&e, "Public");
    let private = id(&e, "Private");
    let t = n.route_table_of(public).unwrap();
    assert_eq!(t.address, "PublicRoutes");
    assert_eq!(t.routes.len(), 1);
    assert_eq!(t.routes[0].dest, Some(net("0.0.0.0/0")));
    assert_eq!(
        t.routes[0].target,
        RouteTarget::Igw(Ref::Res(id(&e, "Igw")))
    );
    assert_eq!(t.routes[0].declared_by, id(&e, "DefaultRoute"));
    // The subnet without association uses the main table, which holds only local routes.
    assert!(n.route_table_of(private).is_none());
    // The gateway is in the VPC through its attachment.
    assert_eq!(n.igws.len(), 1);
    assert_eq!(n.igws[0].vpc, Some(Ref::Res(id(&e, "Vpc"))));
    assert_eq!(n.vpcs[0].cidrs, vec![net("10.0.0.0/16")]);
    let s = n.subnet(public).unwrap();
    assert_eq!(s.map_public_ip, Tri::True);
    assert_eq!(s.az.as_deref(), Some("eu-west-1a"));
    assert_eq!(n.subnet(private).unwrap().map_public_ip, Tri::False);
    assert_eq!(
        n.subnet(private).unwrap().map_public_ip_on_launch.value,
        moat_model::aws::AttrValue::Default(false)
    );
    // No NACL association: the default ACL (allow all).
    assert!(n.nacl_of(public).is_none());
}

#[test]
fn instance_interfaces_groups_and_public_addresses() {
    let e = load(VPC);
    let n = &e.aws.network;
    let server: Vec<&Eni> = n.enis_of(id(&e, "Server")).collect();
    assert_eq!(server.len(), 1);
    assert_eq!(server[0].groups, vec![Ref::Res(id(&e, "Web"))]);
    assert_eq!(server[0].public_ip, Tri::True, "subnet maps public IPs");
    let backend: Vec<&Eni> = n.enis_of(id(&e, "Backend")).collect();
    // No group: the VPC's default group, whose rules the template does not manage: unknown.
    match backend[0].groups.as_slice() {
        [Ref::Unknown(u)] => assert!(u.to_string().contains("names no security group"), "{u}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(backend[0].private_ip, Some("10.0.2.10".parse().unwrap()));
    assert_eq!(backend[0].public_ip, Tri::True, "the EIP");
    assert_eq!(
        backend[0].public_ip_loc.as_ref().unwrap().line,
        e.get(id(&e, "BackendIp")).unwrap().loc.line
    );
    let bastion: Vec<&Eni> = n.enis_of(id(&e, "Bastion")).collect();
    assert_eq!(bastion[0].subnet, Some(Ref::Res(id(&e, "Private"))));
    assert_eq!(bastion[0].public_ip, Tri::True);
    assert!(matches!(bastion[0].groups.as_slice(), [Ref::Unknown(_)]));
}

#[test]
fn nacl_entries_with_numeric_protocols_and_associations() {
    let e = load(
        r#"Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.1.0.0/16
  Sub:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.1.0.0/24
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties:
      VpcId: !Ref Vpc
  InSsh:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 200
      Protocol: 6
      RuleAction: deny
      CidrBlock: 0.0.0.0/0
      PortRange:
        From: 22
        To: 22
  InAll:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: -1
      RuleAction: allow
      CidrBlock: 10.0.0.0/8
  OutEphemeral:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: "17"
      RuleAction: allow
      Egress: true
      Ipv6CidrBlock: "::/0"
      PortRange:
        From: "1024"
        To: "65535"
  Assoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties:
      SubnetId: !Ref Sub
      NetworkAclId: !Ref Acl
"#,
    );
    let n = &e.aws.network;
    let acl = n.nacl_of(id(&e, "Sub")).unwrap();
    assert_eq!(acl.address, "Acl");
    let ins: Vec<(i64, Action, Option<Protocol>, Option<PortRange>)> = acl
        .ingress
        .iter()
        .map(|r| (r.number, r.action, r.protocol, r.ports))
        .collect();
    assert_eq!(
        ins,
        vec![
            (
                100,
                Action::Allow,
                Some(Protocol::All),
                Some(PortRange::ALL)
            ),
            (
                200,
                Action::Deny,
                Some(Protocol::Tcp),
                Some(PortRange::new(22, 22))
            ),
        ]
    );
    assert_eq!(acl.egress.len(), 1);
    assert_eq!(acl.egress[0].protocol, Some(Protocol::Udp));
    assert_eq!(acl.egress[0].ports, Some(PortRange::new(1024, 65535)));
    assert_eq!(acl.egress[0].cidr, Some(net("::/0")));
    assert!(acl.ingress.iter().all(|r| r.unknown.is_empty()));
    assert_eq!(
        acl.subnets[0].1.line,
        e.get(id(&e, "Assoc")).unwrap().loc.line
    );
}

#[test]
fn load_balancer_listeners_rules_and_target_groups() {
    let e = load(
        r#"Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.2.0.0/16
  A:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.2.0.0/24}
  B:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.2.1.0/24}
  LbSg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: lb, VpcId: !Ref Vpc}
  App:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-12345678, SubnetId: !Ref A}
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [!Ref A, !Ref B]
      SecurityGroups: [!Ref LbSg]
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Scheme: internal
      SubnetMappings:
        - SubnetId: !Ref A
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 8080
      Protocol: HTTP
      VpcId: !Ref Vpc
      Targets:
        - Id: !Ref App
        - Id: 10.2.0.9
          Port: 9090
  Tg2:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 80
      Protocol: TCP
      TargetType: ip
      HealthCheckPort: "8081"
      VpcId: !Ref Vpc
      TargetGroupAttributes:
        - Key: preserve_client_ip.enabled
          Value: "true"
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: 443
      Protocol: HTTPS
      DefaultActions:
        - Type: forward
          ForwardConfig:
            TargetGroups:
              - TargetGroupArn: !Ref Tg
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: "80"
      Protocol: HTTP
      DefaultActions:
        - Type: redirect
          RedirectConfig: {Protocol: HTTPS, Port: "443", StatusCode: HTTP_301}
  Rule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Http
      Priority: 1
      Conditions: [{Field: path-pattern, Values: [/api/*]}]
      Actions:
        - Type: forward
          TargetGroupArn: !Ref Tg2
"#,
    );
    let n = &e.aws.network;
    let alb = n
        .load_balancers
        .iter()
        .find(|l| l.address == "Alb")
        .unwrap();
    assert_eq!(
        (alb.kind, alb.internal.clone()),
        (LbKind::Application, Tri::False)
    );
    assert_eq!(alb.subnets.len(), 2);
    assert_eq!(alb.groups, vec![Ref::Res(id(&e, "LbSg"))]);
    let nlb = n
        .load_balancers
        .iter()
        .find(|l| l.address == "Nlb")
        .unwrap();
    assert_eq!(
        (nlb.kind, nlb.internal.clone()),
        (LbKind::Network, Tri::True)
    );
    assert_eq!(nlb.subnets, vec![Ref::Res(id(&e, "A"))]);
    // One interface per subnet; the internet-facing one is public.
    let alb_enis: Vec<&Eni> = n.enis_of(alb.id).collect();
    assert_eq!(alb_enis.len(), 2);
    assert!(alb_enis.iter().all(|x| x.public_ip == Tri::True));
    assert_eq!(n.enis_of(nlb.id).next().unwrap().public_ip, Tri::False);
    let https = n.listeners.iter().find(|l| l.address == "Https").unwrap();
    assert_eq!(https.port, Some(443));
    assert_eq!(https.lb, Some(Ref::Res(alb.id)));
    assert_eq!(
        https
            .target_groups
            .iter()
            .map(|t| t.0.clone())
            .collect::<Vec<_>>(),
        vec![Ref::Res(id(&e, "Tg"))]
    );
    let http = n.listeners.iter().find(|l| l.address == "Http").unwrap();
    assert_eq!(http.port, Some(80));
    // The redirect forwards nowhere; the listener rule forwards to Tg2.
    assert_eq!(
        http.target_groups
            .iter()
            .map(|t| t.0.clone())
            .collect::<Vec<_>>(),
        vec![Ref::Res(id(&e, "Tg2"))]
    );
    let tg = n.target_groups.iter().find(|t| t.address == "Tg").unwrap();
    assert_eq!((tg.port, tg.target_type.as_str()), (Some(8080), "instance"));
    assert_eq!(tg.health_port, HealthPort::TrafficPort);
    assert_eq!(tg.preserve_client_ip, Tri::True);
    let tg2 = n.target_groups.iter().find(|t| t.address == "Tg2").unwrap();
    assert_eq!(tg2.health_port, HealthPort::Port(8081));
    assert_eq!(tg2.preserve_client_ip, Tri::True);
    let targets: Vec<(TargetRef, Option<u16>)> = n
        .targets
        .iter()
        .map(|t| (t.target.clone(), t.port))
        .collect();
    assert_eq!(
        targets,
        vec![
            (TargetRef::Resource(id(&e, "App")), None),
            (TargetRef::Ip("10.2.0.9".parse().unwrap()), Some(9090)),
        ]
    );
}

#[test]
fn databases_are_placed_in_their_subnet_group_and_public_by_default_with_an_igw() {
    let e = load(
        r#"Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.3.0.0/16}
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Other:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.4.0.0/16}
  A:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.3.0.0/24}
  B:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.3.1.0/24}
  C:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Other, CidrBlock: 10.4.0.0/24}
  DbSg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: db, VpcId: !Ref Vpc}
  Group:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: db
      SubnetIds: [!Ref A, !Ref B]
  Isolated:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: isolated
      DBSubnetGroupName: isolated
      SubnetIds: [!Ref C]
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      DBSubnetGroupName: !Ref Group
      VPCSecurityGroups: [!GetAtt DbSg.GroupId]
  Quiet:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      DBSubnetGroupName: isolated
  Explicit:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      DBSubnetGroupName: !Ref Group
      PubliclyAccessible: false
"#,
    );
    let n = &e.aws.network;
    let db = id(&e, "Db");
    let enis: Vec<&Eni> = n.enis_of(db).collect();
    assert_eq!(enis.len(), 2);
    assert!(enis.iter().all(|x| x.kind == EniKind::Database));
    assert_eq!(enis[0].groups, vec![Ref::Res(id(&e, "DbSg"))]);
    assert_eq!(enis[0].public_ip, Tri::True, "VPC with an internet gateway");
    let placed = n.placements.get(&db).unwrap().line;
    assert_eq!(placed, e.get(db).unwrap().loc.line + 5);
    // A literal group name matches DBSubnetGroupName; that VPC has no gateway.
    let quiet: Vec<&Eni> = n.enis_of(id(&e, "Quiet")).collect();
    assert_eq!(quiet[0].subnet, Some(Ref::Res(id(&e, "C"))));
    assert_eq!(quiet[0].public_ip, Tri::False);
    assert!(quiet[0].groups.is_empty());
    let explicit: Vec<&Eni> = n.enis_of(id(&e, "Explicit")).collect();
    assert_eq!(explicit[0].public_ip, Tri::False);
}

#[test]
fn unknown_rule_lists_and_ipv6_blocks() {
    let e = load(
        r#"Parameters:
  Rules:
    Type: String
Conditions:
  Open: !Equals [!Ref Rules, "open"]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.5.0.0/16}
  V6:
    Type: AWS::EC2::VPCCidrBlock
    Properties:
      VpcId: !Ref Vpc
      AmazonProvidedIpv6CidrBlock: true
  Sub:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.5.0.0/24
      Ipv6CidrBlock: !Select [0, !Cidr [!Select [0, !GetAtt Vpc.Ipv6CidrBlocks], 4, 64]]
      AssignIpv6AddressOnCreation: true
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      VpcId: !Ref Vpc
      SecurityGroupEgress: !If
        - Open
        - [{IpProtocol: "-1", CidrIp: 0.0.0.0/0}]
        - !Ref AWS::NoValue
  Host:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-12345678, SubnetId: !Ref Sub, SecurityGroupIds: [!Ref G]}
"#,
    );
    let n = &e.aws.network;
    let g = sg(&e, "G");
    // The egress list is not known: one unknown rule, no implicit one.
    assert_eq!(g.rules.len(), 1, "{:?}", rules(g));
    assert!(!g.rules[0].unknown.is_empty() && !g.rules[0].implicit);
    let v = &n.vpcs[0];
    assert_eq!(v.cidrs.len(), 2);
    let IpNet::V6(block) = v.cidrs[1] else {
        panic!("{:?}", v.cidrs)
    };
    assert!(vpc_ipv6_stand_in().contains(&block));
    let s = n.subnet(id(&e, "Sub")).unwrap();
    let sub6 = s.ipv6_cidr.unwrap();
    assert!(block.contains(&sub6));
    let host = n.enis_of(id(&e, "Host")).next().unwrap();
    assert_eq!(host.ipv6, vec![sub6]);
}

use ipnet::IpNet;

#[test]
fn autoscaling_attached_interfaces_prefix_lists_caches_and_endpoints() {
    let e = load(
        r#"Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.6.0.0/16}
  A:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.6.0.0/24, MapPublicIpOnLaunch: true}
  B:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.6.1.0/24}
  Office:
    Type: AWS::EC2::PrefixList
    Properties:
      PrefixListName: office
      AddressFamily: IPv4
      MaxEntries: 2
      Entries:
        - Cidr: 198.51.100.0/24
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: sg
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          SourcePrefixListId: !Ref Office
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          SourcePrefixListId: pl-63a5400a
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-12345678
        NetworkInterfaces:
          - DeviceIndex: 0
            AssociatePublicIpAddress: false
            Groups: [!Ref Sg]
  Asg:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "1"
      MaxSize: "2"
      VPCZoneIdentifier: [!Ref A, !Ref B]
      LaunchTemplate:
        LaunchTemplateId: !Ref Lt
        Version: !GetAtt Lt.LatestVersionNumber
  Nic:
    Type: AWS::EC2::NetworkInterface
    Properties:
      SubnetId: !Ref B
      GroupSet: [!Ref Sg]
      PrivateIpAddress: 10.6.1.20
  Loose:
    Type: AWS::EC2::NetworkInterface
    Properties:
      SubnetId: !Ref B
  Host:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      NetworkInterfaces:
        - DeviceIndex: "0"
          NetworkInterfaceId: !Ref Nic
  CacheSubnets:
    Type: AWS::ElastiCache::SubnetGroup
    Properties:
      Description: cache
      SubnetIds: [!Ref B]
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: cache
      Engine: redis
      CacheNodeType: cache.t3.micro
      CacheSubnetGroupName: !Ref CacheSubnets
      SecurityGroupIds: [!Ref Sg]
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: com.amazonaws.eu-west-1.ssm
      VpcEndpointType: Interface
      SubnetIds: [!Ref A]
      SecurityGroupIds: [!Ref Sg]
"#,
    );
    let n = &e.aws.network;
    let sgid = Ref::Res(id(&e, "Sg"));
    // Prefix lists: the template's entries become peers; an AWS-managed one is unknown.
    let g = sg(&e, "Sg");
    assert_eq!(g.rules[0].ipv4, vec!["198.51.100.0/24".parse().unwrap()]);
    assert!(g.rules[0].prefix_list_unknown.is_empty());
    assert!(!g.rules[0].addresses_unknown);
    assert!(g.rules[1].ipv4.is_empty());
    assert_eq!(g.rules[1].prefix_list_unknown.len(), 1);
    assert!(g.rules[1].addresses_unknown);
    // One member per subnet, the template's groups, no public IP despite subnet A's default.
    let members: Vec<&Eni> = n.enis_of(id(&e, "Asg")).collect();
    assert_eq!(members.len(), 2);
    assert!(members
        .iter()
        .all(|m| m.kind == EniKind::AsgMember && m.groups == vec![sgid.clone()]));
    assert!(members.iter().all(|m| m.public_ip == Tri::False));
    // The attached interface is the instance's; the loose one stays an interface.
    let host: Vec<&Eni> = n.enis_of(id(&e, "Host")).collect();
    assert_eq!(host.len(), 1);
    assert_eq!(host[0].subnet, Some(Ref::Res(id(&e, "B"))));
    assert_eq!(host[0].groups, vec![sgid.clone()]);
    assert_eq!(host[0].private_ip, Some("10.6.1.20".parse().unwrap()));
    assert_eq!(host[0].public_ip, Tri::False);
    assert_eq!(n.enis_of(id(&e, "Nic")).count(), 0);
    assert_eq!(
        n.enis_of(id(&e, "Loose")).next().unwrap().kind,
        EniKind::Interface
    );
    // The cache is placed by its subnet group property.
    let cache = id(&e, "Cache");
    let c: Vec<&Eni> = n.enis_of(cache).collect();
    assert_eq!((c.len(), c[0].kind), (1, EniKind::Cache));
    assert_eq!(c[0].groups, vec![sgid.clone()]);
    assert_eq!(
        n.placements.get(&cache).unwrap().line,
        e.get(cache).unwrap().loc.line + 6
    );
    let ep: Vec<&Eni> = n.enis_of(id(&e, "Endpoint")).collect();
    assert_eq!((ep.len(), ep[0].kind), (1, EniKind::Endpoint));
}
