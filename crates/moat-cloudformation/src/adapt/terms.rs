//! CloudFormation's words for what messages name without a setting to take the path from
//! (see [`moat_model::aws::Terms`]).
//!
//! [`Terms::default`] already gives CloudFormation's names (resource types such as
//! `AWS::Config::ConfigurationRecorder`, `AWS::GuardDuty::Detector`, `AWS::SecurityHub::Hub`,
//! `AWS::EC2::FlowLog`; properties such as `ResourceId`, `ResourceArn`, `Environment`,
//! `Groups`, `Roles`), so nothing is overridden. Where CloudFormation has no resource for a
//! setting, the default names the AWS API's instead, which is what a template's author must
//! use: `EbsEncryptionByDefault` (EC2), `PutAccountPublicAccessBlock` (S3), and the account
//! password policy, which no CloudFormation type sets (IAM `UpdateAccountPasswordPolicy`).
//! It also says which types Checkov's CloudFormation checks read ([`super::checkov`]).

use moat_model::aws::Terms;

/// The terms of CloudFormation: the defaults, and Checkov's CloudFormation coverage.
pub fn build() -> Terms {
    Terms {
        checkov_coverage: Some(super::checkov::CHECKOV_COVERAGE),
        ..Terms::default()
    }
}
