//! The CloudFormation adapters of the identity, serverless, logging, containers and edge
//! families, end to end: a YAML template in, the typed AWS state out, with CloudFormation's
//! defaults, property paths and template lines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use moat_model::aws::identity::{
    AttachmentKind, PolicyHolder, PolicyKind, PolicyOrigin, PrincipalKind,
};
use moat_model::aws::network::{LbKind, Ref};
use moat_model::aws::serverless::UrlAuth;
use moat_model::aws::{Attr, AttrValue};
use moat_model::Unknown;

mod common;
use common::{id, is_unknown, load};

/// (value state, line, path)
fn show<T: Clone>(a: &Attr<T>) -> (AttrValue<T>, u32, String) {
    (a.value.clone(), a.loc.line, a.path.to_string())
}

mod identity {
    use super::*;

    const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  PolicyArn:
    Type: String
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { AWS: "*" }
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/ReadOnlyAccess
        - !Ref PolicyArn
      Policies:
        - PolicyName: inline
          PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
  Alice:
    Type: AWS::IAM::User
    Properties:
      UserName: alice
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
      Policies:
        - PolicyName: own
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub "arn:aws:s3:::${AWS::AccountId}-data/*"
  Ops:
    Type: AWS::IAM::Group
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Users: [carol]
      Groups: [!Ref Ops]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:*
            Resource: "*"
  ToRoles:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: to-roles
      Roles: [!Ref AppRole]
      Users: [!Ref Alice]
      PolicyDocument:
        Fn::Sub: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:*:${AWS::AccountId}:q"}]}'
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root" }
            Action: kms:*
            Resource: "*"
"#;

    #[test]
    fn documents_holders_paths_and_origins() {
        let e = load(TEMPLATE);
        let docs: Vec<(String, PolicyHolder, PolicyKind, String, u32, PolicyOrigin)> = e
            .aws
            .identity
            .policies
            .iter()
            .map(|d| {
                (
                    e.get(d.id).unwrap().address.clone(),
                    d.holder,
                    d.kind,
                    d.path.to_string(),
                    d.loc.line,
                    d.origin,
                )
            })
            .collect();
        assert_eq!(
            docs,
            vec![
                (
                    "Alice".into(),
                    PolicyHolder::InlinePolicy(PrincipalKind::User),
                    PolicyKind::Identity,
                    "Policies.0.PolicyDocument".into(),
                    29,
                    PolicyOrigin::Inline
                ),
                (
                    "AppRole".into(),
                    PolicyHolder::RoleTrust,
                    PolicyKind::Trust,
                    "AssumeRolePolicyDocument".into(),
                    9,
                    PolicyOrigin::Inline
                ),
                (
                    "AppRole".into(),
                    PolicyHolder::RoleInlinePolicy,
                    PolicyKind::Identity,
                    "Policies.0.PolicyDocument".into(),
                    20,
                    PolicyOrigin::Inline
                ),
                (
                    "Key".into(),
                    PolicyHolder::KeyPolicy,
                    PolicyKind::Resource,
                    "KeyPolicy".into(),
                    59,
                    PolicyOrigin::Inline
                ),
                (
                    "Shared".into(),
                    PolicyHolder::ManagedPolicy,
                    PolicyKind::Identity,
                    "PolicyDocument".into(),
                    42,
                    PolicyOrigin::Inline
                ),
                (
                    "ToRoles".into(),
                    PolicyHolder::InlinePolicy(PrincipalKind::User),
                    PolicyKind::Identity,
                    "PolicyDocument".into(),
                    54,
                    PolicyOrigin::Inline
                ),
            ]
        );
        let p = &e.aws.identity.policies;
        // The trust policy lets anyone in.
        let trust = p[1].document.as_ref().unwrap();
        assert!(trust.statements[0].allows_anyone_unconditionally());
        assert_eq!(trust.statements[0].loc.as_ref().unwrap().line, 12);
        // A JSON string is parsed.
        let inline = p[2].document.as_ref().unwrap();
        assert_eq!(inline.statements[0].actions.values, vec!["*"]);
        // A resource with an unknown account ID is a template: never `*`, the statement is read.
        let own = p[0].document.as_ref().unwrap();
        assert_eq!(own.statements[0].actions.values, vec!["s3:GetObject"]);
        assert_eq!(
            own.statements[0].resources.values,
            vec!["arn:aws:s3:::${AWS::AccountId}-data/*"]
        );
        assert!(own.statements[0].resources.unknown.is_none());
        // A document written as one `Fn::Sub` JSON string whose only unknown is the account ID.
        let sub = p[5].document.as_ref().unwrap();
        assert_eq!(sub.statements[0].actions.values, vec!["sqs:*"]);
        // A principal embedding the account ID is an account, not `*`.
        let key = p[3].document.as_ref().unwrap();
        assert_eq!(
            key.statements[0].principals,
            vec![(
                "AWS".to_string(),
                "arn:aws:iam::${AWS::AccountId}:root".to_string()
            )]
        );
        assert!(key.statements[0].principal_unknown.is_none());
        // The user's own policy names the user; a policy listing users names `Users`.
        let alice = p[0].principal.as_ref().unwrap();
        assert_eq!(
            (alice.path.as_ref(), alice.text.as_str(), alice.loc.line),
            ("AWS::IAM::User", "Alice", 28)
        );
        assert_eq!(p[5].principal.as_ref().unwrap().path, "Users");
        assert_eq!(p[5].principal.as_ref().unwrap().line_of(), 53);
        // Names and kinds of principals.
        assert_eq!(e.aws.identity.users[0].name.as_deref(), Some("alice"));
        assert_eq!(e.aws.identity.roles.len(), 1);
        assert_eq!(e.aws.identity.groups.len(), 1);
        assert!(e.aws.identity.password_policies.is_empty());
    }

    trait LineOf {
        fn line_of(&self) -> u32;
    }
    impl LineOf for moat_model::aws::identity::Shown {
        fn line_of(&self) -> u32 {
            self.loc.line
        }
    }

    #[test]
    fn attachments_from_principals_and_managed_policies() {
        let e = load(TEMPLATE);
        let a: Vec<(String, AttachmentKind, Vec<PrincipalKind>, String)> = e
            .aws
            .identity
            .attachments
            .iter()
            .map(|a| {
                (
                    e.get(a.id).unwrap().address.clone(),
                    a.kind,
                    a.to.iter().map(|g| g.kind).collect(),
                    match &a.policy_arn.as_ref().unwrap().value {
                        AttrValue::Known(s) => s.clone(),
                        AttrValue::Unknown(u) => format!("unknown: {u}"),
                        _ => "other".into(),
                    },
                )
            })
            .collect();
        assert_eq!(
            a,
            vec![
                (
                    "Alice".into(),
                    AttachmentKind::To(PrincipalKind::User),
                    vec![PrincipalKind::User],
                    "arn:aws:iam::aws:policy/AdministratorAccess".into()
                ),
                (
                    "AppRole".into(),
                    AttachmentKind::RoleManagedPolicies,
                    vec![PrincipalKind::Role],
                    "arn:aws:iam::aws:policy/ReadOnlyAccess".into()
                ),
                (
                    "AppRole".into(),
                    AttachmentKind::RoleManagedPolicies,
                    vec![PrincipalKind::Role],
                    "unknown: parameter `PolicyArn` has no value (no `Default`, not given with `--parameter`)".into()
                ),
                (
                    "Shared".into(),
                    AttachmentKind::Shared,
                    vec![PrincipalKind::User, PrincipalKind::Group],
                    "unknown: `Shared` is known only once the stack is deployed".into()
                ),
            ]
        );
        let shared = &e.aws.identity.attachments[3];
        assert_eq!(shared.to[0].shown.path, "Users");
        assert_eq!(shared.to[0].shown.entries, Some(1));
        assert_eq!(shared.to[0].shown.loc.line, 40);
        let arn = e.aws.identity.attachments[0].policy_arn.as_ref().unwrap();
        assert_eq!((arn.loc.line, arn.path.as_ref()), (26, "ManagedPolicyArns"));
    }

    #[test]
    fn unknown_policies_are_unknown_documents() {
        let e = load(
            r#"Parameters:
  Doc:
    Type: String
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !Ref Doc
      Policies: !If
        - IsProd
        - [{ PolicyName: a, PolicyDocument: { Statement: [] } }]
        - !Ref AWS::NoValue
  P:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: !Ref R
      PolicyName: p
      PolicyDocument: !Ref Doc
  Q:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: !Sub "s3:${Env}"
            Resource: "*"
"#,
        );
        let p: Vec<(&str, &str, bool)> = e
            .aws
            .identity
            .policies
            .iter()
            .map(|d| {
                (
                    e.get(d.id).unwrap().address.as_str(),
                    d.path.as_ref(),
                    d.document.is_err(),
                )
            })
            .collect();
        assert_eq!(
            p,
            vec![
                ("P", "PolicyDocument", true),
                ("Q", "PolicyDocument", false),
                ("R", "AssumeRolePolicyDocument", true),
                ("R", "Policies", true),
            ]
        );
        // A parameter without value keeps the action unknown: it may be `s3:*`.
        let q = e.aws.identity.policies[1].document.as_ref().unwrap();
        assert!(q.statements[0].actions.unknown.is_some());
        assert!(q.statements[0].actions.values.is_empty());
        let docs = &e.aws.identity.policies;
        assert!(matches!(docs[2].document, Err(Unknown::Parameter { .. })));
        assert_eq!(docs[2].origin, PolicyOrigin::Other);
        assert_eq!(
            docs[0].holder,
            PolicyHolder::InlinePolicy(PrincipalKind::Role)
        );
        assert_eq!(docs[0].principal.as_ref().unwrap().path, "RoleName");
        assert_eq!(docs[3].loc.line, 13);
    }
}

mod serverless {
    use super::*;

    #[test]
    fn functions_urls_and_permissions() {
        let e = load(
            r#"Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: worker
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      Code: { ZipFile: "def handler(e, c): pass" }
      Environment:
        Variables:
          TOKEN: abc
  Encrypted:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      Code: { ZipFile: "def handler(e, c): pass" }
      KmsKeyArn: !GetAtt Key.Arn
      Environment:
        Variables:
          TOKEN: abc
  NoVars:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      Code: { ZipFile: "def handler(e, c): pass" }
      Environment:
        Variables: {}
  Key:
    Type: AWS::KMS::Key
  Url:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !GetAtt Fn.Arn
      AuthType: NONE
  Perm:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: worker
      Action: lambda:InvokeFunctionUrl
      Principal: "*"
      FunctionUrlAuthType: NONE
"#,
        );
        let s = &e.aws.serverless;
        let f = |n: &str| s.functions.iter().find(|f| f.id == id(&e, n)).unwrap();
        assert_eq!(f("Fn").environment.as_ref().unwrap().line, 10);
        assert_eq!(
            show(&f("Fn").kms_key),
            (AttrValue::Default(false), 2, "KmsKeyArn".into())
        );
        assert_eq!(
            show(&f("Encrypted").kms_key),
            (AttrValue::Known(true), 20, "KmsKeyArn".into())
        );
        assert!(f("NoVars").environment.is_none());
        let url = &s.urls[0];
        assert_eq!(url.function, Some(id(&e, "Fn")));
        assert_eq!(
            show(url.auth.as_ref().unwrap()),
            (AttrValue::Known(UrlAuth::None), 39, "AuthType".into())
        );
        let p = &s.permissions[0];
        assert_eq!(p.function, Some(id(&e, "Fn")));
        assert_eq!(
            p.principal.as_ref().unwrap().get().map(String::as_str),
            Some("*")
        );
        assert_eq!(p.url_auth.as_ref().unwrap().get(), Some(&UrlAuth::None));
    }
}

mod logging {
    use super::*;

    #[test]
    fn trails_groups_recorders_and_detectors() {
        let e = load(
            r#"Parameters:
  On:
    Type: String
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: "true"
      S3BucketName: logs
      KMSKeyId: !Ref Key
  NoLogging:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: logs
      IsMultiRegionTrail: true
      EnableLogFileValidation: !Ref On
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
  Key:
    Type: AWS::KMS::Key
  Group:
    Type: AWS::Logs::LogGroup
  Short:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 30
  Recorder:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      RoleARN: arn:aws:iam::123456789012:role/config
  Listed:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      RoleARN: arn:aws:iam::123456789012:role/config
      RecordingGroup:
        ResourceTypes: [AWS::EC2::Instance]
  Detector:
    Type: AWS::GuardDuty::Detector
    Properties:
      Enable: false
  Hub:
    Type: AWS::SecurityHub::Hub
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  VpcLog:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: !Ref Vpc
      ResourceType: VPC
      TrafficType: ALL
  SubnetLog:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: subnet-0abc
      ResourceType: Subnet
      TrafficType: REJECT
"#,
        );
        let l = &e.aws.logging;
        let t = |n: &str| l.trails.iter().find(|t| t.id == id(&e, n)).unwrap();
        assert_eq!(
            show(&t("Trail").logging),
            (AttrValue::Known(true), 8, "IsLogging".into())
        );
        assert_eq!(
            show(&t("Trail").multi_region),
            (AttrValue::Default(false), 5, "IsMultiRegionTrail".into())
        );
        assert_eq!(
            show(&t("Trail").kms_key),
            (AttrValue::Known(true), 10, "KMSKeyId".into())
        );
        assert_eq!(
            show(&t("Trail").cloudwatch_logs),
            (
                AttrValue::Default(false),
                5,
                "CloudWatchLogsLogGroupArn".into()
            )
        );
        // `IsLogging` is required: absent, it is unknown, never the API's default.
        assert!(is_unknown(&t("NoLogging").logging));
        assert!(is_unknown(&t("NoLogging").log_file_validation));
        assert_eq!(t("NoLogging").multi_region.value, AttrValue::Known(true));
        assert_eq!(t("NoLogging").cloudwatch_logs.value, AttrValue::Known(true));
        let g = |n: &str| l.log_groups.iter().find(|g| g.id == id(&e, n)).unwrap();
        assert_eq!(
            show(&g("Group").retention_days),
            (AttrValue::Default(0.0), 20, "RetentionInDays".into())
        );
        assert_eq!(
            show(&g("Short").retention_days),
            (AttrValue::Known(30.0), 25, "RetentionInDays".into())
        );
        let r = |n: &str| {
            l.config_recorders
                .iter()
                .find(|r| r.id == id(&e, n))
                .unwrap()
        };
        assert_eq!(r("Recorder").all_supported.value, AttrValue::Default(true));
        assert_eq!(
            show(&r("Listed").all_supported),
            (
                AttrValue::Default(false),
                34,
                "RecordingGroup.AllSupported".into()
            )
        );
        assert_eq!(
            r("Recorder").include_global_resource_types.value,
            AttrValue::Default(false)
        );
        assert_eq!(
            show(&l.guardduty_detectors[0].enabled),
            (AttrValue::Known(false), 39, "Enable".into())
        );
        assert_eq!(l.security_hub_accounts.len(), 1);
        let f = |n: &str| l.flow_logs.iter().find(|f| f.id == id(&e, n)).unwrap();
        assert_eq!(f("VpcLog").vpc, Some(Ref::Res(id(&e, "Vpc"))));
        assert_eq!(
            f("SubnetLog").subnet,
            Some(Ref::External("subnet-0abc".into()))
        );
        assert_eq!(f("SubnetLog").vpc, None);
        // The first trail that is not switched off (whether it logs is unknown).
        assert_eq!(l.baseline_anchor(), Some(id(&e, "NoLogging")));
    }
}

mod flow_logs {
    use super::*;

    #[test]
    fn an_unknown_resource_type_is_decided_by_the_reference_or_unknown() {
        let e = load(
            r#"Parameters:
  Kind:
    Type: String
  Target:
    Type: String
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  ToVpc:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: !Ref Vpc
      ResourceType: !Ref Kind
      TrafficType: ALL
  Anything:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: !Ref Target
      ResourceType: !Ref Kind
      TrafficType: ALL
  Gateway:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: tgw-0abc
      ResourceType: TransitGateway
      TrafficType: ALL
"#,
        );
        let f = |n: &str| {
            e.aws
                .logging
                .flow_logs
                .iter()
                .find(|f| f.id == id(&e, n))
                .unwrap()
        };
        assert_eq!(f("ToVpc").vpc, Some(Ref::Res(id(&e, "Vpc"))));
        assert_eq!(
            (f("ToVpc").subnet.clone(), f("ToVpc").eni.clone()),
            (None, None)
        );
        let any = f("Anything");
        for r in [&any.vpc, &any.subnet, &any.eni] {
            assert!(matches!(r, Some(Ref::Unknown(_))), "{r:?}");
        }
        let gw = f("Gateway");
        assert_eq!((&gw.vpc, &gw.subnet, &gw.eni), (&None, &None, &None));
    }
}

mod containers {
    use super::*;

    #[test]
    fn eks_and_ecr_defaults_and_written_values() {
        let e = load(
            r#"Resources:
  Open:
    Type: AWS::EKS::Cluster
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/eks
      ResourcesVpcConfig:
        SubnetIds: [subnet-1, subnet-2]
  Closed:
    Type: AWS::EKS::Cluster
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/eks
      ResourcesVpcConfig:
        SubnetIds: [subnet-1, subnet-2]
        EndpointPublicAccess: false
        EndpointPrivateAccess: true
        PublicAccessCidrs: [203.0.113.0/24]
      EncryptionConfig:
        - Provider: { KeyArn: arn:aws:kms:eu-west-1:123456789012:key/abc }
          Resources: [secrets]
      Logging:
        ClusterLogging:
          EnabledTypes:
            - Type: api
            - Type: audit
  Repo:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: app
  Locked:
    Type: AWS::ECR::Repository
    Properties:
      ImageTagMutability: IMMUTABLE
      ImageScanningConfiguration:
        ScanOnPush: true
"#,
        );
        let c = &e.aws.containers;
        let k = |n: &str| c.eks_clusters.iter().find(|k| k.id == id(&e, n)).unwrap();
        assert_eq!(
            show(&k("Open").endpoint_public_access),
            (
                AttrValue::Default(true),
                2,
                "ResourcesVpcConfig.EndpointPublicAccess".into()
            )
        );
        let cidrs = &k("Open").public_access_cidrs;
        assert!(cidrs.is_default() && cidrs.get().unwrap().contains("0.0.0.0/0"));
        assert_eq!(
            (cidrs.loc.line, cidrs.path.as_ref()),
            (6, "ResourcesVpcConfig.PublicAccessCidrs")
        );
        assert_eq!(k("Open").enabled_log_types.get().unwrap().items.len(), 0);
        assert!(k("Open").encrypted_resources.is_default());
        assert_eq!(
            k("Closed").endpoint_public_access.value,
            AttrValue::Known(false)
        );
        assert_eq!(
            k("Closed").public_access_cidrs.get().unwrap().items,
            vec!["203.0.113.0/24"]
        );
        assert_eq!(
            k("Closed").enabled_log_types.get().unwrap().items,
            vec!["api", "audit"]
        );
        assert_eq!(k("Closed").enabled_log_types.loc.line, 22);
        assert!(k("Closed")
            .encrypted_resources
            .get()
            .unwrap()
            .contains("secrets"));
        let r = |n: &str| {
            c.ecr_repositories
                .iter()
                .find(|r| r.id == id(&e, n))
                .unwrap()
        };
        assert_eq!(
            show(&r("Repo").image_tag_mutability),
            (
                AttrValue::Default("MUTABLE".into()),
                25,
                "ImageTagMutability".into()
            )
        );
        assert_eq!(
            show(&r("Repo").scan_on_push),
            (
                AttrValue::Default(false),
                25,
                "ImageScanningConfiguration.ScanOnPush".into()
            )
        );
        assert_eq!(
            r("Repo").name.as_ref().unwrap().get().map(String::as_str),
            Some("app")
        );
        assert_eq!(r("Locked").scan_on_push.value, AttrValue::Known(true));
        assert_eq!(
            r("Locked").image_tag_mutability.value,
            AttrValue::Known("IMMUTABLE".into())
        );
    }
}

mod edge {
    use super::*;

    #[test]
    fn load_balancers_listeners_stages_and_web_acls() {
        let e = load(
            r#"Resources:
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - Key: deletion_protection.enabled
          Value: "true"
        - Key: routing.http.drop_invalid_header_fields.enabled
          Value: "true"
  Internal:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internal
      Subnets: [subnet-1, subnet-2]
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: 80
      DefaultActions:
        - Type: redirect
          RedirectConfig: { Protocol: HTTPS, Port: "443", StatusCode: HTTP_301 }
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: "443"
      Protocol: HTTPS
      Certificates: [{ CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/x }]
      DefaultActions:
        - Type: forward
          TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/y
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api
  Private:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: private
      EndpointConfiguration: { Types: [PRIVATE] }
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: prod
      DeploymentId: !Ref Deploy
  Deploy:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Private
      StageName: v1
  AlbAcl:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Ref Alb
      WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y
  StageAcl:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod"
      WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y
"#,
        );
        let g = &e.aws.edge;
        let lb = g.load_balancer(id(&e, "Alb")).unwrap();
        assert_eq!(lb.kind.value, AttrValue::Default(LbKind::Application));
        assert_eq!(lb.internal.value, AttrValue::Default(false));
        assert_eq!(
            show(&lb.drop_invalid_header_fields),
            (
                AttrValue::Known(true),
                10,
                "LoadBalancerAttributes.routing.http.drop_invalid_header_fields.enabled".into()
            )
        );
        let internal = g.load_balancer(id(&e, "Internal")).unwrap();
        assert_eq!(
            show(&internal.internal),
            (AttrValue::Known(true), 14, "Scheme".into())
        );
        assert_eq!(
            internal.drop_invalid_header_fields.value,
            AttrValue::Default(false)
        );
        let l = |n: &str| g.listeners.iter().find(|l| l.id == id(&e, n)).unwrap();
        assert_eq!(
            show(l("Http").protocol.as_ref().unwrap()),
            (AttrValue::Default("HTTP".into()), 16, "Protocol".into())
        );
        assert!(l("Http").default_actions[0].redirects_to_https());
        assert_eq!(
            l("Https").port.as_ref().unwrap().value,
            AttrValue::Known(443)
        );
        assert_eq!(
            show(&l("Https").ssl_policy),
            (
                AttrValue::Default("ELBSecurityPolicy-2016-08".into()),
                24,
                "SslPolicy".into()
            )
        );
        assert_eq!(l("Https").load_balancer, Some(id(&e, "Alb")));
        // Stages: the stage, and the one the deployment creates.
        assert_eq!(g.api_stages.len(), 2);
        let prod = g
            .api_stages
            .iter()
            .find(|s| s.id == id(&e, "Prod"))
            .unwrap();
        assert_eq!(prod.rest_api, Some(Ref::Res(id(&e, "Api"))));
        assert!(prod.rest_api_by_reference);
        assert_eq!(prod.rest_api_loc.line, 46);
        assert!(!g.rest_api(id(&e, "Api")).unwrap().private());
        assert!(g.rest_api(id(&e, "Private")).unwrap().private());
        // Web ACLs: the ALB by `Ref`, the stage by its ARN template.
        assert!(g.waf_protects(id(&e, "Alb")));
        assert!(g.waf_protects(id(&e, "Prod")));
        assert!(!g.waf_protects(id(&e, "Deploy")));
        assert!(g.waf_unknown().is_none());
    }

    #[test]
    fn unknown_attributes_and_protected_resources_stay_unknown() {
        let e = load(
            r#"Parameters:
  Env:
    Type: String
  Target:
    Type: String
Conditions:
  Prod: !Equals [!Ref Env, prod]
Resources:
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes: !If
        - Prod
        - [{ Key: routing.http.drop_invalid_header_fields.enabled, Value: "true" }]
        - !Ref AWS::NoValue
  Other:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - Key: !Ref Target
          Value: "true"
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: live
  ByRef:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Stage}"
      WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y
  Chosen:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Ref Target
      WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y
"#,
        );
        let g = &e.aws.edge;
        let alb = g.load_balancer(id(&e, "Alb")).unwrap();
        assert!(is_unknown(&alb.drop_invalid_header_fields));
        assert_eq!(alb.drop_invalid_header_fields.loc.line, 13);
        // An attribute whose key is unknown may be the one: unknown, at that entry.
        let other = g.load_balancer(id(&e, "Other")).unwrap();
        assert!(is_unknown(&other.drop_invalid_header_fields));
        assert_eq!(other.drop_invalid_header_fields.loc.line, 22);
        // A `Ref` to the stage (its name) names it.
        assert!(g.waf_protects(id(&e, "Stage")));
        // A parameter without value may name anything.
        let (a, _) = g.waf_unknown().unwrap();
        assert_eq!(a.id, id(&e, "Chosen"));
    }
}
