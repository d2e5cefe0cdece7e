pub(crate) const FAMILY: &str = "ec2";
