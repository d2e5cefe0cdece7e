//! Error messages of the Terraform frontend.

use thiserror::Error;

/// Problems met while reading and evaluating Terraform. They become [`moat_model::ScanError`]s
/// and the scan goes on.
#[derive(Debug, Error)]
pub enum TfError {
    #[error("cannot read file: {0}")]
    Read(String),
    #[error("file is larger than 10 MB ({0} bytes), skipped")]
    TooLarge(u64),
    #[error("file looks binary (contains NUL bytes), skipped")]
    Binary,
    #[error("file is not valid UTF-8, skipped")]
    NotUtf8,
    #[error("symlink loop, not followed")]
    SymlinkLoop,
    #[error("cannot walk directory: {0}")]
    Walk(String),
    #[error("`{what}` must be {expected}, found {found}")]
    WrongType {
        what: String,
        expected: &'static str,
        found: String,
    },
    #[error("cycle between locals: `{0}`")]
    LocalCycle(String),
    #[error("cannot read var file `{0}`: {1}")]
    VarFile(String, String),
    #[error("module `{0}` is nested too deeply (recursive module?)")]
    ModuleDepth(String),
}
