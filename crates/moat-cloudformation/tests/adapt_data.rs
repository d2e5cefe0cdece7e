//! The CloudFormation adapters of the compute, database, storage, security and messaging
//! families, end to end: a YAML template in, the typed AWS state out, with CloudFormation's
//! defaults, property paths and template lines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use moat_model::aws::compute::{DeviceRole, Instance, InstanceKind};
use moat_model::aws::database::GroupTarget;
use moat_model::aws::storage::Bucket;
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Unknown};

mod common;
use common::{id, is_unknown, load};

/// (value state, line, path, resource that holds it)
fn show<T: Clone + std::fmt::Debug>(
    e: &Estate,
    a: &Attr<T>,
) -> (AttrValue<T>, u32, String, String) {
    (
        a.value.clone(),
        a.loc.line,
        a.path.to_string(),
        e.get(a.from).unwrap().address.clone(),
    )
}

fn known<T>(v: T) -> AttrValue<T> {
    AttrValue::Known(v)
}

fn default<T>(v: T) -> AttrValue<T> {
    AttrValue::Default(v)
}

fn instance<'e>(e: &'e Estate, logical: &str) -> &'e Instance {
    let id = id(e, logical);
    e.aws.compute.instances.iter().find(|i| i.id == id).unwrap()
}

fn bucket<'e>(e: &'e Estate, logical: &str) -> &'e Bucket {
    let id = id(e, logical);
    e.aws.storage.buckets.iter().find(|b| b.id == id).unwrap()
}

fn s(v: &str) -> String {
    v.to_string()
}

const COMPUTE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Tokens:
    Type: String
  Template:
    Type: String
Resources:
  Plain:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-123
  Required:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-123
      MetadataOptions:
        HttpTokens: required
      BlockDeviceMappings:
        - DeviceName: /dev/xvda
          Ebs:
            Encrypted: true
        - DeviceName: /dev/sdf
          Ebs:
            VolumeSize: 10
        - DeviceName: /dev/sdg
          Ebs:
            SnapshotId: snap-123
        - DeviceName: /dev/sdh
          VirtualName: ephemeral0
      NetworkInterfaces:
        - DeviceIndex: "0"
          AssociatePublicIpAddress: "true"
          SubnetId: subnet-123
  FromParameter:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-123
      MetadataOptions:
        HttpTokens: !Ref Tokens
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions:
          HttpTokens: required
          HttpEndpoint: enabled
        BlockDeviceMappings:
          - DeviceName: /dev/xvda
            Ebs:
              VolumeSize: 20
        NetworkInterfaces:
          - DeviceIndex: 0
            AssociatePublicIpAddress: false
  FromTemplate:
    Type: AWS::EC2::Instance
    Properties:
      LaunchTemplate:
        LaunchTemplateId: !Ref Lt
        Version: !GetAtt Lt.LatestVersionNumber
  FromUnknownTemplate:
    Type: AWS::EC2::Instance
    Properties:
      LaunchTemplate:
        LaunchTemplateId: !Ref Template
        Version: "1"
  Lc:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      ImageId: ami-123
      InstanceType: t3.micro
      AssociatePublicIpAddress: true
      MetadataOptions:
        HttpEndpoint: disabled
  Volume:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: eu-west-1a
      Size: 10
  EncryptedVolume:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: eu-west-1a
      Size: 10
      Encrypted: "true"
  SnapshotVolume:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: eu-west-1a
      SnapshotId: snap-123
"#;

#[test]
fn compute_instances_templates_and_volumes() {
    let e = load(COMPUTE);
    let c = &e.aws.compute;
    assert_eq!(c.instances.len(), 7);
    assert!(c.ebs_encryption_by_default.is_empty());

    // Nothing written: the EC2 API's defaults at the declaration.
    let plain = instance(&e, "Plain");
    assert_eq!(plain.kind, InstanceKind::Instance);
    assert_eq!(
        show(&e, &plain.metadata_http_tokens),
        (
            default(s("optional")),
            8,
            s("MetadataOptions.HttpTokens"),
            s("Plain")
        )
    );
    assert_eq!(
        show(&e, &plain.metadata_http_endpoint),
        (
            default(s("enabled")),
            8,
            s("MetadataOptions.HttpEndpoint"),
            s("Plain")
        )
    );
    assert!(plain.block_devices.is_empty());
    assert!(!plain.declares_root_device());
    assert!(plain.associate_public_ip_address.is_none());

    let req = instance(&e, "Required");
    assert_eq!(
        show(&e, &req.metadata_http_tokens),
        (
            known(s("required")),
            17,
            s("MetadataOptions.HttpTokens"),
            s("Required")
        )
    );
    // Root by device name; the instance-store mapping has no Ebs.
    let devs: Vec<_> = req
        .block_devices
        .iter()
        .map(|d| {
            (
                d.role,
                d.encrypted.value.clone(),
                d.encrypted.loc.line,
                d.from_snapshot,
            )
        })
        .collect();
    assert_eq!(
        devs,
        vec![
            (DeviceRole::Root, known(true), 21, false),
            (DeviceRole::Ebs, default(false), 23, false),
            (DeviceRole::Ebs, default(false), 26, true),
        ]
    );
    assert_eq!(
        req.block_devices[0].encrypted.path,
        "BlockDeviceMappings.Ebs.Encrypted"
    );
    assert_eq!(
        show(&e, req.associate_public_ip_address.as_ref().unwrap()),
        (
            known(true),
            32,
            s("NetworkInterfaces.AssociatePublicIpAddress"),
            s("Required")
        )
    );

    // A parameter without value: unknown, never the default.
    let p = instance(&e, "FromParameter");
    assert_eq!(
        p.metadata_http_tokens.value,
        AttrValue::Unknown(Unknown::Parameter { name: s("Tokens") })
    );
    assert_eq!(p.metadata_http_tokens.loc.line, 39);

    // A launch template: its own paths, mappings of unknown role.
    let lt = instance(&e, "Lt");
    assert_eq!(lt.kind, InstanceKind::LaunchTemplate);
    assert_eq!(
        show(&e, &lt.metadata_http_tokens),
        (
            known(s("required")),
            45,
            s("LaunchTemplateData.MetadataOptions.HttpTokens"),
            s("Lt")
        )
    );
    assert_eq!(lt.block_devices.len(), 1);
    assert_eq!(lt.block_devices[0].role, DeviceRole::Mapping);
    assert_eq!(
        show(&e, &lt.block_devices[0].encrypted),
        (
            default(false),
            49,
            s("LaunchTemplateData.BlockDeviceMappings.Ebs.Encrypted"),
            s("Lt")
        )
    );
    assert_eq!(
        lt.associate_public_ip_address.as_ref().unwrap().value,
        known(false)
    );

    // An instance launched from a template of the estate takes the template's settings.
    let ft = instance(&e, "FromTemplate");
    assert_eq!(
        show(&e, &ft.metadata_http_tokens),
        (
            known(s("required")),
            45,
            s("LaunchTemplateData.MetadataOptions.HttpTokens"),
            s("Lt")
        )
    );
    assert_eq!(ft.block_devices.len(), 1);
    assert_eq!(ft.block_devices[0].role, DeviceRole::Root);
    assert_eq!(
        show(&e, &ft.block_devices[0].encrypted).3,
        s("Lt"),
        "the device is declared in the launch template"
    );
    assert_eq!(
        ft.associate_public_ip_address.as_ref().unwrap().value,
        known(false)
    );

    // A template named by a parameter without value: unknown settings.
    let fu = instance(&e, "FromUnknownTemplate");
    assert!(is_unknown(&fu.metadata_http_tokens));
    assert_eq!(fu.metadata_http_tokens.loc.line, 64);
    assert!(is_unknown(&fu.metadata_http_endpoint));
    assert_eq!(fu.block_devices.len(), 1);
    assert!(is_unknown(&fu.block_devices[0].encrypted));
    assert!(is_unknown(fu.associate_public_ip_address.as_ref().unwrap()));

    let lc = instance(&e, "Lc");
    assert_eq!(lc.kind, InstanceKind::LaunchConfiguration);
    assert_eq!(
        show(&e, &lc.metadata_http_endpoint),
        (
            known(s("disabled")),
            73,
            s("MetadataOptions.HttpEndpoint"),
            s("Lc")
        )
    );
    assert_eq!(
        show(&e, lc.associate_public_ip_address.as_ref().unwrap()),
        (known(true), 71, s("AssociatePublicIpAddress"), s("Lc"))
    );

    let vol = |name: &str| {
        let id = id(&e, name);
        c.volumes.iter().find(|v| v.id == id).unwrap()
    };
    assert_eq!(
        show(&e, &vol("Volume").encrypted),
        (default(false), 74, s("Encrypted"), s("Volume"))
    );
    assert_eq!(vol("EncryptedVolume").encrypted.value, known(true));
    assert_eq!(vol("EncryptedVolume").encrypted.loc.line, 84);
    let snap = &vol("SnapshotVolume").encrypted;
    assert!(is_unknown(snap), "{snap:?}");
    assert_eq!(snap.loc.line, 89);
}

const DATABASE: &str = r#"Parameters:
  Public:
    Type: String
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  PrivateVpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.1.0.0/16
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc
      InternetGatewayId: !Ref Igw
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref PrivateVpc
      CidrBlock: 10.1.1.0/24
  PublicGroup:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: public
      SubnetIds: [!Ref SubnetA]
  PrivateGroup:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: private
      SubnetIds: [!Ref SubnetB]
  Params:
    Type: AWS::RDS::DBParameterGroup
    Properties:
      Family: postgres14
      Description: tls
      Parameters:
        rds.force_ssl: 1
  Plain:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
  InPublicVpc:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t3.micro
      DBSubnetGroupName: !Ref PublicGroup
      BackupRetentionPeriod: "0"
      StorageEncrypted: true
      DeletionProtection: "true"
      DBParameterGroupName: default.mysql8.0
  InPrivateVpc:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      EngineVersion: "14.7"
      DBInstanceClass: db.t3.micro
      DBSubnetGroupName: !Ref PrivateGroup
      DBParameterGroupName: !Ref Params
  Written:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceClass: db.t3.micro
      PubliclyAccessible: !Ref Public
      DBSnapshotIdentifier: snap-1
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceClass: db.t3.micro
      SourceDBInstanceIdentifier: !Ref InPrivateVpc
  Aurora:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-postgresql
      DBSubnetGroupName: !Ref PrivateGroup
  Serverless:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      EngineMode: serverless
      DeletionProtection: true
  AuroraMember:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: aurora-postgresql
      DBInstanceClass: db.r6g.large
      DBClusterIdentifier: !Ref Aurora
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: cache
      TransitEncryptionEnabled: true
      TransitEncryptionMode: preferred
  Valkey:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: cache
      Engine: valkey
"#;

#[test]
fn database_instances_clusters_groups_and_caches() {
    let e = load(DATABASE);
    let db = &e.aws.database;
    let inst = |name: &str| db.instance(id(&e, name)).unwrap();

    let plain = inst("Plain");
    assert_eq!(plain.engine.as_ref().unwrap().value, known(s("postgres")));
    assert!(plain.engine_version.is_none());
    // No subnet group: the default VPC decides, which the template does not describe.
    assert!(is_unknown(&plain.publicly_accessible));
    assert_eq!(plain.publicly_accessible.loc.line, 47);
    assert_eq!(
        show(&e, &plain.backup_retention_period),
        (default(1), 47, s("BackupRetentionPeriod"), s("Plain"))
    );
    assert_eq!(plain.deletion_protection.value, default(false));
    assert_eq!(
        show(&e, &plain.storage_encrypted),
        (default(false), 47, s("StorageEncrypted"), s("Plain"))
    );
    assert!(plain.parameter_group.is_none());

    // Subnets in a VPC with an internet gateway: public by default.
    let public = inst("InPublicVpc");
    assert_eq!(
        show(&e, &public.publicly_accessible),
        (default(true), 53, s("PubliclyAccessible"), s("InPublicVpc"))
    );
    assert_eq!(public.backup_retention_period.value, known(0));
    assert_eq!(public.backup_retention_period.loc.line, 59);
    assert_eq!(public.storage_encrypted.value, known(true));
    assert_eq!(public.deletion_protection.value, known(true));
    let g = public.parameter_group.as_ref().unwrap();
    assert!(matches!(&g.target, GroupTarget::AwsDefault(n) if n == "default.mysql8.0"));
    assert_eq!((g.loc.line, g.path), (62, "DBParameterGroupName"));

    let private = inst("InPrivateVpc");
    assert_eq!(private.publicly_accessible.value, default(false));
    assert_eq!(
        private.engine_version.as_ref().unwrap().value,
        known(s("14.7"))
    );
    let g = private.parameter_group.as_ref().unwrap();
    let pid = id(&e, "Params");
    assert!(matches!(g.target, GroupTarget::Managed { id, .. } if id == pid));
    let params = db.parameter_group(pid).unwrap();
    let force = params.parameter("rds.force_ssl").unwrap();
    assert_eq!((force.value.clone(), force.loc.line), (known(s("1")), 46));

    let written = inst("Written");
    assert_eq!(
        written.publicly_accessible.value,
        AttrValue::Unknown(Unknown::Parameter { name: s("Public") })
    );
    // Restored from a snapshot: its encryption is inherited.
    assert!(is_unknown(&written.storage_encrypted));
    assert_eq!(written.storage_encrypted.loc.line, 76);
    assert!(written.engine.is_none());

    let replica = inst("Replica");
    assert!(
        matches!(replica.replicate_source, Some(moat_model::aws::network::Ref::Res(r)) if r == id(&e, "InPrivateVpc"))
    );

    // Cluster members are not stand-alone instances.
    assert!(db.instance(id(&e, "AuroraMember")).is_none());
    let member = db
        .cluster_instances
        .iter()
        .find(|c| c.id == id(&e, "AuroraMember"))
        .unwrap();
    // The cluster's subnet group (a VPC without internet gateway) decides.
    assert_eq!(member.publicly_accessible.value, default(false));

    let cluster = |name: &str| {
        let i = id(&e, name);
        db.clusters.iter().find(|c| c.id == i).unwrap()
    };
    let aurora = cluster("Aurora");
    assert_eq!(aurora.engine_mode.value, default(s("provisioned")));
    assert_eq!(aurora.storage_encrypted.value, default(false));
    assert_eq!(aurora.deletion_protection.value, default(false));
    assert!(!aurora.is_replica);
    let sl = cluster("Serverless");
    assert_eq!(sl.storage_encrypted.value, default(true));
    assert_eq!(sl.deletion_protection.value, known(true));

    let cache = |name: &str| {
        let i = id(&e, name);
        db.cache_replication_groups
            .iter()
            .find(|c| c.id == i)
            .unwrap()
    };
    let c = cache("Cache");
    assert_eq!(c.engine.value, default(s("redis")));
    assert_eq!(
        show(&e, &c.at_rest_encryption_enabled),
        (default(false), 99, s("AtRestEncryptionEnabled"), s("Cache"))
    );
    assert_eq!(c.transit_encryption_enabled.value, known(true));
    assert_eq!(
        c.transit_encryption_mode.as_ref().unwrap().value,
        known(s("preferred"))
    );
    assert!(!c.in_global_datastore);
    assert_eq!(
        cache("Valkey").at_rest_encryption_enabled.value,
        default(true)
    );
}

const STORAGE: &str = r#"Parameters:
  Name:
    Type: String
  Target:
    Type: String
Resources:
  Plain:
    Type: AWS::S3::Bucket
  Configured:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: configured
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !Ref Key
      VersioningConfiguration:
        Status: Enabled
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: "true"
      LoggingConfiguration:
        DestinationBucketName: !Ref Logs
      AccessControl: PublicRead
      LifecycleConfiguration:
        Rules:
          - Id: old
            Status: Disabled
            ExpirationInDays: 30
          - Id: new
            Status: Enabled
            ExpirationInDays: 90
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
      VersioningConfiguration:
        Status: Suspended
      LifecycleConfiguration:
        Rules:
          - Status: Disabled
            ExpirationInDays: 30
  Named:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref Name
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Configured
      PolicyDocument:
        Version: "2012-10-17"
        Statement: []
  ByName:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: elsewhere
      PolicyDocument:
        Version: "2012-10-17"
        Statement: []
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement: []
"#;

#[test]
fn storage_buckets_merge_their_settings() {
    let e = load(STORAGE);
    const SSE: &str =
        "BucketEncryption.ServerSideEncryptionConfiguration.ServerSideEncryptionByDefault.SSEAlgorithm";

    let plain = bucket(&e, "Plain");
    assert_eq!(
        show(&e, &plain.encryption),
        (default(None), 7, s(SSE), s("Plain"))
    );
    assert_eq!(
        show(&e, &plain.versioning),
        (
            default(s("Disabled")),
            7,
            s("VersioningConfiguration.Status"),
            s("Plain")
        )
    );
    assert!(!plain.own_public_access_block);
    for f in plain.public_access_block.flags() {
        assert_eq!((f.value.clone(), f.loc.line), (default(false), 7));
    }
    assert_eq!(plain.logging.value, default(false));
    assert_eq!(
        show(&e, &plain.acl),
        (default(s("private")), 7, s("AccessControl"), s("Plain"))
    );
    assert_eq!(plain.lifecycle.value, default(false));
    assert!(plain.policies.is_empty());
    assert!(plain.grants.is_empty());
    // `ByName` names a bucket outside the template; this bucket's name is generated, not
    // unknown: no link.
    assert!(plain.policy_link_unknown.is_none());
    assert!(!plain.receives_access_logs);

    let c = bucket(&e, "Configured");
    assert_eq!(
        c.encryption.value,
        known(Some(moat_model::aws::storage::Sse {
            algorithm: s("aws:kms"),
            kms_key: true
        }))
    );
    assert_eq!(c.encryption.loc.line, 16);
    assert_eq!(c.versioning.value, known(s("Enabled")));
    assert!(c.own_public_access_block);
    let flags: Vec<_> = c
        .public_access_block
        .flags()
        .iter()
        .map(|f| (f.value.clone(), f.loc.line, f.path.to_string()))
        .collect();
    assert_eq!(
        flags,
        vec![
            (
                known(true),
                21,
                s("PublicAccessBlockConfiguration.BlockPublicAcls")
            ),
            (
                known(true),
                22,
                s("PublicAccessBlockConfiguration.BlockPublicPolicy")
            ),
            (
                known(true),
                23,
                s("PublicAccessBlockConfiguration.IgnorePublicAcls")
            ),
            // Left out of the configuration: off.
            (
                default(false),
                20,
                s("PublicAccessBlockConfiguration.RestrictPublicBuckets")
            ),
        ]
    );
    assert_eq!(
        (c.logging.value.clone(), c.logging.loc.line),
        (known(true), 24)
    );
    // CloudFormation's canned ACL name, as the S3 API spells it.
    assert_eq!(
        (c.acl.value.clone(), c.acl.loc.line),
        (known(s("public-read")), 26)
    );
    assert_eq!(
        (c.lifecycle.value.clone(), c.lifecycle.loc.line),
        (known(true), 33)
    );
    assert_eq!(c.policies, vec![id(&e, "Policy")]);
    assert!(c.policy_link_unknown.is_none());

    let logs = bucket(&e, "Logs");
    assert!(logs.receives_access_logs);
    assert_eq!(
        logs.encryption.value,
        known(Some(moat_model::aws::storage::Sse {
            algorithm: s("AES256"),
            kms_key: false
        }))
    );
    assert_eq!(logs.versioning.value, known(s("Suspended")));
    assert_eq!(logs.lifecycle.value, known(false));
    assert_eq!(logs.lifecycle.loc.line, 44);

    // Its name is unknown: the policy naming `elsewhere` may be its own.
    let named = bucket(&e, "Named");
    let link = named.policy_link_unknown.as_ref().unwrap();
    assert_eq!((link.from, link.loc.line), (id(&e, "ByName"), 62));
    assert!(e.aws.storage.log_target_unknown.is_none());
}

#[test]
fn storage_unknown_links_are_never_absent() {
    let e = load(
        r#"Parameters:
  Target:
    Type: String
  PolicyBucket:
    Type: String
Resources:
  A:
    Type: AWS::S3::Bucket
    Properties:
      LoggingConfiguration:
        DestinationBucketName: !Ref Target
  B:
    Type: AWS::S3::Bucket
  P:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref PolicyBucket
      PolicyDocument: {}
"#,
    );
    let l = e.aws.storage.log_target_unknown.as_ref().unwrap();
    assert_eq!((l.from, l.loc.line), (id(&e, "A"), 11));
    for b in ["A", "B"] {
        let link = bucket(&e, b).policy_link_unknown.as_ref().unwrap();
        assert_eq!(link.from, id(&e, "P"));
        assert_eq!(
            link.why,
            Unknown::Parameter {
                name: s("PolicyBucket")
            }
        );
    }
}

const SECURITY_MESSAGING: &str = r#"Parameters:
  SecretArn:
    Type: String
  KeyParam:
    Type: String
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: {}
  Rotated:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy: {}
  Signing:
    Type: AWS::KMS::Key
    Properties:
      KeySpec: RSA_2048
      KeyUsage: SIGN_VERIFY
      KeyPolicy: {}
  Secret:
    Type: AWS::SecretsManager::Secret
  ByName:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: app/db
  Unrotated:
    Type: AWS::SecretsManager::Secret
  Schedule:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: !Ref Secret
      RotationRules:
        AutomaticallyAfterDays: 30
  ScheduleByName:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: app/db
      RotationRules:
        AutomaticallyAfterDays: 30
  Topic:
    Type: AWS::SNS::Topic
  EncryptedTopic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: !Ref Key
  AwsManagedTopic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: alias/aws/sns
  ParamTopic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: !Ref KeyParam
  Queue:
    Type: AWS::SQS::Queue
  Unencrypted:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: false
  KmsQueue:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: !GetAtt Key.Arn
"#;

#[test]
fn security_keys_and_secrets() {
    let e = load(SECURITY_MESSAGING);
    let sec = &e.aws.security;
    let key = |name: &str| {
        let i = id(&e, name);
        sec.keys.iter().find(|k| k.id == i).unwrap()
    };
    assert_eq!(
        show(&e, &key("Key").rotation),
        (default(false), 7, s("EnableKeyRotation"), s("Key"))
    );
    assert_eq!(key("Key").key_spec.value, default(s("SYMMETRIC_DEFAULT")));
    assert_eq!(key("Rotated").rotation.value, known(true));
    assert_eq!(
        (
            key("Signing").key_spec.value.clone(),
            key("Signing").key_spec.loc.line
        ),
        (known(s("RSA_2048")), 19)
    );

    let secret = |name: &str| {
        let i = id(&e, name);
        sec.secrets.iter().find(|x| x.id == i).unwrap()
    };
    assert_eq!(secret("Secret").rotated_by, vec![id(&e, "Schedule")]);
    assert_eq!(secret("ByName").rotated_by, vec![id(&e, "ScheduleByName")]);
    assert!(secret("Unrotated").rotated_by.is_empty());
    assert_eq!(secret("Unrotated").inline_rotation.value, default(false));
    assert!(sec.rotation_target_unknown.is_none());
}

#[test]
fn a_rotation_schedule_of_an_unknown_secret_may_rotate_any() {
    let e = load(
        r#"Parameters:
  SecretArn:
    Type: String
Resources:
  Secret:
    Type: AWS::SecretsManager::Secret
  Schedule:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: !Ref SecretArn
"#,
    );
    let u = e.aws.security.rotation_target_unknown.as_ref().unwrap();
    assert_eq!((u.from, u.loc.line), (id(&e, "Schedule"), 10));
    assert_eq!(
        u.why,
        Unknown::Parameter {
            name: s("SecretArn")
        }
    );
}

#[test]
fn messaging_topics_and_queues() {
    let e = load(SECURITY_MESSAGING);
    let m = &e.aws.messaging;
    let topic = |name: &str| {
        let i = id(&e, name);
        &m.topics.iter().find(|t| t.id == i).unwrap().kms_key
    };
    assert_eq!(
        show(&e, topic("Topic")),
        (default(false), 42, s("KmsMasterKeyId"), s("Topic"))
    );
    // A reference to a key of the template, or the AWS managed key, is a key.
    assert_eq!(topic("EncryptedTopic").value, known(true));
    assert_eq!(topic("EncryptedTopic").loc.line, 47);
    assert_eq!(topic("AwsManagedTopic").value, known(true));
    assert_eq!(
        topic("ParamTopic").value,
        AttrValue::Unknown(Unknown::Parameter {
            name: s("KeyParam")
        })
    );

    let queue = |name: &str| {
        let i = id(&e, name);
        m.queues.iter().find(|q| q.id == i).unwrap()
    };
    // SSE-SQS unless told otherwise.
    assert_eq!(
        show(&e, &queue("Queue").managed_sse),
        (default(true), 56, s("SqsManagedSseEnabled"), s("Queue"))
    );
    assert_eq!(queue("Queue").kms_key.value, default(false));
    assert_eq!(queue("Unencrypted").managed_sse.value, known(false));
    assert_eq!(queue("Unencrypted").managed_sse.loc.line, 61);
    assert_eq!(queue("KmsQueue").kms_key.value, known(true));
}
