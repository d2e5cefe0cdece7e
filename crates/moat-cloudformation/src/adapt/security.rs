//! The CloudFormation adapter of the security family ([`moat_model::aws::security`]):
//! `AWS::KMS::Key`, `AWS::SecretsManager::Secret` and `AWS::SecretsManager::RotationSchedule`.
//!
//! Defaults applied here are KMS's, which CloudFormation passes on: `KeySpec` is
//! `SYMMETRIC_DEFAULT` and `EnableKeyRotation` is `false`
//! ([AWS::KMS::Key](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html)).
//! A secret is rotated by an `AWS::SecretsManager::RotationSchedule` whose `SecretId` names it
//! (a reference, or its `Name`); CloudFormation has no rotation written on the secret itself.
//! Key policies (`KeyPolicy`) belong to the identity family.

use std::collections::BTreeMap;

use moat_model::aws::security::{KmsKey, Secret, Security, UnknownRotation};
use moat_model::aws::Attr;
use moat_model::{Estate, Resolved, ResourceId};

use super::compute::bool_of;
use super::setting::{read, string_attr};

const SECRET: &str = "AWS::SecretsManager::Secret";

/// Build the security family of a CloudFormation estate.
pub fn build(e: &Estate) -> Security {
    let keys = e
        .managed_of_type("AWS::KMS::Key")
        .map(|(id, r)| KmsKey {
            id,
            key_spec: string_attr(r, id, "KeySpec", "KeySpec", "SYMMETRIC_DEFAULT"),
            rotation: read(
                r,
                id,
                "EnableKeyRotation",
                "EnableKeyRotation",
                false,
                "a bool",
                bool_of,
            ),
        })
        .collect();

    // Rotation schedules name their secret by reference, name or ARN.
    let mut rotated: BTreeMap<ResourceId, Vec<ResourceId>> = BTreeMap::new();
    let mut rotation_target_unknown = None;
    for (rid, rot) in e.managed_of_type("AWS::SecretsManager::RotationSchedule") {
        let Some(n) = rot.get("SecretId") else {
            continue;
        };
        match e.resolve(n, &[SECRET], &["Name"]) {
            Resolved::Resource(id) if e.get(id).is_some_and(|s| s.rtype == SECRET) => {
                rotated.entry(id).or_default().push(rid)
            }
            Resolved::Unknown(why) => {
                rotation_target_unknown.get_or_insert(UnknownRotation {
                    from: rid,
                    loc: rot.loc_of("SecretId").clone(),
                    why,
                });
            }
            Resolved::Resource(_) | Resolved::External(_) | Resolved::Absent => {}
        }
    }
    let secrets = e
        .managed_of_type(SECRET)
        .map(|(id, r)| Secret {
            id,
            rotated_by: rotated.remove(&id).unwrap_or_default(),
            // CloudFormation declares rotation only in a separate rotation schedule.
            inline_rotation: Attr::default(
                false,
                r.loc.clone(),
                "AWS::SecretsManager::RotationSchedule",
                id,
            ),
        })
        .collect();
    Security {
        keys,
        secrets,
        rotation_target_unknown,
    }
}
