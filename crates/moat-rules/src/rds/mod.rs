pub(crate) const FAMILY: &str = "rds";
