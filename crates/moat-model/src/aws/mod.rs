//! The typed AWS state: what the estate *is* in AWS's terms, independent of the language it was
//! written in.
//!
//! Frontends adapt their resolved resources into an [`AwsState`] (the Terraform adapter lives
//! in `moat-terraform/src/adapt`, and so on); rules and analyses read only this state, so every
//! rule is written once and runs on every frontend. One module per service family.
//!
//! Settings are [`Attr`]s: a value written in the source, the AWS default that applies when
//! nothing is written (each adapter knows its frontend's defaults), or unknown. Each carries its
//! location, the attribute path as the user's frontend names it (`metadata_options.http_tokens`
//! in Terraform, `MetadataOptions.HttpTokens` in CloudFormation) and the resource that declares
//! it. An unknown is never read as a pass.

pub mod attr;
pub mod compute;
pub mod containers;
pub mod database;
pub mod edge;
pub mod identity;
pub mod logging;
pub mod messaging;
pub mod netread;
pub mod network;
pub mod security;
pub mod serverless;
pub mod setting;
pub mod storage;
pub mod terms;

pub use attr::{Attr, AttrValue};
pub use terms::Terms;

/// The typed state of one estate, by service family.
#[derive(Clone, Debug, Default)]
pub struct AwsState {
    /// VPCs, subnets, routing, gateways, security groups, NACLs, ENIs, load balancers.
    pub network: network::Network,
    /// EC2 instances, launch templates and configurations, EBS volumes and the account's EBS encryption default.
    pub compute: compute::Compute,
    /// RDS instances and Aurora clusters with their parameter groups, ElastiCache replication groups.
    pub database: database::Database,
    /// S3 buckets with every setting that may live in a separate resource (versioning, encryption, logging, lifecycle, public access block, ACLs), merged onto the bucket.
    pub storage: storage::Storage,
    /// KMS keys and Secrets Manager secrets.
    pub security: security::Security,
    /// SNS topics and SQS queues.
    pub messaging: messaging::Messaging,
    /// IAM: policy documents with their origin (identity, trust, resource policies), roles, users, groups, attachments, the account password policy.
    pub identity: identity::Identity,
    /// Lambda functions and function URLs.
    pub serverless: serverless::Serverless,
    /// CloudTrail trails, CloudWatch log groups, VPC flow logs, AWS Config recorders, GuardDuty detectors, Security Hub.
    pub logging: logging::Logging,
    /// EKS clusters and ECR repositories.
    pub containers: containers::Containers,
    /// What faces clients at layer 7: load balancer listener TLS and HTTP settings, API Gateway stages, WAF web ACL associations.
    pub edge: edge::Edge,
    /// The frontend's words for what messages name without an [`Attr`] to take the path from
    /// (a resource type to add, an attribute kept only as a reference).
    pub terms: Terms,
}
