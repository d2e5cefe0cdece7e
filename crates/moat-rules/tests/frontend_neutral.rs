//! A rule runs on the typed state, whatever built it: here no frontend at all. The estate is
//! written by hand as a CloudFormation adapter would fill it (logical IDs, `AWS::` types,
//! CloudFormation property paths, a template's lines), and the rule's findings speak
//! CloudFormation: the resource, the line and the property path come from the state, not from
//! the rule.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use moat_model::aws::compute::{Instance, InstanceKind};
use moat_model::aws::Attr;
use moat_model::{Estate, Frontend, Loc, Resource, ResourceId, Status, Unknown};

fn at(line: u32) -> Loc {
    Loc::new("template.yaml", line, 5)
}

fn instance(id: ResourceId, decl: u32, tokens: Attr<String>) -> Instance {
    Instance {
        id,
        kind: InstanceKind::Instance,
        metadata_http_endpoint: Attr::default(
            "enabled".to_string(),
            at(decl),
            "MetadataOptions.HttpEndpoint",
            id,
        ),
        metadata_http_tokens: tokens,
        associate_public_ip_address: None,
        block_devices: Vec::new(),
        role: None,
    }
}

#[test]
fn imdsv2_rule_on_a_state_no_terraform_built() {
    let mut e = Estate::new();
    e.push(Resource::new(
        "WebServer",
        "AWS::EC2::Instance",
        "WebServer",
        Frontend::CloudFormation,
        at(10),
    ));
    e.push(Resource::new(
        "BatchServer",
        "AWS::EC2::Instance",
        "BatchServer",
        Frontend::CloudFormation,
        at(20),
    ));
    e.push(Resource::new(
        "LockedServer",
        "AWS::EC2::Instance",
        "LockedServer",
        Frontend::CloudFormation,
        at(30),
    ));
    // Indexing sorts the resources by address: take the ids after it.
    e.index();
    let web = e.by_address("WebServer").unwrap();
    let batch = e.by_address("BatchServer").unwrap();
    let locked = e.by_address("LockedServer").unwrap();
    e.aws.compute.instances = vec![
        // Written: `HttpTokens: optional` on line 14.
        instance(
            web,
            10,
            Attr::known(
                "optional".to_string(),
                at(14),
                "MetadataOptions.HttpTokens",
                web,
            ),
        ),
        // A parameter without value.
        instance(
            batch,
            20,
            Attr::unknown(
                Unknown::Parameter {
                    name: "TokensParam".into(),
                },
                at(23),
                "MetadataOptions.HttpTokens",
                batch,
            ),
        ),
        // Required: passes.
        instance(
            locked,
            30,
            Attr::known(
                "required".to_string(),
                at(33),
                "MetadataOptions.HttpTokens",
                locked,
            ),
        ),
    ];
    let f = moat_rules::check_only(&e, &["EC2001"]);
    let got: Vec<_> = f
        .iter()
        .map(|f| {
            (
                f.resource.as_str(),
                f.resource_type.as_str(),
                f.line,
                f.status,
                f.message.as_str(),
            )
        })
        .collect();
    // Sorted by file and line.
    assert_eq!(
        got,
        vec![
            (
                "WebServer",
                "AWS::EC2::Instance",
                14,
                Status::Fail,
                "`MetadataOptions.HttpTokens` is `optional`: IMDSv1 requests are answered, so an SSRF can read the role credentials",
            ),
            (
                "BatchServer",
                "AWS::EC2::Instance",
                23,
                Status::Unknown,
                "`MetadataOptions.HttpTokens` is unknown: parameter `TokensParam` has no value (no `Default`, not given with `--parameter`)",
            ),
        ]
    );
    assert!(f.iter().all(|x| x.file == "template.yaml"));
}
