//! [`Terms`]: the frontend's words for what a finding names but the typed state cannot point at.
//!
//! A setting that is present carries its own path ([`crate::aws::Attr::path`]). Some messages
//! must instead name something *absent* ("declares no GuardDuty detector") or an attribute of
//! an element that the typed state keeps only as a reference (the VPC of a flow log). Those
//! words belong to the frontend, so its adapter fills them here and rules print them instead of
//! hard-coding one language's vocabulary.
//!
//! [`Terms::default`] gives neutral AWS names: the CloudFormation resource type or property
//! where one exists (the names that the CloudFormation registry and the Cloud Control API
//! share), otherwise the EC2 or S3 API name of the setting. An adapter that forgets a term
//! therefore still prints a correct AWS name, never another frontend's. The Terraform adapter
//! sets every term to the provider's resource type or argument name.

use std::borrow::Cow;

/// The frontend's names for resource types and attributes that messages mention without an
/// [`crate::aws::Attr`] to take the path from. Each is printed in backticks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    /// The resource that enables EBS encryption by default for the account and region.
    /// Terraform: `aws_ebs_encryption_by_default`; default: `EbsEncryptionByDefault` (the EC2
    /// API's setting; CloudFormation has no resource for it).
    pub ebs_encryption_by_default: Cow<'static, str>,
    /// An instance's root volume declaration. Terraform: `root_block_device`; default:
    /// `BlockDeviceMappings` (CloudFormation and the EC2 API).
    pub root_block_device: Cow<'static, str>,
    /// A block device's encryption flag switched on, as written. Terraform:
    /// `encrypted = true`; default: `Ebs.Encrypted: true`.
    pub device_encrypted_on: Cow<'static, str>,
    /// The AWS Config configuration recorder. Terraform: `aws_config_configuration_recorder`;
    /// default: `AWS::Config::ConfigurationRecorder`.
    pub config_recorder: Cow<'static, str>,
    /// The GuardDuty detector. Terraform: `aws_guardduty_detector`; default:
    /// `AWS::GuardDuty::Detector`.
    pub guardduty_detector: Cow<'static, str>,
    /// Security Hub enabled in the account. Terraform: `aws_securityhub_account`; default:
    /// `AWS::SecurityHub::Hub`.
    pub security_hub: Cow<'static, str>,
    /// A bucket's own Block Public Access settings. Terraform:
    /// `aws_s3_bucket_public_access_block`; default: `PublicAccessBlockConfiguration` (the
    /// property of `AWS::S3::Bucket`, and the S3 API's name).
    pub bucket_public_access_block: Cow<'static, str>,
    /// The account-wide Block Public Access settings. Terraform:
    /// `aws_s3_account_public_access_block`; default: `PutAccountPublicAccessBlock` (the
    /// IAM action that sets them; CloudFormation has no resource for them).
    pub account_public_access_block: Cow<'static, str>,
    /// A bucket's versioning configuration, as a setting's label. Terraform: `versioning`;
    /// default: `VersioningConfiguration` (the property of `AWS::S3::Bucket`).
    pub bucket_versioning: Cow<'static, str>,
    /// A bucket's server access logging, as a setting's label. Terraform: `logging`; default:
    /// `LoggingConfiguration` (the property of `AWS::S3::Bucket`).
    pub bucket_logging: Cow<'static, str>,
    /// The attribute of an access-logging configuration that names the target bucket.
    /// Terraform: `target_bucket`; default: `DestinationBucketName` (CloudFormation).
    pub log_target_bucket: Cow<'static, str>,
    /// The attribute of a bucket policy that names its bucket. Terraform: `bucket`; default:
    /// `Bucket` (CloudFormation `AWS::S3::BucketPolicy`).
    pub policy_bucket: Cow<'static, str>,
    /// The rotation of a Secrets Manager secret. Terraform:
    /// `aws_secretsmanager_secret_rotation`; default: `AWS::SecretsManager::RotationSchedule`.
    pub secret_rotation: Cow<'static, str>,
    /// The attribute of a rotation that names its secret. Terraform: `secret_id`; default:
    /// `SecretId`.
    pub rotation_secret: Cow<'static, str>,
    /// The management of a VPC's default security group. Terraform:
    /// `aws_default_security_group`; default: `DefaultSecurityGroup` (the VPC's attribute in
    /// CloudFormation; CloudFormation cannot manage the group itself).
    pub default_security_group: Cow<'static, str>,
    /// The attribute of a managed default security group that names its VPC. Terraform:
    /// `vpc_id`; default: `VpcId`.
    pub default_security_group_vpc: Cow<'static, str>,
    /// Whether the frontend can adopt a VPC's default security group and replace its rules.
    /// Terraform: `true` (`aws_default_security_group`); default: `false` (CloudFormation can
    /// add rules to the group through `Fn::GetAtt VPC.DefaultSecurityGroup`, never remove
    /// AWS's; the API can, with `RevokeSecurityGroupIngress`/`Egress`).
    pub default_security_group_adoptable: bool,
    /// A VPC flow log. Terraform: `aws_flow_log`; default: `AWS::EC2::FlowLog`.
    pub flow_log: Cow<'static, str>,
    /// The attribute of a flow log that names the VPC it logs. Terraform: `vpc_id`; default:
    /// `ResourceId` (CloudFormation, with `ResourceType: VPC`).
    pub flow_log_vpc: Cow<'static, str>,
    /// The attribute of a WAF web ACL association that names the protected resource.
    /// Terraform: `resource_arn`; default: `ResourceArn`.
    pub waf_association_resource: Cow<'static, str>,
    /// The database engine attribute. Terraform: `engine`; default: `Engine`.
    pub db_engine: Cow<'static, str>,
    /// A Lambda function's environment variables. Terraform: `environment`; default:
    /// `Environment`.
    pub function_environment: Cow<'static, str>,
    /// A security group rule's description. Terraform: `description`; default:
    /// `Description`.
    pub sg_rule_description: Cow<'static, str>,
    /// The groups a shared policy attachment grants to. Terraform: `groups`; default:
    /// `Groups` (CloudFormation `AWS::IAM::ManagedPolicy`).
    pub attachment_groups: Cow<'static, str>,
    /// The roles a shared policy attachment grants to. Terraform: `roles`; default: `Roles`.
    pub attachment_roles: Cow<'static, str>,
    /// Which resource types Checkov checks for each Checkov ID, in the framework Checkov uses
    /// for this frontend: `(id, types)`. A finding claims a Checkov ID as its equivalent only on
    /// a listed type. `None` (Terraform, plan JSON): every claim that a rule makes holds, as the
    /// rules were written against Checkov's Terraform checks.
    pub checkov_coverage: Option<&'static [(&'static str, &'static [&'static str])]>,
}

impl Default for Terms {
    fn default() -> Self {
        Terms {
            ebs_encryption_by_default: "EbsEncryptionByDefault".into(),
            root_block_device: "BlockDeviceMappings".into(),
            device_encrypted_on: "Ebs.Encrypted: true".into(),
            config_recorder: "AWS::Config::ConfigurationRecorder".into(),
            guardduty_detector: "AWS::GuardDuty::Detector".into(),
            security_hub: "AWS::SecurityHub::Hub".into(),
            bucket_public_access_block: "PublicAccessBlockConfiguration".into(),
            account_public_access_block: "PutAccountPublicAccessBlock".into(),
            bucket_versioning: "VersioningConfiguration".into(),
            bucket_logging: "LoggingConfiguration".into(),
            log_target_bucket: "DestinationBucketName".into(),
            policy_bucket: "Bucket".into(),
            secret_rotation: "AWS::SecretsManager::RotationSchedule".into(),
            rotation_secret: "SecretId".into(),
            default_security_group: "DefaultSecurityGroup".into(),
            default_security_group_vpc: "VpcId".into(),
            default_security_group_adoptable: false,
            flow_log: "AWS::EC2::FlowLog".into(),
            flow_log_vpc: "ResourceId".into(),
            waf_association_resource: "ResourceArn".into(),
            db_engine: "Engine".into(),
            function_environment: "Environment".into(),
            sg_rule_description: "Description".into(),
            attachment_groups: "Groups".into(),
            attachment_roles: "Roles".into(),
            checkov_coverage: None,
        }
    }
}
