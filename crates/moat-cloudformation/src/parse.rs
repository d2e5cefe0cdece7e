//! YAML and JSON templates into [`moat_model::Node`]s with locations (being written).
