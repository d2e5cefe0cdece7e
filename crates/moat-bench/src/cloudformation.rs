//! The same estate shape as the Terraform corpus, written as CloudFormation templates.
//!
//! [`generate`] writes one template per stack (`stacks/stack-NNNN/template.yaml`, every third
//! one as `template.json`) holding what the Terraform stack's ten files hold: a VPC with public
//! and private subnets per availability zone, a NAT gateway, route tables, flow logs, the chain
//! of security groups with inline and standalone rules, instances and volumes, a KMS key,
//! buckets, managed policies, and an RDS instance. A corpus of at least 16 files also gets two
//! shared nested-stack templates (`modules/bucket.yaml`, `modules/sg.yaml`) that every stack
//! uses, as the Terraform stacks use their local modules. Settings are drawn in the same order
//! from the same PRNG as the Terraform corpus, so a seed gives the same good and bad settings in
//! both formats. YAML templates use the short-form tags (`!Ref`, `!GetAtt`, `!Sub`...). Each
//! template also has what CloudFormation stacks usually add (an application load balancer,
//! bucket policies, a log group, a deployment role), configured per environment through an
//! `Env` parameter, `Mappings` (`Fn::FindInMap`) and an `IsProd` condition.

use std::path::Path;

use serde_json::{json, Map, Value};

use crate::{write, GenError, Rng, Stack, Stats, ENVS, MODULE_THRESHOLD};

/// Write a CloudFormation corpus of exactly `files` templates under `out`.
pub fn generate(files: usize, seed: u64, out: &Path) -> Result<Stats, GenError> {
    let mut stats = Stats::default();
    let with_modules = files >= MODULE_THRESHOLD;
    if with_modules {
        write(
            out,
            "modules/bucket.yaml",
            &yaml(&bucket_module()),
            &mut stats,
        )?;
        write(out, "modules/sg.yaml", &yaml(&sg_module()), &mut stats)?;
    }
    let mut stack = 0usize;
    while stats.files < files {
        let mut rng = Rng::new(seed ^ (stack as u64).wrapping_mul(0xA24B_AED4_963E_E407));
        let s = Stack::draw(stack, &mut rng);
        let t = template(&s, with_modules, &mut rng);
        let (name, text) = if stack % 3 == 2 {
            let mut text = serde_json::to_string_pretty(&t).unwrap_or_default();
            text.push('\n');
            ("template.json", text)
        } else {
            ("template.yaml", yaml(&t))
        };
        write(
            out,
            &format!("stacks/stack-{stack:04}/{name}"),
            &text,
            &mut stats,
        )?;
        stats.resource_blocks += t
            .get("Resources")
            .and_then(Value::as_object)
            .map_or(0, Map::len);
        stats.stacks += 1;
        stack += 1;
    }
    Ok(stats)
}

fn r(name: &str) -> Value {
    json!({ "Ref": name })
}

fn att(res: &str, attr: &str) -> Value {
    json!({ "Fn::GetAtt": [res, attr] })
}

fn sub(text: &str) -> Value {
    json!({ "Fn::Sub": text })
}

/// One stack's template: the Terraform stack's files in order, drawing from `rng` as they do.
fn template(s: &Stack, with_modules: bool, rng: &mut Rng) -> Value {
    let mut res = Map::new();
    let add = |res: &mut Map<String, Value>, id: String, v: Value| {
        res.insert(id, v);
    };
    let azs = s.azs;
    // network
    add(
        &mut res,
        "Vpc".into(),
        json!({"Type": "AWS::EC2::VPC", "Properties": {
        "CidrBlock": r("VpcCidr"), "EnableDnsSupport": true, "EnableDnsHostnames": true,
        "Tags": [{"Key": "Name", "Value": sub("${Name}-vpc")}]}}),
    );
    add(
        &mut res,
        "InternetGateway".into(),
        json!({"Type": "AWS::EC2::InternetGateway"}),
    );
    add(
        &mut res,
        "GatewayAttachment".into(),
        json!({"Type": "AWS::EC2::VPCGatewayAttachment",
        "Properties": {"VpcId": r("Vpc"), "InternetGatewayId": r("InternetGateway")}}),
    );
    for i in 0..azs {
        for (kind, offset) in [("Public", 0), ("Private", 10)] {
            add(
                &mut res,
                format!("{kind}Subnet{i}"),
                json!({"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": r("Vpc"),
                "AvailabilityZone": {"Fn::Select": [i, {"Fn::GetAZs": ""}]},
                "CidrBlock": {"Fn::Select": [offset + i, {"Fn::Cidr": [r("VpcCidr"), 16, 8]}]},
                "MapPublicIpOnLaunch": false,
                "Tags": [{"Key": "Name", "Value": sub(&format!("${{Name}}-{}-{i}", kind.to_lowercase()))}]}}),
            );
        }
    }
    add(
        &mut res,
        "NatEip".into(),
        json!({"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}}),
    );
    add(
        &mut res,
        "NatGateway".into(),
        json!({"Type": "AWS::EC2::NatGateway", "Properties": {
        "AllocationId": att("NatEip", "AllocationId"), "SubnetId": r("PublicSubnet0")}}),
    );
    for (kind, target, key) in [
        ("Public", "InternetGateway", "GatewayId"),
        ("Private", "NatGateway", "NatGatewayId"),
    ] {
        add(
            &mut res,
            format!("{kind}RouteTable"),
            json!({"Type": "AWS::EC2::RouteTable",
            "Properties": {"VpcId": r("Vpc")}}),
        );
        let mut route = json!({"Type": "AWS::EC2::Route", "Properties": {
            "RouteTableId": r(&format!("{kind}RouteTable")), "DestinationCidrBlock": "0.0.0.0/0"}});
        if let Some(p) = route.get_mut("Properties").and_then(Value::as_object_mut) {
            p.insert(key.into(), r(target));
        }
        add(&mut res, format!("{kind}DefaultRoute"), route);
        for i in 0..azs {
            add(
                &mut res,
                format!("{kind}Subnet{i}RouteTableAssociation"),
                json!({
                "Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
                    "SubnetId": r(&format!("{kind}Subnet{i}")),
                    "RouteTableId": r(&format!("{kind}RouteTable"))}}),
            );
        }
    }
    if s.flow_logs {
        add(
            &mut res,
            "FlowLog".into(),
            json!({"Type": "AWS::EC2::FlowLog", "Properties": {
            "ResourceId": r("Vpc"), "ResourceType": "VPC", "TrafficType": "ALL",
            "LogDestinationType": "s3", "LogDestination": sub("arn:${AWS::Partition}:s3:::${Name}-flow-logs")}}),
        );
    }
    // security
    add(
        &mut res,
        "Sg0".into(),
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupName": sub("${Name}-lb"), "GroupDescription": "Load balancer", "VpcId": r("Vpc"),
        "SecurityGroupIngress": [{"Description": "HTTPS", "IpProtocol": "tcp", "FromPort": 443,
            "ToPort": 443, "CidrIp": "0.0.0.0/0"}]}}),
    );
    for i in 1..s.sgs {
        let mut ingress = Vec::new();
        for k in 0..rng.range(1, 4) {
            let roll = rng.range(0, 99);
            let (port, src) = if roll < 8 {
                (22, r("AdminCidr"))
            } else if roll < 12 {
                (3389, json!("0.0.0.0/0"))
            } else if roll < 50 {
                (8080 + k, r("VpcCidr"))
            } else {
                (
                    *[443u64, 5432, 6379, 9000, 9200]
                        .get(rng.range(0, 4) as usize)
                        .unwrap_or(&443),
                    json!(format!("10.{}.{}.0/24", s.octet, rng.range(0, 40))),
                )
            };
            ingress.push(
                json!({"Description": format!("rule {k}"), "IpProtocol": "tcp",
                "FromPort": port, "ToPort": port, "CidrIp": src}),
            );
        }
        let mut props = json!({"GroupName": sub(&format!("${{Name}}-tier-{i}")),
            "GroupDescription": format!("Tier {i}"), "VpcId": r("Vpc"), "SecurityGroupIngress": ingress});
        if rng.chance(40) {
            if let Some(p) = props.as_object_mut() {
                p.insert(
                    "SecurityGroupEgress".into(),
                    json!([{"Description": "all",
                    "IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]),
                );
            }
        }
        add(
            &mut res,
            format!("Sg{i}"),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": props}),
        );
        let prev = i - 1;
        add(
            &mut res,
            format!("Sg{i}FromSg{prev}"),
            json!({"Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {"GroupId": att(&format!("Sg{i}"), "GroupId"), "IpProtocol": "tcp",
                "FromPort": r("AppPort"), "ToPort": r("AppPort"),
                "SourceSecurityGroupId": att(&format!("Sg{prev}"), "GroupId"),
                "Description": format!("app port from sg{prev}")}}),
        );
        add(
            &mut res,
            format!("Sg{prev}ToSg{i}"),
            json!({"Type": "AWS::EC2::SecurityGroupEgress",
            "Properties": {"GroupId": att(&format!("Sg{prev}"), "GroupId"), "IpProtocol": "tcp",
                "FromPort": r("AppPort"), "ToPort": r("AppPort"),
                "DestinationSecurityGroupId": att(&format!("Sg{i}"), "GroupId"),
                "Description": format!("app port to sg{i}")}}),
        );
        if rng.chance(30) {
            add(
                &mut res,
                format!("Sg{i}Wide"),
                json!({"Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {"GroupId": att(&format!("Sg{i}"), "GroupId"), "IpProtocol": "-1",
                    "CidrIp": "0.0.0.0/0", "Description": "temporary debugging"}}),
            );
        }
        if rng.chance(50) {
            for n in 1..=2 {
                let port = format!("1{i}00{n}").parse::<u64>().unwrap_or(10001);
                add(
                    &mut res,
                    format!("Sg{i}Port{port}"),
                    json!({"Type": "AWS::EC2::SecurityGroupIngress",
                    "Properties": {"GroupId": att(&format!("Sg{i}"), "GroupId"), "IpProtocol": "tcp",
                        "FromPort": port, "ToPort": port, "CidrIp": r("VpcCidr")}}),
                );
            }
        }
    }
    // compute
    let tokens = if s.imdsv2 { "required" } else { "optional" };
    for k in 0..s.instances {
        add(
            &mut res,
            format!("App{k}"),
            json!({"Type": "AWS::EC2::Instance", "Properties": {
            "ImageId": r("AmiId"), "InstanceType": r("InstanceType"),
            "SubnetId": r(&format!("PrivateSubnet{}", k % azs)),
            "SecurityGroupIds": [att("Sg1", "GroupId")], "Monitoring": true,
            "IamInstanceProfile": r("AppInstanceProfile"),
            "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": tokens},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
                "Ebs": {"Encrypted": s.ebs_encrypted, "VolumeSize": 20}}],
            "Tags": [{"Key": "Name", "Value": sub(&format!("${{Name}}-app-{k}"))}]}}),
        );
        add(
            &mut res,
            format!("Data{k}"),
            json!({"Type": "AWS::EC2::Volume", "Properties": {
            "AvailabilityZone": {"Fn::Select": [k % azs, {"Fn::GetAZs": ""}]},
            "Size": 100, "Encrypted": s.ebs_encrypted}}),
        );
    }
    add(
        &mut res,
        "Bastion".into(),
        json!({"Type": "AWS::EC2::Instance", "Properties": {
        "ImageId": r("AmiId"), "InstanceType": "t3.micro",
        "NetworkInterfaces": [{"DeviceIndex": "0", "SubnetId": r("PublicSubnet0"),
            "GroupSet": [att("Sg0", "GroupId")], "AssociatePublicIpAddress": s.bastion_public}]}}),
    );
    // storage
    add(
        &mut res,
        "DataKey".into(),
        json!({"Type": "AWS::KMS::Key", "Properties": {
        "Description": sub("${Name} data"), "EnableKeyRotation": true}}),
    );
    add(
        &mut res,
        "LogsBucket".into(),
        json!({"Type": "AWS::S3::Bucket", "Properties": {
        "BucketName": sub("${Name}-logs"),
        "VersioningConfiguration": {"Status": "Enabled"},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true,
            "IgnorePublicAcls": true, "RestrictPublicBuckets": true}}}),
    );
    for b in 0..s.buckets {
        let mut props = Map::new();
        props.insert("BucketName".into(), sub(&format!("${{Name}}-data-{b}")));
        if rng.chance(70) {
            props.insert(
                "VersioningConfiguration".into(),
                json!({"Status":
                {"Fn::If": ["VersioningOn", "Enabled", "Suspended"]}}),
            );
        }
        if rng.chance(75) {
            props.insert(
                "BucketEncryption".into(),
                json!({"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": att("DataKey", "Arn")}}]}),
            );
        }
        if rng.chance(80) {
            let bp = !rng.chance(20);
            props.insert(
                "PublicAccessBlockConfiguration".into(),
                json!({"BlockPublicAcls": true,
                "BlockPublicPolicy": bp, "IgnorePublicAcls": true, "RestrictPublicBuckets": bp}),
            );
        }
        if rng.chance(60) {
            props.insert(
                "LoggingConfiguration".into(),
                json!({"DestinationBucketName": r("LogsBucket"),
                "LogFilePrefix": format!("s3/b{b}/")}),
            );
        }
        add(
            &mut res,
            format!("Bucket{b}"),
            json!({"Type": "AWS::S3::Bucket", "Properties": props}),
        );
    }
    // iam
    add(
        &mut res,
        "AppRole".into(),
        json!({"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": sub("${Name}-app"),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}}}),
    );
    add(
        &mut res,
        "AppInstanceProfile".into(),
        json!({"Type": "AWS::IAM::InstanceProfile",
        "Properties": {"InstanceProfileName": sub("${Name}-app"), "Roles": [r("AppRole")]}}),
    );
    for p in 0..s.policies {
        let roll = rng.range(0, 99);
        let statements = if roll < 15 {
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
        } else if roll < 35 {
            json!([{"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]}])
        } else {
            json!([
                {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                 "Resource": [sub("${LogsBucket.Arn}/*")]},
                {"Sid": "Key", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                 "Resource": [att("DataKey", "Arn")]}])
        };
        add(
            &mut res,
            format!("Policy{p}"),
            json!({"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "ManagedPolicyName": sub(&format!("${{Name}}-p{p}")), "Roles": [r("AppRole")],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}),
        );
    }
    // database
    let private: Vec<Value> = (0..azs).map(|i| r(&format!("PrivateSubnet{i}"))).collect();
    add(
        &mut res,
        "DbSubnetGroup".into(),
        json!({"Type": "AWS::RDS::DBSubnetGroup", "Properties": {
        "DBSubnetGroupName": sub("${Name}-db"), "DBSubnetGroupDescription": "Database",
        "SubnetIds": private}}),
    );
    add(
        &mut res,
        "DbSecurityGroup".into(),
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupName": sub("${Name}-db"), "GroupDescription": "Database", "VpcId": r("Vpc"),
        "SecurityGroupIngress": [{"Description": "PostgreSQL from the app tier", "IpProtocol": "tcp",
            "FromPort": 5432, "ToPort": 5432, "SourceSecurityGroupId": att("Sg1", "GroupId")}]}}),
    );
    add(
        &mut res,
        "Database".into(),
        json!({"Type": "AWS::RDS::DBInstance",
        "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot", "Properties": {
        "DBInstanceIdentifier": sub("${Name}-pg"), "Engine": "postgres", "EngineVersion": "16.3",
        "DBInstanceClass": "db.t3.medium", "AllocatedStorage": "50", "MasterUsername": "app",
        "ManageMasterUserPassword": true, "DBSubnetGroupName": r("DbSubnetGroup"),
        "VPCSecurityGroups": [att("DbSecurityGroup", "GroupId")],
        "StorageEncrypted": r("DbEncrypted"), "BackupRetentionPeriod": s.db_backup_days,
        "PubliclyAccessible": s.db_public, "MultiAZ": true, "DeletionProtection": true}}),
    );
    // main: nested stacks where the Terraform stack calls modules
    if with_modules {
        for k in 0..rng.range(1, 3) {
            add(
                &mut res,
                format!("ExtraBucket{k}"),
                json!({"Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": "../../modules/bucket.yaml", "Parameters": {
                    "Name": sub(&format!("${{Name}}-extra{k}")), "Versioning": r("Versioning"),
                    "KmsKeyArn": att("DataKey", "Arn"), "LogBucket": r("LogsBucket")}}}),
            );
        }
        let count = rng.range(1, 2);
        let cidr = if rng.chance(20) {
            json!("0.0.0.0/0")
        } else {
            r("VpcCidr")
        };
        for c in 0..count {
            add(
                &mut res,
                format!("ServiceSg{c}"),
                json!({"Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": "../../modules/sg.yaml", "Parameters": {
                    "Name": sub(&format!("${{Name}}-svc-{c}")), "VpcId": r("Vpc"),
                    "IngressCidr": cidr.clone()}}}),
            );
        }
    }
    edge(s, &mut res);
    let env = s.name.split('-').nth(1).unwrap_or("dev");
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("Stack {}", s.name),
        "Parameters": {
            "Name": {"Type": "String", "Default": s.name},
            "VpcCidr": {"Type": "String", "Default": format!("10.{}.0.0/16", s.octet)},
            "AdminCidr": {"Type": "String", "Default": s.admin_cidr},
            "AmiId": {"Type": "AWS::EC2::Image::Id", "Default": format!("ami-0{:016x}", s.octet * 7919 + 17)},
            "InstanceType": {"Type": "String", "Default": "t3.small"},
            "Versioning": {"Type": "String", "Default": s.versioning_default.to_string(), "AllowedValues": ["true", "false"]},
            "DbEncrypted": {"Type": "String", "Default": s.db_encrypted.to_string(), "AllowedValues": ["true", "false"]},
            "AppPort": {"Type": "Number", "Default": 8080},
            "Env": {"Type": "String", "Default": env, "AllowedValues": ENVS}
        },
        "Mappings": {"EnvConfig": env_config()},
        "Conditions": {
            "VersioningOn": {"Fn::Equals": [r("Versioning"), "true"]},
            "IsProd": {"Fn::Equals": [r("Env"), "prod"]}
        },
        "Resources": res,
        "Outputs": {
            "VpcId": {"Value": r("Vpc")},
            "DbAddress": {"Value": att("Database", "Endpoint.Address")}
        }
    })
}

/// Settings per environment (`Mappings`), read with `Fn::FindInMap` on the `Env` parameter.
fn env_config() -> Value {
    json!({
        "prod": {"LogRetentionDays": 365, "Scheme": "internet-facing"},
        "staging": {"LogRetentionDays": 90, "Scheme": "internet-facing"},
        "dev": {"LogRetentionDays": 14, "Scheme": "internal"},
        "qa": {"LogRetentionDays": 30, "Scheme": "internal"}
    })
}

/// What the Terraform stacks do not have and CloudFormation stacks usually do: a load balancer
/// in front of the app tier, bucket policies, a log group and a deployment role configured per
/// environment through `Mappings` and `Conditions`. Drawn from the stack number, not from the
/// PRNG, so the settings shared with the Terraform corpus stay the same.
fn edge(s: &Stack, res: &mut Map<String, Value>) {
    let index: u64 = s
        .name
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let public: Vec<Value> = (0..s.azs).map(|i| r(&format!("PublicSubnet{i}"))).collect();
    let find = |key: &str| json!({"Fn::FindInMap": ["EnvConfig", r("Env"), key]});
    res.insert(
        "LoadBalancer".into(),
        json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
        "Name": sub("${Name}-alb"), "Type": "application", "Scheme": find("Scheme"),
        "Subnets": public, "SecurityGroups": [att("Sg0", "GroupId")],
        "LoadBalancerAttributes": [
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
            {"Key": "deletion_protection.enabled",
             "Value": {"Fn::If": ["IsProd", "true", "false"]}}]}}),
    );
    res.insert(
        "AppTargetGroup".into(),
        json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
        "Port": r("AppPort"), "Protocol": "HTTP", "VpcId": r("Vpc"), "TargetType": "instance",
        "HealthCheckPath": "/healthz"}}),
    );
    // Every fourth stack still serves plain HTTP.
    let listener = if index % 4 == 3 {
        json!({"Port": 80, "Protocol": "HTTP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": r("AppTargetGroup")}]})
    } else {
        json!({"Port": 443, "Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "Certificates": [{"CertificateArn":
                sub("arn:${AWS::Partition}:acm:${AWS::Region}:${AWS::AccountId}:certificate/${Name}")}],
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": r("AppTargetGroup")}]})
    };
    let mut listener = listener;
    if let Some(m) = listener.as_object_mut() {
        m.insert("LoadBalancerArn".into(), r("LoadBalancer"));
    }
    res.insert(
        "AppListener".into(),
        json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": listener}),
    );
    for b in 0..s.buckets {
        let bucket = format!("Bucket{b}");
        let mut statements = vec![json!({"Sid": "DenyInsecureTransport", "Effect": "Deny",
            "Principal": "*", "Action": "s3:*",
            "Resource": [att(&bucket, "Arn"), sub(&format!("${{{bucket}.Arn}}/*"))],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}})];
        // Every seventh stack publishes its first bucket.
        if b == 0 && index.is_multiple_of(7) {
            statements.push(
                json!({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
                "Action": "s3:GetObject", "Resource": sub(&format!("${{{bucket}.Arn}}/*"))}),
            );
        }
        res.insert(
            format!("{bucket}Policy"),
            json!({"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": r(&bucket),
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}),
        );
    }
    res.insert(
        "AppLogGroup".into(),
        json!({"Type": "AWS::Logs::LogGroup", "Properties": {
        "LogGroupName": sub("/app/${Name}"), "RetentionInDays": find("LogRetentionDays"),
        "KmsKeyId": {"Fn::If": ["IsProd", att("DataKey", "Arn"), r("AWS::NoValue")]}}}),
    );
    res.insert(
        "DeployRole".into(),
        json!({"Type": "AWS::IAM::Role", "Condition": "IsProd", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")}}]},
        "Policies": [{"PolicyName": "deploy", "PolicyDocument": {"Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                 "Resource": sub("${LogsBucket.Arn}/releases/*")},
                {"Effect": "Allow", "Action": "cloudformation:*", "Resource":
                 sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*")}]}}]}}),
    );
}

fn bucket_module() -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Name": {"Type": "String"}, "Versioning": {"Type": "String", "Default": "true"},
            "KmsKeyArn": {"Type": "String"}, "LogBucket": {"Type": "String"}},
        "Conditions": {"VersioningOn": {"Fn::Equals": [r("Versioning"), "true"]}},
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": r("Name"),
            "VersioningConfiguration": {"Status": {"Fn::If": ["VersioningOn", "Enabled", "Suspended"]}},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault":
                {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": r("KmsKeyArn")}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true,
                "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
            "LoggingConfiguration": {"DestinationBucketName": r("LogBucket"), "LogFilePrefix": sub("s3/${Name}/")}}}},
        "Outputs": {"Arn": {"Value": att("Bucket", "Arn")}}
    })
}

fn sg_module() -> Value {
    let rules: Vec<Value> = [443, 8443]
        .iter()
        .map(|p| json!({"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "CidrIp": r("IngressCidr")}))
        .collect();
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Name": {"Type": "String"}, "VpcId": {"Type": "AWS::EC2::VPC::Id"},
            "IngressCidr": {"Type": "String"}},
        "Resources": {"Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupName": r("Name"), "GroupDescription": sub("${Name} service"), "VpcId": r("VpcId"),
            "SecurityGroupIngress": rules,
            "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]}}},
        "Outputs": {"Id": {"Value": att("Group", "GroupId")}}
    })
}

/// Intrinsic functions written with their short-form tag.
const SHORT: &[(&str, &str)] = &[
    ("Ref", "!Ref"),
    ("Fn::GetAtt", "!GetAtt"),
    ("Fn::Sub", "!Sub"),
    ("Fn::Select", "!Select"),
    ("Fn::GetAZs", "!GetAZs"),
    ("Fn::Cidr", "!Cidr"),
    ("Fn::If", "!If"),
    ("Fn::Equals", "!Equals"),
    ("Fn::FindInMap", "!FindInMap"),
];

/// `{"Ref": x}` and friends: the tag and the argument.
fn intrinsic(v: &Value) -> Option<(&'static str, &Value)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let (k, arg) = m.iter().next()?;
    SHORT
        .iter()
        .find(|(long, _)| long == k)
        .map(|(_, tag)| (*tag, arg))
}

/// A YAML rendering of a template (block style, short-form tags for intrinsics).
fn yaml(v: &Value) -> String {
    let mut out = String::new();
    block(v, 0, &mut out);
    out
}

fn block(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if intrinsic(v).is_none() && !m.is_empty() => {
            for (k, val) in m {
                out.push_str(&pad);
                out.push_str(&scalar_str(k));
                out.push(':');
                entry(val, indent, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                let mut sub = String::new();
                match item {
                    Value::Object(m) if intrinsic(item).is_none() && !m.is_empty() => {
                        block(item, indent + 2, &mut sub);
                        out.push_str(&pad);
                        out.push_str("- ");
                        out.push_str(sub.get(indent + 2..).unwrap_or_default());
                    }
                    _ => {
                        out.push_str(&pad);
                        out.push_str("- ");
                        out.push_str(&flow(item));
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&flow(other));
            out.push('\n');
        }
    }
}

/// The rest of a `key:` line and what follows it.
fn entry(v: &Value, indent: usize, out: &mut String) {
    let nested = match v {
        Value::Object(m) => intrinsic(v).is_none() && !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    };
    if nested {
        out.push('\n');
        block(v, indent + 2, out);
    } else {
        out.push(' ');
        out.push_str(&flow(v));
        out.push('\n');
    }
}

/// A value on one line (flow style).
fn flow(v: &Value) -> String {
    if let Some((tag, arg)) = intrinsic(v) {
        if tag == "!GetAtt" {
            if let Some([Value::String(a), Value::String(b)]) = arg.as_array().map(Vec::as_slice) {
                return format!("!GetAtt {a}.{b}");
            }
        }
        return format!("{tag} {}", flow(arg));
    }
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", scalar_str(k), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A string, plain when that reads back as the same string, else single-quoted.
fn scalar_str(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:-".contains(c))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use std::sync::Arc;

    use moat_model::{Limits, Node};

    use super::*;

    /// A parsed node without locations, for comparing YAML with JSON.
    fn strip(n: &Node) -> moat_model::Value {
        use moat_model::Value as V;
        match &n.value {
            V::Map(m) => V::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), Node::new(strip(v), None)))
                    .collect(),
            ),
            V::List(l) => V::List(l.iter().map(|v| Node::new(strip(v), None)).collect()),
            v => v.clone(),
        }
    }

    #[test]
    fn yaml_and_json_renderings_parse_to_the_same_template() {
        let l = Limits::default();
        for stack in 0..12 {
            let mut rng = Rng::new(5 ^ (stack as u64).wrapping_mul(0xA24B_AED4_963E_E407));
            let s = Stack::draw(stack, &mut rng);
            let t = template(&s, stack % 2 == 0, &mut rng);
            let y = moat_cloudformation::parse(Arc::from("t.yaml"), &yaml(&t), &l)
                .unwrap_or_else(|e| panic!("{e:?}\n{}", yaml(&t)));
            let j = moat_cloudformation::parse(
                Arc::from("t.json"),
                &serde_json::to_string_pretty(&t).unwrap(),
                &l,
            )
            .unwrap();
            assert!(moat_cloudformation::is_template(&y));
            assert_eq!(strip(&y), strip(&j), "stack {stack}");
        }
        for m in [bucket_module(), sg_module()] {
            let y = moat_cloudformation::parse(Arc::from("m.yaml"), &yaml(&m), &l).unwrap();
            assert!(moat_cloudformation::is_template(&y));
        }
    }

    #[test]
    fn writes_the_requested_templates_deterministically() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let sa = generate(20, 3, a.path()).unwrap();
        let sb = generate(20, 3, b.path()).unwrap();
        assert_eq!(sa, sb);
        assert_eq!((sa.files, sa.stacks), (20, 18));
        assert!(sa.resource_blocks > 18 * 40, "{}", sa.resource_blocks);
        let read = |d: &Path, f: &str| std::fs::read_to_string(d.join(f)).unwrap();
        for f in [
            "modules/bucket.yaml",
            "stacks/stack-0000/template.yaml",
            "stacks/stack-0002/template.json",
        ] {
            assert_eq!(read(a.path(), f), read(b.path(), f), "{f}");
        }
        let y = read(a.path(), "stacks/stack-0000/template.yaml");
        assert!(y.contains("VpcId: !Ref Vpc"), "{y}");
        assert!(y.contains("!GetAtt Sg1.GroupId"), "{y}");
        assert!(
            y.contains("TemplateURL: '../../modules/bucket.yaml'"),
            "{y}"
        );
        let small = tempfile::tempdir().unwrap();
        assert_eq!(generate(3, 1, small.path()).unwrap().files, 3);
        assert!(!small.path().join("modules").exists());
    }
}
