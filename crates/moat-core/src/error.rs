//! Errors of the library: what the caller asked cannot be done with these inputs.

use crate::NothingRead;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Bad input: a path that does not exist, an invalid `moat.toml`, a query end that is not
    /// in the scanned files.
    #[error("{0}")]
    Usage(String),
    /// The same, with advice for the user.
    #[error("{message}")]
    UsageHelp { message: String, help: String },
    /// Nothing could be read or checked under the paths: there is nothing to answer about.
    #[error("{0}")]
    NothingRead(NothingRead),
}

impl Error {
    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }

    pub fn usage_help(msg: impl Into<String>, help: impl Into<String>) -> Self {
        Error::UsageHelp {
            message: msg.into(),
            help: help.into(),
        }
    }

    /// The advice that goes with the error, if any.
    pub fn help(&self) -> Option<&str> {
        match self {
            Error::UsageHelp { help, .. } => Some(help),
            _ => None,
        }
    }
}
