//! The CloudFormation adapter of the containers family ([`moat_model::aws::containers`]):
//! `AWS::EKS::Cluster`, `AWS::ECR::Repository` and `AWS::ECR::RegistryScanningConfiguration`.
//!
//! # Defaults
//! * EKS ([AWS::EKS::Cluster ResourcesVpcConfig](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-eks-cluster-resourcesvpcconfig.html)):
//!   `EndpointPublicAccess` defaults to `true` and `PublicAccessCidrs` to `0.0.0.0/0`; no
//!   control plane log type is enabled without `Logging.ClusterLogging.EnabledTypes`; secrets
//!   are not envelope-encrypted without an `EncryptionConfig` whose `Resources` lists
//!   `secrets`.
//! * ECR ([AWS::ECR::Repository](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecr-repository.html)):
//!   `ImageTagMutability` defaults to `MUTABLE`, `ImageScanningConfiguration.ScanOnPush` to
//!   `false`.

use moat_model::aws::containers::{
    Containers, EcrRepository, EksCluster, RegistryScanRule, RegistryScanning, StrList,
};
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Node, Resource, ResourceId, Value};

use super::setting::{bool_attr, node_setting, read, read_opt, str_list, str_list_setting, text};

/// The log types of `Logging.ClusterLogging.EnabledTypes`: a list of `{Type: api}` objects.
fn log_types(r: &Resource, id: ResourceId) -> Attr<StrList> {
    const SHOWN: &str = "Logging.ClusterLogging.EnabledTypes";
    let Some(n) = super::setting::written(r, SHOWN) else {
        return Attr::default(StrList::default(), r.loc.clone(), SHOWN, id);
    };
    let loc = n.loc.clone().unwrap_or_else(|| r.loc.clone());
    let value = match &n.value {
        Value::Unknown(u) => AttrValue::Unknown(u.clone()),
        Value::List(items) => {
            let mut l = StrList::default();
            for item in items {
                match item.get("Type").map(|t| (t, t.as_str())) {
                    Some((_, Some(t))) => l.items.push(t.to_string()),
                    // An unknown element, or an element whose type is unknown.
                    _ if item.contains_unknown() => l.partly_unknown = true,
                    _ => {}
                }
            }
            AttrValue::Known(l)
        }
        _ => AttrValue::Invalid {
            written: n.to_string(),
            expected: "a list of log types",
        },
    };
    Attr::new(value, loc, SHOWN, id)
}

fn eks_cluster(r: &Resource, id: ResourceId) -> EksCluster {
    let vpc_loc = r.loc_of("ResourcesVpcConfig").clone();
    let endpoint_public_access = bool_attr(
        r,
        id,
        "ResourcesVpcConfig.EndpointPublicAccess",
        "ResourcesVpcConfig.EndpointPublicAccess",
        true,
    );
    let public_access_cidrs = match super::setting::written(r, "ResourcesVpcConfig") {
        // The whole configuration is unknown: so are its CIDRs.
        Some(n) if n.is_unknown() => str_list_setting(
            Some(n),
            &vpc_loc,
            Vec::new(),
            id,
            "ResourcesVpcConfig.PublicAccessCidrs",
        ),
        _ => str_list_setting(
            r.path("ResourcesVpcConfig.PublicAccessCidrs"),
            &vpc_loc,
            vec!["0.0.0.0/0".to_string()],
            id,
            "ResourcesVpcConfig.PublicAccessCidrs",
        ),
    };
    // Every `EncryptionConfig` entry's `Resources`, together.
    const ENC: &str = "EncryptionConfig.Resources";
    let enc_loc = r.loc_of("EncryptionConfig").clone();
    let encrypted_resources = match r.get("EncryptionConfig").map(|n| &n.value) {
        None | Some(Value::Null) => Attr::default(StrList::default(), enc_loc, ENC, id),
        Some(Value::Unknown(u)) => Attr::unknown(u.clone(), enc_loc, ENC, id),
        Some(_) => {
            let mut covered = StrList::default();
            for c in r.blocks("EncryptionConfig") {
                if let Some(n) = c.get("Resources") {
                    let l = str_list(n);
                    covered.items.extend(l.items);
                    covered.partly_unknown |= l.partly_unknown;
                }
            }
            // An unknown entry may cover `secrets`.
            covered.partly_unknown |= r
                .get("EncryptionConfig")
                .and_then(Node::as_list)
                .is_some_and(|l| l.iter().any(Node::is_unknown));
            Attr::known(covered, enc_loc, ENC, id)
        }
    };
    EksCluster {
        id,
        endpoint_public_access,
        public_access_cidrs,
        enabled_log_types: log_types(r, id),
        encrypted_resources,
    }
}

fn ecr_repository(r: &Resource, id: ResourceId) -> EcrRepository {
    EcrRepository {
        id,
        name: read_opt(r, id, "RepositoryName", "RepositoryName", "a string", |n| {
            n.as_str().map(str::to_string)
        }),
        image_tag_mutability: read(
            r,
            id,
            "ImageTagMutability",
            "ImageTagMutability",
            "MUTABLE".to_string(),
            "a string",
            text,
        ),
        scan_on_push: bool_attr(
            r,
            id,
            "ImageScanningConfiguration.ScanOnPush",
            "ImageScanningConfiguration.ScanOnPush",
            false,
        ),
    }
}

/// `Rules[]` of a registry scanning configuration: `ScanFrequency` and
/// `RepositoryFilters[].Filter`.
fn registry_scanning(r: &Resource, id: ResourceId) -> RegistryScanning {
    let rules = r
        .blocks("Rules")
        .into_iter()
        .map(|rule| {
            let at = rule.loc.clone().unwrap_or_else(|| r.loc.clone());
            let frequency = node_setting(
                rule.get("ScanFrequency"),
                &at,
                id,
                "Rules.ScanFrequency",
                "a string",
                |n| n.as_str().map(str::to_string),
            );
            let filters = rule
                .blocks("RepositoryFilters")
                .into_iter()
                .filter_map(|f| {
                    node_setting(
                        f.get("Filter"),
                        &at,
                        id,
                        "Rules.RepositoryFilters.Filter",
                        "a string",
                        |n| n.as_str().map(str::to_string),
                    )
                })
                .collect();
            RegistryScanRule { frequency, filters }
        })
        .collect();
    RegistryScanning { id, rules }
}

/// Build the containers family of a CloudFormation estate.
pub fn build(e: &Estate) -> Containers {
    Containers {
        eks_clusters: e
            .managed_of_type("AWS::EKS::Cluster")
            .map(|(id, r)| eks_cluster(r, id))
            .collect(),
        ecr_repositories: e
            .managed_of_type("AWS::ECR::Repository")
            .map(|(id, r)| ecr_repository(r, id))
            .collect(),
        ecr_registry_scanning: e
            .managed_of_type("AWS::ECR::RegistryScanningConfiguration")
            .map(|(id, r)| registry_scanning(r, id))
            .collect(),
    }
}
