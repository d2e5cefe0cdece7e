//! Which CloudFormation resource types Checkov's CloudFormation checks read, for the Checkov IDs
//! that rules claim as equivalents (`equivalent.checkov`), handed to the rules through
//! [`moat_model::aws::Terms::checkov_coverage`].
//!
//! Checkov's frameworks differ: its Terraform check `CKV_AWS_62` reads `aws_iam_policy` (a
//! managed policy), while its CloudFormation check of the same ID reads `AWS::IAM::Policy`,
//! `Role`, `User` and `Group` but not `AWS::IAM::ManagedPolicy`, and some IDs have no
//! CloudFormation check at all. A finding on a type that is not listed for an ID claims nothing
//! for it. Each entry is the check's `supported_resources` (Checkov 3.3.30,
//! `checkov/cloudformation/checks/resource/aws/*.py` and `graph_checks/aws`); the Checkov
//! differential test (`crates/moat-rules/tests/checkov_diff.rs`) confirms the claims that remain.
//! IDs that rules claim and that Checkov has no CloudFormation check for: CKV2_AWS_3, CKV2_AWS_6, CKV2_AWS_10, CKV2_AWS_11, CKV2_AWS_12, CKV2_AWS_20, CKV2_AWS_28, CKV2_AWS_29, CKV2_AWS_43, CKV2_AWS_48, CKV2_AWS_57, CKV2_AWS_61, CKV_AWS_1, CKV_AWS_9, CKV_AWS_10, CKV_AWS_11, CKV_AWS_12, CKV_AWS_13, CKV_AWS_14, CKV_AWS_15, CKV_AWS_37, CKV_AWS_38, CKV_AWS_39, CKV_AWS_49, CKV_AWS_70, CKV_AWS_106, CKV_AWS_130, CKV_AWS_133, CKV_AWS_139, CKV_AWS_145, CKV_AWS_238, CKV_AWS_251, CKV_AWS_274, CKV_AWS_277, CKV_AWS_293, CKV_AWS_338.

/// Checkov CloudFormation check ID -> the resource types it checks.
pub const CHECKOV_COVERAGE: &[(&str, &[&str])] = &[
    (
        "CKV2_AWS_69",
        &["AWS::RDS::DBInstance", "AWS::RDS::DBParameterGroup"],
    ),
    ("CKV_AWS_2", &["AWS::ElasticLoadBalancingV2::Listener"]),
    ("CKV_AWS_3", &["AWS::EC2::Volume"]),
    ("CKV_AWS_7", &["AWS::KMS::Key"]),
    ("CKV_AWS_8", &["AWS::AutoScaling::LaunchConfiguration"]),
    ("CKV_AWS_16", &["AWS::RDS::DBInstance"]),
    ("CKV_AWS_17", &["AWS::RDS::DBInstance"]),
    ("CKV_AWS_18", &["AWS::S3::Bucket"]),
    ("CKV_AWS_20", &["AWS::S3::Bucket"]),
    ("CKV_AWS_21", &["AWS::S3::Bucket"]),
    (
        "CKV_AWS_23",
        &[
            "AWS::EC2::SecurityGroup",
            "AWS::EC2::SecurityGroupEgress",
            "AWS::EC2::SecurityGroupIngress",
        ],
    ),
    (
        "CKV_AWS_24",
        &[
            "AWS::EC2::SecurityGroup",
            "AWS::EC2::SecurityGroupEgress",
            "AWS::EC2::SecurityGroupIngress",
        ],
    ),
    (
        "CKV_AWS_25",
        &[
            "AWS::EC2::SecurityGroup",
            "AWS::EC2::SecurityGroupEgress",
            "AWS::EC2::SecurityGroupIngress",
        ],
    ),
    ("CKV_AWS_26", &["AWS::SNS::Topic"]),
    ("CKV_AWS_27", &["AWS::SQS::Queue"]),
    ("CKV_AWS_29", &["AWS::ElastiCache::ReplicationGroup"]),
    ("CKV_AWS_30", &["AWS::ElastiCache::ReplicationGroup"]),
    ("CKV_AWS_33", &["AWS::KMS::Key"]),
    ("CKV_AWS_35", &["AWS::CloudTrail::Trail"]),
    ("CKV_AWS_36", &["AWS::CloudTrail::Trail"]),
    ("CKV_AWS_40", &["AWS::IAM::Policy"]),
    ("CKV_AWS_51", &["AWS::ECR::Repository"]),
    ("CKV_AWS_53", &["AWS::S3::Bucket"]),
    ("CKV_AWS_54", &["AWS::S3::Bucket"]),
    ("CKV_AWS_55", &["AWS::S3::Bucket"]),
    ("CKV_AWS_56", &["AWS::S3::Bucket"]),
    ("CKV_AWS_57", &["AWS::S3::Bucket"]),
    ("CKV_AWS_58", &["AWS::EKS::Cluster"]),
    ("CKV_AWS_60", &["AWS::IAM::Role"]),
    (
        "CKV_AWS_62",
        &[
            "AWS::IAM::Group",
            "AWS::IAM::Policy",
            "AWS::IAM::Role",
            "AWS::IAM::User",
        ],
    ),
    (
        "CKV_AWS_63",
        &[
            "AWS::IAM::Group",
            "AWS::IAM::Policy",
            "AWS::IAM::Role",
            "AWS::IAM::User",
        ],
    ),
    ("CKV_AWS_66", &["AWS::Logs::LogGroup"]),
    ("CKV_AWS_67", &["AWS::CloudTrail::Trail"]),
    ("CKV_AWS_79", &["AWS::EC2::LaunchTemplate"]),
    (
        "CKV_AWS_88",
        &["AWS::EC2::Instance", "AWS::EC2::LaunchTemplate"],
    ),
    ("CKV_AWS_96", &["AWS::RDS::DBCluster"]),
    ("CKV_AWS_103", &["AWS::ElasticLoadBalancingV2::Listener"]),
    (
        "CKV_AWS_131",
        &["AWS::ElasticLoadBalancingV2::LoadBalancer"],
    ),
    ("CKV_AWS_163", &["AWS::ECR::Repository"]),
    (
        "CKV_AWS_173",
        &["AWS::Lambda::Function", "AWS::Serverless::Function"],
    ),
    ("CKV_AWS_258", &["AWS::Lambda::Url"]),
];
