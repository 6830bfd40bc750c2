//! The redact operation: text in, redacted text and findings out, counted.

use std::borrow::Cow;

use super::{RedactRequest, RedactResponse, Warden};

impl Warden {
    pub fn redact(&self, request: RedactRequest) -> RedactResponse {
        let names: Cow<'_, [String]> = if request.env_vars.is_empty() {
            Cow::Borrowed(&self.redact_env_names)
        } else {
            let mut names = self.redact_env_names.clone();
            names.extend(request.env_vars);
            Cow::Owned(names)
        };
        let redacted = self.redactor.redact_env_vars(&request.text, &names);
        self.count_redaction(
            request.text.len(),
            redacted.findings.iter().map(|f| f.kind.as_ref()),
        );
        RedactResponse {
            text: redacted.text.into_owned(),
            findings: redacted.findings,
        }
    }

    /// Counts one redacted text (a request or a log message): its size and the
    /// kinds found in it. The one place redaction metrics are recorded.
    pub fn count_redaction<'a>(&self, bytes: usize, kinds: impl IntoIterator<Item = &'a str>) {
        self.metrics.redact_lines.inc();
        self.metrics.redact_bytes.inc_by(bytes as u64);
        for kind in kinds {
            self.metrics
                .redactions
                .with_label_values(&[metric_kind(kind)])
                .inc();
        }
    }
}

/// Named env vars are caller-chosen names: label them all `ENV_VAR` so the
/// metric's cardinality stays bounded by the redactor's own kinds.
fn metric_kind(kind: &str) -> &str {
    if crate::redact::kinds().contains(&kind) {
        kind
    } else {
        crate::metrics::labels::ENV_VAR_KIND
    }
}
