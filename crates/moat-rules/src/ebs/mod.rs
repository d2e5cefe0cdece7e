pub(crate) const FAMILY: &str = "ebs";
