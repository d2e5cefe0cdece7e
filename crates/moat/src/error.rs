//! Errors of the command line. Exit code 2.

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad arguments, or an input that cannot be used at all.
    #[error("{0}")]
    Usage(String),
    /// The same, with advice for the user (printed on a `help:` line below the message).
    #[error("{message}")]
    UsageHelp { message: String, help: String },
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

impl CliError {
    pub fn usage(msg: impl Into<String>) -> Self {
        CliError::Usage(msg.into())
    }

    pub fn usage_help(msg: impl Into<String>, help: impl Into<String>) -> Self {
        CliError::UsageHelp {
            message: msg.into(),
            help: help.into(),
        }
    }

    /// The advice that goes with the error, if any.
    pub fn help(&self) -> Option<&str> {
        match self {
            CliError::UsageHelp { help, .. } => Some(help),
            _ => None,
        }
    }
}

impl From<moat_core::Error> for CliError {
    /// The library's errors are about the user's input: usage errors, exit 2.
    fn from(e: moat_core::Error) -> Self {
        match e {
            moat_core::Error::UsageHelp { message, help } => CliError::UsageHelp { message, help },
            other => CliError::Usage(other.to_string()),
        }
    }
}

impl From<serde_json::Error> for CliError {
    /// Writing JSON fails only when the output does (a closed pipe is then not an error).
    fn from(e: serde_json::Error) -> Self {
        CliError::Io(std::io::Error::from(e))
    }
}
