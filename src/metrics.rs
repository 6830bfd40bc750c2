//! Prometheus metrics: one explicit registry and every metric warden exports.
//! Labels are bounded (action, outcome, surface, kind…), never run ids.

use prometheus::core::Collector;
use prometheus::{
    Counter, Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    Opts, Registry, TextEncoder,
};

/// Latency buckets from 10 µs to 5 s: policy checks are microseconds, store calls milliseconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The known values of each bounded label, initialised to zero at start so
/// dashboards and alert rules see zeros, not missing series, on a fresh instance.
/// Emitters use these same strings.
pub mod labels {
    /// `warden_policy_decisions_total{outcome}`.
    pub const DECISION_OUTCOMES: &[&str] = &["allowed", "denied", "approval"];
    /// `warden_request_*{surface}`: the surfaces that serve requests.
    pub const SURFACES: &[&str] = &["http", "nats", "cli"];
    /// `warden_audit_events_total{kind}`.
    pub const AUDIT_KINDS: &[&str] = &["decision", "budget", "approval"];
    /// `warden_policy_reloads_total{outcome}`.
    pub const RELOAD_OUTCOMES: &[&str] = &["ok", "rejected"];
    /// `warden_log_pipeline_messages_total{outcome}`.
    pub const LOG_PIPELINE_OUTCOMES: &[&str] = &["redacted", "dlq", "retry"];
    /// `warden_dlq_messages_total{origin}`.
    pub const DLQ_ORIGINS: &[&str] = &["logs", "spend"];
    /// `warden_spend_stream_messages_total{outcome}`.
    pub const SPEND_STREAM_OUTCOMES: &[&str] = &["recorded", "dlq", "retry"];
    /// `warden_budget_operations_total{op}` and `warden_budget_store_duration_seconds{op}`.
    pub const BUDGET_OPS: &[&str] = &[
        "create",
        "spend",
        "get",
        "can_spend",
        "reserve",
        "commit",
        "release",
        "set_limit",
        "reset",
    ];
    /// `warden_budget_operations_total{outcome}`.
    pub const BUDGET_OUTCOMES: &[&str] = &[
        "ok",
        "not_found",
        "conflict",
        "invalid",
        "unavailable",
        "error",
    ];
    /// `warden_redactions_total{kind}` for values of caller-named env vars.
    pub const ENV_VAR_KIND: &str = "ENV_VAR";
}

/// Every metric warden exports, registered once at start.
pub struct Metrics {
    registry: Registry,
    pub policy_decisions: IntCounterVec,
    pub request_duration: HistogramVec,
    pub request_errors: IntCounterVec,
    pub audit_events: IntCounterVec,
    pub audit_publish_failures: IntCounter,
    pub audit_dropped: IntCounter,
    pub audit_spool_events: IntGauge,
    pub budget_alerts_relayed: IntCounter,
    pub policy_reloads: IntCounterVec,
    pub redactions: IntCounterVec,
    pub redact_bytes: IntCounter,
    pub redact_lines: IntCounter,
    pub log_pipeline_messages: IntCounterVec,
    pub log_pipeline_lag: IntGauge,
    pub log_pipeline_processing: Histogram,
    pub dlq_messages: IntCounterVec,
    pub budget_spend: Counter,
    pub budget_operations: IntCounterVec,
    pub budget_alerts: IntCounterVec,
    pub budget_exceeded: IntCounter,
    pub budget_utilization: Histogram,
    pub budget_store_errors: IntCounter,
    pub budget_store_duration: HistogramVec,
    pub spend_stream_messages: IntCounterVec,
}

fn counter_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let metric = IntCounterVec::new(Opts::new(name, help), labels)
        .unwrap_or_else(|e| panic!("metric {name} definition is invalid: {e}"));
    register(registry, Box::new(metric.clone()));
    metric
}

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    let metric = IntCounter::new(name, help)
        .unwrap_or_else(|e| panic!("metric {name} definition is invalid: {e}"));
    register(registry, Box::new(metric.clone()));
    metric
}

fn histogram_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
    buckets: &[f64],
) -> HistogramVec {
    let metric = HistogramVec::new(
        HistogramOpts::new(name, help).buckets(buckets.to_vec()),
        labels,
    )
    .unwrap_or_else(|e| panic!("metric {name} definition is invalid: {e}"));
    register(registry, Box::new(metric.clone()));
    metric
}

fn histogram(registry: &Registry, name: &str, help: &str, buckets: &[f64]) -> Histogram {
    let metric = Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.to_vec()))
        .unwrap_or_else(|e| panic!("metric {name} definition is invalid: {e}"));
    register(registry, Box::new(metric.clone()));
    metric
}

/// Registration only fails on duplicate names, a programming error caught by the unit test.
fn register(registry: &Registry, metric: Box<dyn prometheus::core::Collector>) {
    if let Err(e) = registry.register(metric) {
        panic!("metric registration failed: {e}");
    }
}

impl Metrics {
    pub fn new() -> Self {
        let r = Registry::new();
        let metrics = Metrics {
            policy_decisions: counter_vec(
                &r,
                "warden_policy_decisions_total",
                "Policy decisions by action type, outcome (allowed, denied, approval) and category of danger seen (none when nothing was).",
                &["action", "outcome", "category"],
            ),
            request_duration: histogram_vec(
                &r,
                "warden_request_duration_seconds",
                "Time to answer one request, by surface (http, nats, cli) and operation.",
                &["surface", "op"],
                LATENCY_BUCKETS,
            ),
            request_errors: counter_vec(
                &r,
                "warden_request_errors_total",
                "Requests answered with an error, by surface and error code.",
                &["surface", "code"],
            ),
            audit_events: counter_vec(
                &r,
                "warden_audit_events_total",
                "Audit events published, by kind.",
                &["kind"],
            ),
            audit_publish_failures: counter(
                &r,
                "warden_audit_publish_failures_total",
                "Audit events that could not be published to JetStream.",
            ),
            audit_dropped: counter(
                &r,
                "warden_audit_dropped_total",
                "Audit events lost: neither published nor spooled (spool full or unwritable).",
            ),
            audit_spool_events: IntGauge::new(
                "warden_audit_spool_events",
                "Audit events waiting in the local spool for JetStream (0 when NATS keeps up).",
            )
            .inspect(|g| register(&r, Box::new(g.clone())))
            .unwrap_or_else(|e| panic!("metric definition is invalid: {e}")),
            budget_alerts_relayed: counter(
                &r,
                "warden_budget_alerts_relayed_total",
                "Budget alerts published by the outbox relay (their first publish failed or its instance died).",
            ),
            policy_reloads: counter_vec(
                &r,
                "warden_policy_reloads_total",
                "Policy file reloads, by outcome (ok, rejected).",
                &["outcome"],
            ),
            redactions: counter_vec(
                &r,
                "warden_redactions_total",
                "Secrets redacted, by kind.",
                &["kind"],
            ),
            redact_bytes: counter(
                &r,
                "warden_redact_bytes_total",
                "Bytes of text passed through the redactor.",
            ),
            redact_lines: counter(
                &r,
                "warden_redact_lines_total",
                "Log messages or requests passed through the redactor.",
            ),
            log_pipeline_messages: counter_vec(
                &r,
                "warden_log_pipeline_messages_total",
                "Messages handled by the LOGS_RAW redaction pipeline, by outcome (redacted, dlq, retry).",
                &["outcome"],
            ),
            log_pipeline_lag: IntGauge::new(
                "warden_log_pipeline_lag_messages",
                "Messages waiting in LOGS_RAW for the warden-redactor consumer.",
            )
            .inspect(|g| register(&r, Box::new(g.clone())))
            .unwrap_or_else(|e| panic!("metric definition is invalid: {e}")),
            log_pipeline_processing: histogram(
                &r,
                "warden_log_pipeline_processing_seconds",
                "Time from fetching a raw log message to acking it after its redacted copy is stored.",
                LATENCY_BUCKETS,
            ),
            dlq_messages: counter_vec(
                &r,
                "warden_dlq_messages_total",
                "Messages sent to a dead-letter subject, by origin (logs, spend).",
                &["origin"],
            ),
            budget_spend: Counter::new(
                "warden_budget_spend_total",
                "Money recorded as spent, in budget currency units (the ledger itself is exact; this sum is for rates).",
            )
            .inspect(|c| register(&r, Box::new(c.clone())))
            .unwrap_or_else(|e| panic!("metric definition is invalid: {e}")),
            budget_operations: counter_vec(
                &r,
                "warden_budget_operations_total",
                "Budget operations by operation and outcome.",
                &["op", "outcome"],
            ),
            budget_alerts: counter_vec(
                &r,
                "warden_budget_alerts_total",
                "Budget threshold alerts fired, by threshold percent.",
                &["threshold"],
            ),
            budget_exceeded: counter(
                &r,
                "warden_budget_exceeded_total",
                "Runs whose circuit breaker tripped (spent went over the limit).",
            ),
            budget_utilization: histogram(
                &r,
                "warden_budget_utilization_ratio",
                "Spent divided by limit, observed at each spend.",
                &[0.1, 0.25, 0.5, 0.75, 0.8, 0.9, 0.95, 1.0, 1.1, 1.5, 2.0],
            ),
            budget_store_errors: counter(
                &r,
                "warden_budget_store_errors_total",
                "Budget store calls that failed (Redis unavailable, timeout).",
            ),
            budget_store_duration: histogram_vec(
                &r,
                "warden_budget_store_duration_seconds",
                "Time of one budget store call, by operation.",
                &["op"],
                LATENCY_BUCKETS,
            ),
            spend_stream_messages: counter_vec(
                &r,
                "warden_spend_stream_messages_total",
                "Messages consumed from SAFETY_SPEND, by outcome (recorded, dlq, retry; a duplicate is recorded once).",
                &["outcome"],
            ),
            registry: r,
        };
        metrics.init_policy_series();
        metrics.init_labelled_series();
        metrics
    }

    /// Zeros for every other labelled metric's known label values.
    fn init_labelled_series(&self) {
        use crate::error::ErrorCode;
        use crate::service::Request;
        for surface in labels::SURFACES {
            for code in ErrorCode::ALL {
                self.request_errors
                    .with_label_values(&[surface, code.as_str()]);
            }
            for op in Request::NAMES {
                self.request_duration.with_label_values(&[surface, op]);
            }
        }
        let single: [(&IntCounterVec, &[&str]); 5] = [
            (&self.audit_events, labels::AUDIT_KINDS),
            (&self.policy_reloads, labels::RELOAD_OUTCOMES),
            (&self.log_pipeline_messages, labels::LOG_PIPELINE_OUTCOMES),
            (&self.dlq_messages, labels::DLQ_ORIGINS),
            (&self.spend_stream_messages, labels::SPEND_STREAM_OUTCOMES),
        ];
        for (metric, values) in single {
            for value in values {
                metric.with_label_values(&[value]);
            }
        }
        let kinds = crate::redact::kinds().iter().chain([&labels::ENV_VAR_KIND]);
        for kind in kinds {
            self.redactions.with_label_values(&[kind]);
        }
        for op in labels::BUDGET_OPS {
            self.budget_store_duration.with_label_values(&[op]);
            for outcome in labels::BUDGET_OUTCOMES {
                self.budget_operations.with_label_values(&[op, outcome]);
            }
        }
    }

    /// Zeros for the configured alert thresholds (known only from the config).
    pub fn init_alert_thresholds(&self, thresholds: &[u32]) {
        for threshold in thresholds {
            self.budget_alerts
                .with_label_values(&[&threshold.to_string()]);
        }
    }

    /// Dashboards and alert rules see zeros, not missing series, on a fresh instance.
    fn init_policy_series(&self) {
        use crate::policy::{ActionType, Category};
        let categories = Category::ALL
            .iter()
            .map(|c| c.as_str())
            .chain(std::iter::once("none"));
        for category in categories {
            for action in ActionType::ALL {
                for outcome in labels::DECISION_OUTCOMES {
                    self.policy_decisions
                        .with_label_values(&[action.as_str(), outcome, category]);
                }
            }
        }
    }

    /// Names of every metric family registered (including vectors with no
    /// samples yet, which the text exposition omits). Histograms export
    /// `_bucket`, `_sum` and `_count` series under these names.
    pub fn family_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .registry
            .gather()
            .iter()
            .map(|family| family.name().to_string())
            .collect();
        for vec_name in [
            self.policy_decisions.desc(),
            self.request_errors.desc(),
            self.audit_events.desc(),
            self.policy_reloads.desc(),
            self.redactions.desc(),
            self.log_pipeline_messages.desc(),
            self.dlq_messages.desc(),
            self.budget_operations.desc(),
            self.budget_alerts.desc(),
            self.spend_stream_messages.desc(),
            self.request_duration.desc(),
            self.budget_store_duration.desc(),
        ] {
            names.extend(vec_name.iter().map(|d| d.fq_name.clone()));
        }
        names.sort();
        names.dedup();
        names
    }

    /// Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(cause = %e, "metrics encoding failed");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_registers_and_encodes_with_help() {
        let metrics = Metrics::new();
        metrics
            .policy_decisions
            .with_label_values(&["deploy", "denied", "none"])
            .inc();
        let text = metrics.encode();
        assert!(text.contains("# HELP warden_policy_decisions_total"));
        assert!(text.contains(
            r#"warden_policy_decisions_total{action="execute_code",category="exfiltration",outcome="denied"} 0"#
        ));
        assert!(text.contains(
            r#"warden_policy_decisions_total{action="deploy",category="none",outcome="denied"} 1"#
        ));
    }

    #[test]
    fn a_fresh_instance_exports_zeros_for_every_labelled_metric() {
        let metrics = Metrics::new();
        metrics.init_alert_thresholds(&[50, 80, 100]);
        let text = metrics.encode();
        for zero in [
            r#"warden_request_errors_total{code="store_unavailable",surface="http"} 0"#,
            r#"warden_request_errors_total{code="internal",surface="nats"} 0"#,
            r#"warden_request_duration_seconds_count{op="check",surface="http"} 0"#,
            r#"warden_request_duration_seconds_count{op="budget_spend",surface="cli"} 0"#,
            r#"warden_audit_events_total{kind="decision"} 0"#,
            r#"warden_audit_events_total{kind="approval"} 0"#,
            r#"warden_policy_reloads_total{outcome="rejected"} 0"#,
            r#"warden_redactions_total{kind="OPENAI_API_KEY"} 0"#,
            r#"warden_redactions_total{kind="ENV_VAR"} 0"#,
            r#"warden_log_pipeline_messages_total{outcome="dlq"} 0"#,
            r#"warden_dlq_messages_total{origin="spend"} 0"#,
            r#"warden_budget_operations_total{op="spend",outcome="unavailable"} 0"#,
            r#"warden_budget_operations_total{op="reset",outcome="ok"} 0"#,
            r#"warden_budget_store_duration_seconds_count{op="commit"} 0"#,
            r#"warden_budget_alerts_total{threshold="80"} 0"#,
            r#"warden_spend_stream_messages_total{outcome="retry"} 0"#,
        ] {
            assert!(text.contains(zero), "missing {zero}");
        }
        // Every registered family has at least one series in the exposition.
        for family in metrics.family_names() {
            assert!(
                text.contains(&format!("\n{family}")),
                "{family} has no series on a fresh instance"
            );
        }
    }
}
