//! Every NATS subject warden subscribes to or publishes on, in one list: the
//! catalogue in `subjects/` is tested against it so the two never drift.

use super::streams::{DLQ_PREFIX, LOGS_RAW_SUBJECTS, SPEND_SUBJECTS};
use crate::audit::{AUDIT_SUBJECT_PREFIX, BUDGET_ALERT_SUBJECT_PREFIX};
use crate::service::Operation;

/// Subject patterns as they appear in the catalogue (`*` stands for one token
/// chosen at run time, `>` for the rest).
pub fn catalogue() -> Vec<String> {
    let mut subjects: Vec<String> = Operation::ALL
        .iter()
        .map(|op| op.subject().to_string())
        .collect();
    subjects.extend([
        LOGS_RAW_SUBJECTS.to_string(),
        "logs.redacted.>".to_string(),
        SPEND_SUBJECTS.to_string(),
        format!("{AUDIT_SUBJECT_PREFIX}.decision"),
        format!("{AUDIT_SUBJECT_PREFIX}.budget"),
        format!("{AUDIT_SUBJECT_PREFIX}.approval"),
        format!("{BUDGET_ALERT_SUBJECT_PREFIX}.*"),
        format!("{DLQ_PREFIX}.logs"),
        format!("{DLQ_PREFIX}.spend"),
    ]);
    subjects
}
