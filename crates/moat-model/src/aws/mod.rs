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
pub mod network;

pub use attr::{Attr, AttrValue};

/// The typed state of one estate, by service family.
#[derive(Clone, Debug, Default)]
pub struct AwsState {
    /// VPCs, subnets, routing, gateways, security groups, NACLs, ENIs, load balancers.
    pub network: network::Network,
}
