//! Parameter values given on the command line: `--parameter-file F` (the CloudFormation CLI's
//! JSON list or a template configuration file) then `--parameter KEY=VALUE`, later wins.

use std::collections::BTreeMap;
use std::path::Path;

use moat_model::{format_number, ScanError};

use crate::Options;

/// A value given for a parameter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Input {
    /// The value as text (lists as comma-separated text, as the CLI takes them).
    Value(String),
    /// `UsePreviousValue: true`: the deployed stack's value, unknown offline.
    Previous,
}

/// The parameter values given for every root template, and the errors met reading them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inputs {
    pub values: BTreeMap<String, Input>,
    pub errors: Vec<ScanError>,
}

impl Inputs {
    /// Read the parameter files then the `KEY=VALUE` pairs of `opts`.
    pub fn read(opts: &Options) -> Inputs {
        let mut inputs = Inputs::default();
        for f in &opts.parameter_files {
            inputs.read_file(f);
        }
        for (k, v) in &opts.parameters {
            inputs
                .values
                .insert(k.trim().to_string(), Input::Value(v.clone()));
        }
        inputs
    }

    fn read_file(&mut self, path: &Path) {
        let shown = path.to_string_lossy().into_owned();
        let bytes = match moat_model::sandbox::read_regular(
            path,
            &shown,
            moat_model::sandbox::DEFAULT_MAX_FILE_BYTES,
        ) {
            Ok(b) => b,
            Err(e) => {
                self.error(&shown, 0, format!("parameter file: {e}"));
                return;
            }
        };
        // UTF-8 (with or without a byte-order mark) or UTF-16, as PowerShell writes it.
        let text = match moat_model::files::decode(bytes) {
            Ok(t) => t,
            Err(e) => {
                let line = match e {
                    moat_model::files::DecodeError::NotUtf8 { line } => line,
                    _ => 0,
                };
                self.error(&shown, line, format!("parameter file: {e}"));
                return;
            }
        };
        let json: serde_json::Value = match serde_json::from_str(&text) {
            Ok(j) => j,
            Err(e) => {
                let line = u32::try_from(e.line()).unwrap_or(0);
                self.error(
                    &shown,
                    line,
                    format!("parameter file is not valid JSON: {e}"),
                );
                return;
            }
        };
        match &json {
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let key = item.get("ParameterKey").and_then(|k| k.as_str());
                    let Some(key) = key else {
                        self.error(
                            &shown,
                            0,
                            format!("parameter file entry {i} has no `ParameterKey`"),
                        );
                        continue;
                    };
                    if item.get("UsePreviousValue").and_then(|v| v.as_bool()) == Some(true) {
                        self.values.insert(key.to_string(), Input::Previous);
                        continue;
                    }
                    match item.get("ParameterValue").and_then(json_text) {
                        Some(v) => {
                            self.values.insert(key.to_string(), Input::Value(v));
                        }
                        None => self.error(
                            &shown,
                            0,
                            format!("parameter file entry `{key}` has no `ParameterValue`"),
                        ),
                    }
                }
            }
            serde_json::Value::Object(o) if o.contains_key("Parameters") => {
                match o.get("Parameters") {
                    Some(serde_json::Value::Object(params)) => {
                        for (k, v) in params {
                            match json_text(v) {
                                Some(t) => {
                                    self.values.insert(k.clone(), Input::Value(t));
                                }
                                None => self.error(
                                    &shown,
                                    0,
                                    format!("parameter `{k}` in the parameter file is not a string"),
                                ),
                            }
                        }
                    }
                    _ => self.error(
                        &shown,
                        0,
                        "`Parameters` in the parameter file is not an object".into(),
                    ),
                }
            }
            _ => self.error(
                &shown,
                0,
                "not a CloudFormation parameter file: expected a list of `ParameterKey`/`ParameterValue` entries or an object with `Parameters`".into(),
            ),
        }
    }

    fn error(&mut self, file: &str, line: u32, message: String) {
        self.errors.push(ScanError {
            file: file.to_string(),
            line,
            message,
        });
    }
}

/// A parameter value in a file as the text CloudFormation takes (lists comma-separated).
fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => n.as_f64().map(format_number),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Array(a) => {
            let parts: Option<Vec<String>> = a.iter().map(json_text).collect();
            parts.map(|p| p.join(","))
        }
        _ => None,
    }
}
