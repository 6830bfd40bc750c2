//! The redact operation: text in, redacted text and findings out, counted.

use super::{RedactRequest, RedactResponse, Warden};

impl Warden {
    pub fn redact(&self, request: RedactRequest) -> RedactResponse {
        let mut names = self.redact_env_names.clone();
        names.extend(request.env_vars);
        let redacted = self.redactor.redact_env_vars(&request.text, &names);
        self.metrics.redact_lines.inc();
        self.metrics.redact_bytes.inc_by(request.text.len() as u64);
        for finding in &redacted.findings {
            self.metrics
                .redactions
                .with_label_values(&[metric_kind(&finding.kind)])
                .inc();
        }
        RedactResponse {
            text: redacted.text.into_owned(),
            findings: redacted.findings,
        }
    }
}

/// Named env vars are caller-chosen names: label them all `ENV_VAR` so the
/// metric's cardinality stays bounded by the redactor's own kinds.
pub fn metric_kind(kind: &str) -> &str {
    if crate::redact::kinds().contains(&kind) {
        kind
    } else {
        "ENV_VAR"
    }
}
