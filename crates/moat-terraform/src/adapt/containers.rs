//! The Terraform adapter of the containers family ([`moat_model::aws::containers`]):
//! `aws_eks_cluster`, `aws_ecr_repository` and `aws_ecr_registry_scanning_configuration`.
//!
//! Provider and AWS defaults applied here: the EKS public endpoint is on and open to
//! `0.0.0.0/0`, no control plane log type is enabled, secrets are not envelope-encrypted; ECR
//! tags are `MUTABLE` and images are not scanned on push.

use moat_model::aws::containers::{
    Containers, EcrRepository, EksCluster, RegistryScanRule, RegistryScanning, StrList,
};
use moat_model::aws::Attr;
use moat_model::{Estate, Node, Resource, ResourceId};

use super::setting::{node_setting, read, read_opt, str_list, str_list_setting, text};

fn eks_cluster(r: &Resource, id: ResourceId) -> EksCluster {
    let vpc = r.blocks("vpc_config");
    let vpc = vpc.first().copied();
    let vpc_loc = vpc
        .and_then(|v| v.loc.clone())
        .unwrap_or_else(|| r.loc.clone());
    let endpoint_public_access = node_setting(
        vpc.and_then(|v| v.get("endpoint_public_access")),
        &r.loc,
        id,
        "vpc_config.endpoint_public_access",
        "a bool",
        Node::as_bool,
    )
    .unwrap_or_else(|| Attr::default(true, r.loc.clone(), "vpc_config.endpoint_public_access", id));
    let public_access_cidrs = str_list_setting(
        vpc.and_then(|v| v.get("public_access_cidrs")),
        &vpc_loc,
        vec!["0.0.0.0/0".to_string()],
        id,
        "public_access_cidrs",
    );
    let enabled_log_types = str_list_setting(
        r.get("enabled_cluster_log_types"),
        &r.loc,
        Vec::new(),
        id,
        "enabled_cluster_log_types",
    );
    // Every `encryption_config` block's `resources`, together.
    let configs = r.blocks("encryption_config");
    let mut covered = StrList::default();
    for c in &configs {
        if let Some(n) = c.get("resources") {
            let l = str_list(n);
            covered.items.extend(l.items);
            covered.partly_unknown |= l.partly_unknown;
        }
    }
    let enc_loc = r.loc_of("encryption_config").clone();
    let shown = "encryption_config.resources";
    let encrypted_resources = if configs.is_empty() {
        Attr::default(covered, enc_loc, shown, id)
    } else {
        Attr::known(covered, enc_loc, shown, id)
    };
    EksCluster {
        id,
        endpoint_public_access,
        public_access_cidrs,
        enabled_log_types,
        encrypted_resources,
    }
}

fn ecr_repository(r: &Resource, id: ResourceId) -> EcrRepository {
    let scan = r.blocks("image_scanning_configuration");
    let scan_on_push = node_setting(
        scan.first().and_then(|b| b.get("scan_on_push")),
        &r.loc,
        id,
        "image_scanning_configuration.scan_on_push",
        "a bool",
        Node::as_bool,
    )
    .unwrap_or_else(|| {
        Attr::default(
            false,
            r.loc.clone(),
            "image_scanning_configuration.scan_on_push",
            id,
        )
    });
    EcrRepository {
        id,
        name: read_opt(r, id, "name", "name", "a string", |n| {
            n.as_str().map(str::to_string)
        }),
        image_tag_mutability: read(
            r,
            id,
            "image_tag_mutability",
            "image_tag_mutability",
            "MUTABLE".to_string(),
            "a string",
            text,
        ),
        scan_on_push,
    }
}

fn registry_scanning(r: &Resource, id: ResourceId) -> RegistryScanning {
    let rules = r
        .blocks("rule")
        .into_iter()
        .map(|rule| {
            let at = rule.loc.clone().unwrap_or_else(|| r.loc.clone());
            let frequency = node_setting(
                rule.get("scan_frequency"),
                &at,
                id,
                "rule.scan_frequency",
                "a string",
                |n| n.as_str().map(str::to_string),
            );
            let filters = rule
                .blocks("repository_filter")
                .into_iter()
                .filter_map(|f| {
                    node_setting(
                        f.get("filter"),
                        &at,
                        id,
                        "rule.repository_filter.filter",
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

/// Build the containers family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Containers {
    Containers {
        eks_clusters: e
            .managed_of_type("aws_eks_cluster")
            .map(|(id, r)| eks_cluster(r, id))
            .collect(),
        ecr_repositories: e
            .managed_of_type("aws_ecr_repository")
            .map(|(id, r)| ecr_repository(r, id))
            .collect(),
        ecr_registry_scanning: e
            .managed_of_type("aws_ecr_registry_scanning_configuration")
            .map(|(id, r)| registry_scanning(r, id))
            .collect(),
    }
}
