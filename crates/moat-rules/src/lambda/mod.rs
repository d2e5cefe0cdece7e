pub(crate) const FAMILY: &str = "lambda";
