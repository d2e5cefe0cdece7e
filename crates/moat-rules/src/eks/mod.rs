pub(crate) const FAMILY: &str = "eks";
