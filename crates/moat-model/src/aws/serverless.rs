//! The serverless family of the typed state: lambda functions and function URLs.

/// Lambda functions and function URLs.
#[derive(Clone, Debug, Default)]
pub struct Serverless {}
