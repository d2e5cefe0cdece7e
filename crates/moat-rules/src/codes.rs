//! The code table: stable codes to rules. Codes are never reused; a retired or renamed code
//! goes to [`REDIRECTS`]. `NET` is reserved for the network diagnosis rules.

use crate::registry::RuleDef;
use crate::{
    apigw, cloudtrail, ebs, ec2, ecr, eks, elasticache, iam, kms, lambda, lb, logs, mon, network,
    rds, s3, secrets, sg, sns, sqs, vpc,
};

pub(crate) static CODES: &[(&str, &RuleDef)] = &[
    ("S3001", &s3::bucket_kms_encryption::RULE),
    ("S3002", &s3::bucket_versioning::RULE),
    ("S3003", &s3::bucket_public_access_block::RULE),
    ("S3004", &s3::bucket_access_logging::RULE),
    ("S3005", &s3::bucket_public_acl::RULE),
    ("S3006", &s3::bucket_policy_public::RULE),
    ("S3007", &s3::bucket_lifecycle::RULE),
    ("SG001", &sg::ssh_open_to_internet::RULE),
    ("SG002", &sg::rdp_open_to_internet::RULE),
    ("SG003", &sg::all_ports_open_to_internet::RULE),
    ("SG004", &sg::db_port_open_to_internet::RULE),
    ("SG005", &sg::rule_missing_description::RULE),
    ("SG006", &sg::default_group_has_rules::RULE),
    ("RDS001", &rds::storage_encrypted::RULE),
    ("RDS002", &rds::publicly_accessible::RULE),
    ("RDS003", &rds::backup_retention::RULE),
    ("RDS004", &rds::deletion_protection::RULE),
    ("RDS005", &rds::tls_not_enforced::RULE),
    ("CT001", &cloudtrail::multi_region::RULE),
    ("CT002", &cloudtrail::log_file_validation::RULE),
    ("CT003", &cloudtrail::kms_encryption::RULE),
    ("CT004", &cloudtrail::cloudwatch_integration::RULE),
    ("CT005", &cloudtrail::logging_disabled::RULE),
    ("KMS001", &kms::key_rotation::RULE),
    ("KMS002", &kms::key_policy_public::RULE),
    ("IAM001", &iam::admin_policy::RULE),
    ("IAM002", &iam::wildcard_action::RULE),
    ("IAM003", &iam::user_attached_policy::RULE),
    ("IAM004", &iam::password_policy::RULE),
    ("IAM005", &iam::trust_any_principal::RULE),
    ("IAM006", &iam::managed_admin_attached::RULE),
    ("IAM007", &iam::privilege_escalation::RULE),
    ("IAM008", &iam::resource_policy_exposed::RULE),
    ("IAM009", &iam::attack_path::RULE),
    ("IAM010", &iam::nonexistent_action::RULE),
    ("EBS001", &ebs::volume_unencrypted::RULE),
    ("EBS002", &ebs::instance_volume_unencrypted::RULE),
    ("EBS003", &ebs::default_encryption_disabled::RULE),
    ("EC2001", &ec2::imdsv2::RULE),
    ("EC2002", &ec2::public_ip::RULE),
    ("VPC001", &vpc::flow_logs::RULE),
    ("VPC002", &vpc::subnet_public_ip::RULE),
    ("LB001", &lb::http_without_redirect::RULE),
    ("LB002", &lb::tls_policy::RULE),
    ("LB003", &lb::drop_invalid_headers::RULE),
    ("LB004", &lb::waf_missing::RULE),
    ("EKS001", &eks::public_endpoint::RULE),
    ("EKS002", &eks::secrets_encryption::RULE),
    ("EKS003", &eks::control_plane_logging::RULE),
    ("MON001", &mon::guardduty::RULE),
    ("MON002", &mon::security_hub::RULE),
    ("MON003", &mon::config_recorder::RULE),
    ("LMB001", &lambda::env_encryption::RULE),
    ("LMB002", &lambda::public_url::RULE),
    ("ECR001", &ecr::scan_on_push::RULE),
    ("ECR002", &ecr::mutable_tags::RULE),
    ("SNS001", &sns::topic_encryption::RULE),
    ("SQS001", &sqs::queue_encryption_disabled::RULE),
    ("SM001", &secrets::rotation::RULE),
    ("CWL001", &logs::log_group_retention::RULE),
    ("ELC001", &elasticache::at_rest_encryption::RULE),
    ("ELC002", &elasticache::transit_encryption::RULE),
    ("API001", &apigw::waf_missing::RULE),
    ("NET001", &network::target_port_not_admitted::RULE),
    ("NET002", &network::health_check_not_admitted::RULE),
    ("NET003", &network::lb_egress_missing::RULE),
    ("NET004", &network::nacl_drops_lb_path::RULE),
    ("NET005", &network::target_open_behind_lb::RULE),
    ("NET006", &network::target_bypasses_lb::RULE),
    ("NET007", &network::nlb_clients_not_admitted::RULE),
    ("NET008", &network::ip_target_outside_vpc::RULE),
    ("NET009", &network::private_subnet_routes_to_igw::RULE),
    ("NET010", &network::database_reachable_from_internet::RULE),
    ("NET011", &network::database_in_public_subnet::RULE),
    ("NET012", &network::target_az_not_served::RULE),
    ("NET100", &network::invariant_violated::RULE),
];

/// Old code -> current code.
pub(crate) static REDIRECTS: &[(&str, &str)] = &[];

/// The current code for `id` (case-insensitive), if it names a rule.
pub(crate) fn canonical(id: &str) -> Option<&'static str> {
    let up = id.to_ascii_uppercase();
    let target = REDIRECTS
        .iter()
        .find(|(old, _)| *old == up)
        .map(|(_, new)| *new)
        .unwrap_or(up.as_str());
    CODES.iter().find(|(c, _)| *c == target).map(|(c, _)| *c)
}
