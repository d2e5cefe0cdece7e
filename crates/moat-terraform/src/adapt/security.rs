//! The Terraform adapter of the security family ([`moat_model::aws::security`]).

use std::collections::BTreeMap;

use moat_model::aws::security::{KmsKey, Secret, Security, UnknownRotation};
use moat_model::{Estate, Resolved, ResourceId};

use super::messaging::presence;
use super::setting::{bool_attr, string_attr};

const SECRET: &str = "aws_secretsmanager_secret";

/// Build the security family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Security {
    let keys = e
        .managed_of_type("aws_kms_key")
        .map(|(id, r)| KmsKey {
            id,
            key_spec: string_attr(
                r,
                id,
                "customer_master_key_spec",
                "customer_master_key_spec",
                "SYMMETRIC_DEFAULT",
            ),
            rotation: bool_attr(r, id, "enable_key_rotation", "enable_key_rotation", false),
        })
        .collect();

    // Rotations name their secret by reference, name or ARN.
    let mut rotated: BTreeMap<ResourceId, Vec<ResourceId>> = BTreeMap::new();
    let mut rotation_target_unknown = None;
    for (rid, rot) in e.managed_of_type("aws_secretsmanager_secret_rotation") {
        let Some(n) = rot.get("secret_id") else {
            continue;
        };
        match e.resolve(n, &[SECRET], &["name", "arn"]) {
            Resolved::Resource(id) => rotated.entry(id).or_default().push(rid),
            Resolved::Unknown(why) => {
                rotation_target_unknown.get_or_insert(UnknownRotation {
                    from: rid,
                    loc: rot.loc_of("secret_id").clone(),
                    why,
                });
            }
            Resolved::External(_) | Resolved::Absent => {}
        }
    }
    let secrets = e
        .managed_of_type(SECRET)
        .map(|(id, r)| Secret {
            id,
            rotated_by: rotated.remove(&id).unwrap_or_default(),
            // Inline rotation, removed in version 5 of the AWS provider.
            inline_rotation: presence(r, id, "rotation_lambda_arn"),
        })
        .collect();
    Security {
        keys,
        secrets,
        rotation_target_unknown,
    }
}
