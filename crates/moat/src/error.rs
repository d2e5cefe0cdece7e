//! Errors of the command line. Exit code 2.

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad arguments, or an input that cannot be used at all.
    #[error("{0}")]
    Usage(String),
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

impl CliError {
    pub fn usage(msg: impl Into<String>) -> Self {
        CliError::Usage(msg.into())
    }
}

impl From<serde_json::Error> for CliError {
    /// Writing JSON fails only when the output does (a closed pipe is then not an error).
    fn from(e: serde_json::Error) -> Self {
        CliError::Io(std::io::Error::from(e))
    }
}
