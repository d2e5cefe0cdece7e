//! ElastiCache (seed 001: "암호화: 전송 중/저장 데이터 암호화").

pub(crate) mod at_rest_encryption;
pub(crate) mod transit_encryption;

use moat_model::{Resource, Value};

pub(crate) const FAMILY: &str = "elasticache";

/// The engine of a replication group (`redis` when unset), or why it is unknown.
pub(crate) fn engine(r: &Resource) -> Result<&str, String> {
    match r.get("engine").map(|n| &n.value) {
        None | Some(Value::Null) => Ok("redis"),
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(Value::Unknown(u)) => Err(format!("`engine` is unknown: {u}")),
        Some(v) => Err(format!("`engine` is `{v}`")),
    }
}

/// Members of a global datastore take their encryption settings from it.
pub(crate) fn in_global_datastore(r: &Resource) -> bool {
    r.get("global_replication_group_id")
        .is_some_and(|n| !n.is_null())
}
