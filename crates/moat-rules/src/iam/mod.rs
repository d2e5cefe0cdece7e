pub(crate) const FAMILY: &str = "iam";
