//! The policy check operation: decide, count, audit (with the context redacted).

use std::time::Instant;

use serde_json::Value;

use super::{CheckRequest, CheckResponse, Surface, Warden};
use crate::audit::{DecisionEvent, AUDIT_SUBJECT_PREFIX};
use crate::error::{ApiError, ErrorCode};
use crate::policy::Decision;

/// Audited context strings are cut to this many bytes (after redaction).
const AUDIT_STRING_LIMIT: usize = 1024;

impl Warden {
    pub async fn check(
        &self,
        request: CheckRequest,
        surface: Surface,
        actor: &str,
    ) -> Result<CheckResponse, ApiError> {
        if !self.events.audit_ready() {
            // Fail closed: a decision nobody can audit is not made.
            return Err(audit_unavailable());
        }
        let started = Instant::now();
        let mut decision =
            self.gate()
                .check_on(&request.action, &request.context, surface.as_str())?;
        let latency = started.elapsed();
        // Reasons and findings quote the command; a token in it must not reach
        // the audit trail (nor be sent back in the clear).
        self.redact_in_place(&mut decision.reason);
        for finding in &mut decision.findings {
            self.redact_in_place(finding);
        }
        self.metrics
            .policy_decisions
            .with_label_values(&[
                request.action.as_str(),
                outcome(&decision),
                category_label(decision.category),
            ])
            .inc();

        let decision_id = uuid::Uuid::now_v7().to_string();
        if decision.allowed && decision.requires_approval {
            // Recorded before answering: an approval that cannot be found later
            // is worse than a clear 503 now.
            self.request_approval(&decision_id, &request.action, actor, surface)
                .await?;
        }
        let mut context = request.context;
        self.redactor
            .redact_json_value(&mut context, &self.redact_env_names);
        truncate_strings(&mut context, AUDIT_STRING_LIMIT);
        let event = DecisionEvent::new(
            &decision_id,
            surface.as_str(),
            &request.action,
            &decision,
            &context,
            latency,
        );
        if let Ok(payload) = serde_json::to_vec(&event) {
            let subject = format!("{AUDIT_SUBJECT_PREFIX}.decision");
            let publisher = self.publisher();
            let audited = publisher
                .audit(subject, decision_id.clone(), payload, "decision")
                .await;
            if audited.is_err() && publisher.audit_required() {
                return Err(audit_unavailable());
            }
        }
        tracing::debug!(
            decision_id,
            action = request.action,
            allowed = decision.allowed,
            rule = decision.rule,
            "policy decision"
        );
        Ok(CheckResponse {
            decision,
            decision_id,
        })
    }
}

impl Warden {
    fn redact_in_place(&self, text: &mut String) {
        let redacted = self.redactor.redact_env_vars(text, &self.redact_env_names);
        if !redacted.findings.is_empty() {
            *text = redacted.text.into_owned();
        }
    }
}

/// The answer while audit events can be neither published nor spooled.
fn audit_unavailable() -> ApiError {
    ApiError::new(
        ErrorCode::Unavailable,
        "audit trail unavailable (spool full); decisions resume when NATS is back",
    )
}

/// The metrics label for a decision.
pub(crate) fn outcome(decision: &Decision) -> &'static str {
    match (decision.allowed, decision.requires_approval) {
        (false, _) => "denied",
        (true, true) => "approval",
        (true, false) => "allowed",
    }
}

/// The metrics label for a decision's category (`none` when nothing was seen).
pub(crate) fn category_label(category: Option<crate::policy::Category>) -> &'static str {
    category.map_or("none", crate::policy::Category::as_str)
}

fn truncate_strings(value: &mut Value, limit: usize) {
    match value {
        Value::String(s) if s.len() > limit => {
            let mut cut = limit;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            let dropped = s.len() - cut;
            s.truncate(cut);
            s.push_str(&format!("…[{dropped} bytes truncated]"));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| truncate_strings(v, limit)),
        Value::Object(map) => map.values_mut().for_each(|v| truncate_strings(v, limit)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_strings_are_cut_on_a_char_boundary() {
        let mut value = serde_json::json!({"a": "é".repeat(600), "b": ["short"]});
        truncate_strings(&mut value, 1001);
        let a = value["a"].as_str().expect("string");
        assert!(a.starts_with(&"é".repeat(500)));
        assert!(a.ends_with("[200 bytes truncated]"));
        assert_eq!(value["b"][0], "short");
    }
}
