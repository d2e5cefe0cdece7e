pub(crate) const FAMILY: &str = "kms";
