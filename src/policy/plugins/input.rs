//! The input document a plugin sees (`schemas/plugin-input.json` describes it).

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::policy::shell::SimpleCommand;
use crate::policy::Decision;

/// Request fields copied from the context to the top level when present.
const LIFTED: [&str; 3] = ["run_id", "agent", "labels"];

/// Builds the input for one check.
///
/// `commands` is the analyser's list for `execute_code` (empty otherwise).
pub fn build(
    action: &str,
    context: &Value,
    surface: &str,
    builtin: &Decision,
    commands: &[SimpleCommand],
    now: OffsetDateTime,
) -> Value {
    let mut doc = Map::new();
    doc.insert("action".into(), Value::String(action.to_string()));
    doc.insert("context".into(), context.clone());
    for key in LIFTED {
        if let Some(v) = context.get(key) {
            doc.insert(key.into(), v.clone());
        }
    }
    doc.insert("surface".into(), Value::String(surface.to_string()));
    doc.insert(
        "time".into(),
        json!({
            "rfc3339": now.format(&Rfc3339).unwrap_or_default(),
            "unix": now.unix_timestamp(),
            "unix_ns": i64::try_from(now.unix_timestamp_nanos()).unwrap_or(i64::MAX),
        }),
    );
    doc.insert(
        "decision".into(),
        json!({
            "allowed": builtin.allowed,
            "requires_approval": builtin.requires_approval,
            "rule": builtin.rule,
            "category": builtin.category.map(|c| c.as_str()),
            "risk": builtin.risk,
        }),
    );
    doc.insert("analysis".into(), json!({ "commands": commands }));
    Value::Object(doc)
}
