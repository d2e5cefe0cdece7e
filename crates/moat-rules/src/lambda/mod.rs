//! Lambda: encryption of function environment variables and authorization of function URLs
//! ([Security in AWS Lambda](https://docs.aws.amazon.com/lambda/latest/dg/lambda-security.html)).

pub(crate) mod env_encryption;
pub(crate) mod public_url;

pub(crate) const FAMILY: &str = "lambda";
