//! CloudFormation frontend: YAML and JSON templates -> resolved [`Estate`] -> typed AWS state.
//!
//! Pipeline (data flows one way):
//! 1. [`walk`]: find candidate files under the scanned path (`.yaml`, `.yml`, `.json`,
//!    `.template`; never `.tf.json`), confined to the scanned tree by [`moat_model::Sandbox`],
//!    and keep the ones whose content is a template ([`detect`]): `AWSTemplateFormatVersion`,
//!    or `Resources` whose entries have a `Type` `AWS::...`/`Custom::...`.
//! 2. [`parse`]: YAML (saphyr's marked YAML, which keeps tags) and JSON into [`moat_model::Node`]s
//!    with a location on every value. Short-form tags become their long forms
//!    (`!Ref X` -> `{"Ref": "X"}`, `!GetAtt A.B` -> `{"Fn::GetAtt": ["A", "B"]}`), so later
//!    stages see one form. Alias expansion and nesting depth are bounded.
//! 3. [`sam`]: the `AWS::Serverless-2016-10-31` transform, as SAM expands it.
//! 4. [`resolve`]: parameters, mappings, conditions, intrinsic functions, the
//!    `AWS::LanguageExtensions` transform and nested stacks -> one [`Estate`] per root template,
//!    whose resources are named by logical ID and whose attributes are the resolved
//!    `Properties`. A reference to another resource (`Ref`, `Fn::GetAtt`) stays a
//!    [`moat_model::Unknown::Computed`] naming it, which becomes an edge.
//! 5. [`adapt`]: the resolved resources into [`moat_model::aws::AwsState`], with the defaults
//!    that CloudFormation (the AWS API) applies.
//!
//! Bad input is a [`moat_model::ScanError`] with file and line; the scan goes on.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::print_stdout,
        clippy::print_stderr
    )
)]

pub mod adapt;
pub mod detect;
pub mod parse;
pub mod resolve;
pub mod sam;
pub mod walk;

use std::path::{Path, PathBuf};

use moat_model::{Estate, Limits};

pub use adapt::adapt;
pub use detect::is_template;
pub use parse::parse;

/// Inputs that come from the command line.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--parameter KEY=VALUE`, in the order given (later wins). A pseudo parameter
    /// (`AWS::Region`, `AWS::AccountId`...) may be given too; otherwise it is unknown.
    pub parameters: Vec<(String, String)>,
    /// `--parameter-file F`: the CloudFormation CLI's JSON format
    /// (`[{"ParameterKey": "K", "ParameterValue": "V"}]`) or the template configuration format
    /// (`{"Parameters": {"K": "V"}, "Tags": {...}}`), applied before `--parameter`.
    pub parameter_files: Vec<PathBuf>,
    /// Limits on sizes and work, per template.
    pub limits: Limits,
}

/// Load every root template under `path` (a directory, walked, or a single file). A template
/// used as a nested stack (`AWS::CloudFormation::Stack` with a local `TemplateURL`) by another
/// scanned template is read as part of its parent, not as a root. Returns one indexed,
/// adapted estate per root template (its [`Estate::root`] is the template's path), holding its
/// resources, errors (file:line), notes and source texts.
pub fn load(path: &Path, opts: &Options) -> Vec<Estate> {
    let mut estates = resolve::load(path, opts);
    for e in &mut estates {
        adapt::adapt(e);
    }
    estates
}

/// Parse, resolve and adapt one template given as text, with no file system access (nested
/// stacks are not read). Used by tests and the fuzz target; never panics.
pub fn parse_str(name: &str, text: &str) -> Estate {
    let mut e = resolve::load_str(name, text, &Options::default());
    adapt::adapt(&mut e);
    e
}
