//! Error messages of the Terraform frontend.

use thiserror::Error;

/// Problems met while reading and evaluating Terraform. They become [`moat_model::ScanError`]s
/// and the scan goes on.
#[derive(Debug, Error)]
pub enum TfError {
    #[error("cannot read file: {0}")]
    Read(String),
    #[error("file is larger than 10 MB, skipped")]
    TooLarge,
    #[error("{0}")]
    Refused(String),
    #[error("file looks binary (contains NUL bytes), skipped")]
    Binary,
    #[error(
        "file is encoded in {0}, not UTF-8, skipped (convert it, e.g. `iconv -f {0} -t UTF-8`)"
    )]
    Utf16(&'static str),
    #[error("file is not valid UTF-8, skipped")]
    NotUtf8,
    #[error("`{what}` must be {expected}, found {found}")]
    WrongType {
        what: String,
        expected: &'static str,
        found: String,
    },
    #[error("cycle between resources: `{0}` (Terraform rejects this configuration); the values in the cycle are unknown")]
    ResourceCycle(String),
    #[error("references to `{0}` are not allowed here (a variable default, a tfvars value or a template's variables must be constant; Terraform rejects this)")]
    RefNotAllowed(String),
    #[error("evaluation stopped: the work limit `fuel` ({fuel} units) ran out in this root module; values not evaluated by then are unknown (raise it with `--limit fuel=N`, or `[limits]` in a `--config` file)")]
    FuelExhausted { fuel: u64 },
    #[error("this expression alone used more than its share of the work limit `fuel` ({fuel} units, a fifth of it); its value is unknown and the rest is still evaluated (raise it with `--limit fuel=N`, or `[limits]` in a `--config` file)")]
    ItemFuel { fuel: u64 },
    #[error("{what} exceeds the limit `{limit}` ({max}); {} (raise it with `--limit {limit}=N`, or `[limits]` in a `--config` file)", consequence(*.limit))]
    Limit {
        limit: moat_model::Limit,
        max: u64,
        what: String,
    },
    #[error("module `{name}` calls itself: `{chain}` (Terraform rejects recursive modules); it is not expanded again")]
    ModuleCycle { name: String, chain: String },
    #[error("cycle between locals: `{0}`")]
    LocalCycle(String),
    #[error("cannot read var file `{0}`: {1}")]
    VarFile(String, String),
    #[error("module `{0}` is nested too deeply (recursive module?)")]
    ModuleDepth(String),
}

fn consequence(limit: moat_model::Limit) -> &'static str {
    match limit {
        moat_model::Limit::ModuleInstances | moat_model::Limit::ResourceInstances => {
            "these instances are not analysed"
        }
        _ => "the value is unknown",
    }
}
