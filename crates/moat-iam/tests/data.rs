//! The embedded AWS data: actions, resource types by ARN, managed policies.
//! Facts checked against the Service Authorization Reference
//! (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html,
//! .../list_awsidentityandaccessmanagementiam.html) and the AWS managed policy reference
//! (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html).

use moat_iam::data::{self, AccessLevel, ActionExistence};
use serde_json::json;

#[test]
fn s3_get_object_exists_with_the_object_resource_type() {
    assert_eq!(
        data::action_existence("s3:GetObject"),
        ActionExistence::Exists
    );
    // Action names are case-insensitive.
    assert_eq!(
        data::action_existence("S3:getobject"),
        ActionExistence::Exists
    );
    let a = data::action_info("s3:getOBJECT").unwrap();
    assert_eq!(a.qualified_name(), "s3:GetObject");
    assert_eq!(a.name, "GetObject");
    assert_eq!(a.service_prefix(), "s3");
    assert_eq!(a.access_level, AccessLevel::Read);
    assert!(
        a.resource_types.iter().any(|r| r.name == "object"),
        "{:?}",
        a.resource_types
    );
    assert!(a.condition_keys.contains(&"s3:ExistingObjectTag/<key>"));
}

#[test]
fn missing_actions_and_services() {
    assert_eq!(
        data::action_existence("s3:GetObjectt"),
        ActionExistence::NoSuchAction
    );
    assert_eq!(
        data::action_existence("foo:Bar"),
        ActionExistence::UnknownService
    );
    assert_eq!(
        data::action_existence("GetObject"),
        ActionExistence::UnknownService
    );
    assert!(data::action_info("s3:GetObjectt").is_none());
    assert!(data::action_info("foo:Bar").is_none());
    assert!(data::service("foo").is_none());
    // Patterns exist when they match something.
    assert_eq!(data::action_existence("s3:Get*"), ActionExistence::Exists);
    assert_eq!(
        data::action_existence("s3:Nothing*"),
        ActionExistence::NoSuchAction
    );
    assert_eq!(data::action_existence("*"), ActionExistence::Exists);
    assert_eq!(
        data::action_existence("foo:*"),
        ActionExistence::UnknownService
    );
}

#[test]
fn access_key_pattern_expands_to_exactly_the_iam_access_key_actions() {
    assert_eq!(
        data::expand_action_pattern("iam:*AccessKey*"),
        vec![
            "iam:CreateAccessKey",
            "iam:DeleteAccessKey",
            "iam:GetAccessKeyLastUsed",
            "iam:ListAccessKeys",
            "iam:UpdateAccessKey",
        ]
    );
    // Case-insensitive in the prefix and the name; `?` is one character.
    assert_eq!(
        data::expand_action_pattern("IAM:?reateaccesskey"),
        vec!["iam:CreateAccessKey"]
    );
    assert!(data::expand_action_pattern("foo:*").is_empty());
}

#[test]
fn wildcard_expansion_is_sorted_and_complete() {
    let all = data::expand_action_pattern("*");
    let count: usize = data::services().map(|s| s.actions.len()).sum();
    assert_eq!(all.len(), count);
    assert!(all.windows(2).all(|w| w[0] <= w[1]));
    let gets = data::expand_action_pattern("s3:Get*");
    assert!(gets.contains(&"s3:GetObject"));
    assert!(gets.contains(&"s3:GetBucketPolicy"));
    assert!(gets.iter().all(|a| a.starts_with("s3:Get")));
    assert!(!gets.contains(&"s3:PutObject"));
    // A wildcard in the service part is searched over every service.
    let both = data::expand_action_pattern("s?:GetObject");
    assert_eq!(both, vec!["s3:GetObject"]);
}

#[test]
fn iam_access_levels_and_required_resource_types() {
    let a = data::action_info("iam:AttachRolePolicy").unwrap();
    assert_eq!(a.access_level, AccessLevel::PermissionsManagement);
    assert_eq!(a.resource_types.len(), 1);
    assert_eq!(a.resource_types[0].name, "role");
    assert!(a.resource_types[0].required);
    assert!(a.condition_keys.contains(&"iam:PolicyARN"));
    assert_eq!(
        data::action_info("s3:PutObjectTagging")
            .unwrap()
            .access_level,
        AccessLevel::Tagging
    );
    assert_eq!(
        data::action_info("s3:ListAllMyBuckets")
            .unwrap()
            .access_level,
        AccessLevel::List
    );
    assert_eq!(
        data::action_info("s3:PutObject").unwrap().access_level,
        AccessLevel::Write
    );
}

#[test]
fn services_resource_types_and_condition_keys() {
    let s3 = data::service("S3").unwrap();
    assert_eq!(s3.prefix, "s3");
    assert_eq!(s3.name, "Amazon S3");
    let bucket = s3.resource_type("bucket").unwrap();
    assert_eq!(
        bucket.arn_formats,
        vec!["arn:${Partition}:s3:::${BucketName}"]
    );
    let tag_keys = s3.condition_key("AWS:TAGKEYS").unwrap();
    assert_eq!(tag_keys.name, "aws:TagKeys");
    assert!(tag_keys.is_multivalued());
    assert!(!s3.condition_key("s3:x-amz-acl").unwrap().is_multivalued());
    // A type with several ARN formats.
    let apigw = data::service("apigateway").unwrap();
    assert!(apigw.resource_types.iter().any(|r| r.arn_formats.len() > 1));
}

#[test]
fn resource_types_by_arn() {
    assert_eq!(
        data::resource_types_for_arn("s3", "arn:aws:s3:::b/k"),
        vec!["object"]
    );
    assert_eq!(
        data::resource_types_for_arn("s3", "arn:aws:s3:::b/dir/k.txt"),
        vec!["object"]
    );
    assert_eq!(
        data::resource_types_for_arn("s3", "arn:aws:s3:::b"),
        vec!["bucket"]
    );
    assert_eq!(
        data::resource_types_for_arn("s3", "arn:aws:s3:us-east-1:123456789012:accesspoint/ap"),
        vec!["accesspoint"]
    );
    assert_eq!(
        data::resource_types_for_arn(
            "s3",
            "arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/k"
        ),
        vec!["accesspointobject"]
    );
    assert_eq!(
        data::resource_types_for_arn("iam", "arn:aws:iam::123456789012:role/path/r"),
        vec!["role"]
    );
    assert_eq!(
        data::resource_types_for_arn("iam", "arn:aws:iam::123456789012:user/u"),
        vec!["user"]
    );
    // Another service's ARN, an unknown service, and a partition-less text match nothing.
    assert!(data::resource_types_for_arn("s3", "arn:aws:sqs:us-east-1:1:q").is_empty());
    assert!(data::resource_types_for_arn("foo", "arn:aws:s3:::b").is_empty());
    assert!(data::resource_types_for_arn("s3", "b/k").is_empty());
}

#[test]
fn administrator_access_allows_everything() {
    let doc = data::managed_policy("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
    assert_eq!(
        doc["Statement"],
        json!([{ "Effect": "Allow", "Action": "*", "Resource": "*" }])
    );
    assert_eq!(doc["Version"], "2012-10-17");
}

#[test]
fn managed_policies_with_paths_and_by_name() {
    let arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    let doc = data::managed_policy(arn).unwrap();
    let text = doc["Statement"].to_string();
    assert!(text.contains("logs:CreateLogGroup"), "{text}");
    assert_eq!(
        data::managed_policy_arn("AWSLambdaBasicExecutionRole"),
        Some(arn)
    );
    assert!(data::managed_policy_names().any(|n| n == "AWSLambdaBasicExecutionRole"));
    assert!(data::managed_policy_names().all(|n| !n.contains('/')));
    // Without its path the ARN is not that policy; the data is matched exactly.
    assert!(data::managed_policy("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole").is_none());
    assert!(data::managed_policy("arn:aws:iam::aws:policy/NoSuchPolicyXyz").is_none());
    assert!(data::managed_policy("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
    assert!(data::managed_policy_arns().count() > 1000);
    let arns: Vec<&str> = data::managed_policy_arns().collect();
    assert!(arns.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn data_versions_name_the_packages() {
    let (iam_data, managed) = data::data_versions();
    assert_ne!(iam_data, "unknown");
    assert_ne!(managed, "unknown");
    assert!(iam_data.split('.').count() == 3, "{iam_data}");
    assert!(managed.split('.').count() == 3, "{managed}");
    assert_eq!(data::load_error(), None);
}
