//! The Terraform adapter of the messaging family ([`moat_model::aws::messaging`]).

use moat_model::aws::messaging::{Messaging, Queue, Topic};
use moat_model::aws::Attr;
use moat_model::{Estate, Resource, ResourceId, Unknown, Value};

use super::setting::bool_attr;

/// Build the messaging family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Messaging {
    let topics = e
        .managed_of_type("aws_sns_topic")
        .map(|(id, r)| Topic {
            id,
            kms_key: presence(r, id, "kms_master_key_id"),
        })
        .collect();
    let queues = e
        .managed_of_type("aws_sqs_queue")
        .map(|(id, r)| Queue {
            id,
            kms_key: presence(r, id, "kms_master_key_id"),
            // Optional and computed: AWS enables SSE-SQS on new queues unless told otherwise.
            managed_sse: bool_attr(
                r,
                id,
                "sqs_managed_sse_enabled",
                "sqs_managed_sse_enabled",
                true,
            ),
        })
        .collect();
    Messaging { topics, queues }
}

/// Whether an attribute that names something (a key, a function) is set: `Known(true)` for a
/// literal non-empty value or a reference to a resource not yet created (its value is known
/// only after apply, but it is certainly set), `Known(false)` when written empty (`""`, `[]`),
/// `Default(false)` when absent or `null`; other unresolved values are unknown. Located at the
/// attribute, or the resource when it is absent.
pub(super) fn presence(r: &Resource, id: ResourceId, path: &'static str) -> Attr<bool> {
    let loc = r.loc_of(path).clone();
    let Some(n) = r.path(path) else {
        return Attr::default(false, loc, path, id);
    };
    match &n.value {
        Value::Null => Attr::default(false, loc, path, id),
        Value::String(s) if s.is_empty() => Attr::known(false, loc, path, id),
        Value::List(l) if l.is_empty() => Attr::known(false, loc, path, id),
        Value::Unknown(Unknown::Computed { .. }) => Attr::known(true, loc, path, id),
        // Literal text around an unknown part: certainly a non-empty string.
        Value::Unknown(Unknown::Template { .. }) => Attr::known(true, loc, path, id),
        Value::Unknown(u) => Attr::unknown(u.clone(), loc, path, id),
        _ => Attr::known(true, loc, path, id),
    }
}
