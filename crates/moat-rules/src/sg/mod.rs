pub(crate) const FAMILY: &str = "sg";
