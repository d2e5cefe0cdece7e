pub(crate) const FAMILY: &str = "cloudtrail";
