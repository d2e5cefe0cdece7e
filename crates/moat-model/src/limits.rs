//! Limits on the work and memory that one scanned input may cost.
//!
//! A scanned repository is untrusted: a few lines of valid-looking configuration can ask for
//! a string of a terabyte, a list of 10^10 elements, or modules that call each other with
//! `count` until the machine runs out of memory. Every frontend evaluates within these limits;
//! an overrun is an `errors` entry at the expression's file:line, the value becomes unknown,
//! and the scan goes on with everything else.
//!
//! The defaults are far above anything a real estate needs (see `docs/RELIABILITY.md` for the
//! figures measured on real configurations) and can be raised with `--limit NAME=N` or the
//! `[limits]` table of `moat.toml`.

use std::fmt;

/// Evaluation limits. Each applies to one root module (one estate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest string an expression may produce, in bytes.
    pub max_string_bytes: usize,
    /// Most elements one list, set, map or object may hold.
    pub max_collection_len: usize,
    /// Most module instances (every `count`/`for_each` instance of every call, at any depth).
    pub max_module_instances: usize,
    /// Most resource and data source instances.
    pub max_resource_instances: usize,
    /// Total evaluation work: one unit per expression evaluated and per collection element
    /// or 64 string bytes produced. One item (a resource, a module call, a local, an
    /// output) may use a fifth of it: past that, that item is unknown and the others are
    /// still evaluated. When all of it runs out, the remaining values are unknown.
    pub fuel: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_string_bytes: 1024 * 1024,
            max_collection_len: 100_000,
            max_module_instances: 5_000,
            max_resource_instances: 25_000,
            fuel: 5_000_000,
        }
    }
}

/// The names users write (`--limit fuel=50000000`, `[limits] fuel = 50000000`).
pub const LIMIT_NAMES: &[&str] = &[
    "max_string_bytes",
    "max_collection_len",
    "max_module_instances",
    "max_resource_instances",
    "fuel",
];

/// A limit name or value that is not valid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("unknown limit `{0}` (known: max_string_bytes, max_collection_len, max_module_instances, max_resource_instances, fuel)")]
    Unknown(String),
    #[error("limit `{name}` must be a whole number greater than 0, found `{value}`")]
    Value { name: String, value: String },
}

impl Limits {
    /// Set one limit by name.
    pub fn set(&mut self, name: &str, value: u64) -> Result<(), LimitError> {
        if value == 0 {
            return Err(LimitError::Value {
                name: name.to_string(),
                value: value.to_string(),
            });
        }
        let as_usize = usize::try_from(value).unwrap_or(usize::MAX);
        match name {
            "max_string_bytes" => self.max_string_bytes = as_usize,
            "max_collection_len" => self.max_collection_len = as_usize,
            "max_module_instances" => self.max_module_instances = as_usize,
            "max_resource_instances" => self.max_resource_instances = as_usize,
            "fuel" => self.fuel = value,
            other => return Err(LimitError::Unknown(other.to_string())),
        }
        Ok(())
    }

    /// Whether any limit is higher than in `base` (an untrusted configuration may only lower
    /// limits).
    pub fn raises(&self, base: &Limits) -> bool {
        self.max_string_bytes > base.max_string_bytes
            || self.max_collection_len > base.max_collection_len
            || self.max_module_instances > base.max_module_instances
            || self.max_resource_instances > base.max_resource_instances
            || self.fuel > base.fuel
    }

    /// Parse `NAME=N` (as given to `--limit`) and set it.
    pub fn set_pair(&mut self, pair: &str) -> Result<(), LimitError> {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = name.trim();
        if !LIMIT_NAMES.contains(&name) {
            return Err(LimitError::Unknown(name.to_string()));
        }
        let v: u64 = value
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| LimitError::Value {
                name: name.to_string(),
                value: value.to_string(),
            })?;
        self.set(name, v)
    }
}

/// Which limit was exceeded, for messages that tell the user how to raise it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    StringBytes,
    CollectionLen,
    ModuleInstances,
    ResourceInstances,
    Fuel,
}

impl Limit {
    pub fn name(self) -> &'static str {
        match self {
            Limit::StringBytes => "max_string_bytes",
            Limit::CollectionLen => "max_collection_len",
            Limit::ModuleInstances => "max_module_instances",
            Limit::ResourceInstances => "max_resource_instances",
            Limit::Fuel => "fuel",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_by_name() {
        let mut l = Limits::default();
        l.set_pair("fuel=1_000").unwrap();
        assert_eq!(l.fuel, 1000);
        l.set_pair("max_string_bytes = 10").unwrap();
        assert_eq!(l.max_string_bytes, 10);
        assert_eq!(
            l.set_pair("speed=1"),
            Err(LimitError::Unknown("speed".into()))
        );
        assert!(matches!(
            l.set_pair("fuel=0"),
            Err(LimitError::Value { .. })
        ));
        assert!(matches!(
            l.set_pair("fuel=lots"),
            Err(LimitError::Value { .. })
        ));
        let base = Limits::default();
        let mut lower = base;
        lower.set("fuel", 10).unwrap();
        assert!(!lower.raises(&base));
        lower.set("max_string_bytes", u64::MAX).unwrap();
        assert!(lower.raises(&base));
    }
}
