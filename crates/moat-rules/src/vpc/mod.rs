pub(crate) const FAMILY: &str = "vpc";
