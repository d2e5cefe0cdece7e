pub(crate) const FAMILY: &str = "lb";
