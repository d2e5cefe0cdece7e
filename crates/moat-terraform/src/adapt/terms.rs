//! The Terraform AWS provider's words for what messages name without an attribute to take the
//! path from: resource types to add, arguments kept only as references.

use moat_model::aws::Terms;

/// Every term, as the provider names it.
pub(super) fn build() -> Terms {
    Terms {
        ebs_encryption_by_default: "aws_ebs_encryption_by_default".into(),
        root_block_device: "root_block_device".into(),
        device_encrypted_on: "encrypted = true".into(),
        config_recorder: "aws_config_configuration_recorder".into(),
        guardduty_detector: "aws_guardduty_detector".into(),
        security_hub: "aws_securityhub_account".into(),
        bucket_public_access_block: "aws_s3_bucket_public_access_block".into(),
        account_public_access_block: "aws_s3_account_public_access_block".into(),
        bucket_versioning: "versioning".into(),
        bucket_logging: "logging".into(),
        log_target_bucket: "target_bucket".into(),
        policy_bucket: "bucket".into(),
        secret_rotation: "aws_secretsmanager_secret_rotation".into(),
        rotation_secret: "secret_id".into(),
        default_security_group: "aws_default_security_group".into(),
        default_security_group_vpc: "vpc_id".into(),
        default_security_group_adoptable: true,
        flow_log: "aws_flow_log".into(),
        flow_log_vpc: "vpc_id".into(),
        waf_association_resource: "resource_arn".into(),
        db_engine: "engine".into(),
        function_environment: "environment".into(),
        sg_rule_description: "description".into(),
        attachment_groups: "groups".into(),
        attachment_roles: "roles".into(),
        // The rules' claims were written against Checkov's Terraform checks.
        checkov_coverage: None,
    }
}
