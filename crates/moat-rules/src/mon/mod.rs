pub(crate) const FAMILY: &str = "mon";
