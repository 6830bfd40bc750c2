//! What follows a commit: the alerts and audit events a recorded spend sets
//! off, and the relay that publishes alerts left in outboxes. A [`Publisher`]
//! owns what it needs, so alert publishing runs detached from the request that
//! committed (see `Warden::after_spend`).
//!
//! Alerts follow the transactional-outbox pattern: the store script that
//! decides "threshold crossed" also writes the alert into the run's outbox; it
//! is deleted only after JetStream acknowledged the publish. Whatever is left
//! (NATS down, warden killed) is published by the relay of any instance.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Surface, Warden};
use crate::audit::{
    BudgetAlert, BudgetEvent, BudgetEventKind, EventSink, Outgoing, SinkError,
    AUDIT_SUBJECT_PREFIX, BUDGET_ALERT_SUBJECT_PREFIX,
};
use crate::budget::{BudgetStatus, BudgetTracker, Ledger, Money, OutboxAlert, SpendOutcome};
use crate::metrics::Metrics;

/// How often the relay looks for alerts left in outboxes.
const RELAY_EVERY: Duration = Duration::from_secs(5);
/// How long an alert waits before the relay takes it: the instance that wrote it
/// normally publishes it within milliseconds.
const RELAY_MIN_AGE: Duration = Duration::from_secs(10);
/// Runs looked at per relay pass.
const RELAY_BATCH: usize = 1000;

/// Publishes events through the sink and counts them.
#[derive(Clone)]
pub(crate) struct Publisher {
    events: Arc<dyn EventSink>,
    metrics: Arc<Metrics>,
    budgets: BudgetTracker,
}

impl Warden {
    pub(crate) fn publisher(&self) -> Publisher {
        Publisher {
            events: Arc::clone(&self.events),
            metrics: Arc::clone(&self.metrics),
            budgets: self.budgets.clone(),
        }
    }

    /// Publishes alerts left in outboxes until `shutdown`: once at start (what a
    /// crashed instance left), then every few seconds (what could not reach NATS).
    pub async fn run_alert_relay(self: Arc<Self>, shutdown: CancellationToken) {
        let publisher = self.publisher();
        let mut min_age = Duration::ZERO;
        loop {
            match publisher.relay_outboxes(min_age).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "alerts relayed from outboxes"),
                Err(e) => tracing::warn!(cause = %e, "alert relay pass failed; will retry"),
            }
            min_age = RELAY_MIN_AGE;
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(RELAY_EVERY) => {}
            }
        }
    }
}

impl Publisher {
    /// Audit events of one recorded (not duplicate) spend or commit.
    pub(crate) async fn audit_spend(&self, outcome: &SpendOutcome, surface: Surface) {
        let status = &outcome.status;
        if outcome.auto_created {
            self.audit_budget(BudgetEventKind::AutoCreated, surface, status)
                .await;
        }
        if outcome.tripped_now {
            self.audit_budget(BudgetEventKind::Tripped, surface, status)
                .await;
        }
    }

    /// Publishes alerts just decided; what JetStream does not take stays in the
    /// outbox for the relay.
    pub(crate) async fn publish_alerts(&self, alerts: &[OutboxAlert]) {
        for alert in alerts {
            if !self.publish_alert(alert).await {
                break;
            }
        }
    }

    /// One pass of the relay: publishes every alert of runs whose outbox waited at
    /// least `min_age`; stops at the first alert JetStream does not take.
    pub(crate) async fn relay_outboxes(
        &self,
        min_age: Duration,
    ) -> Result<usize, crate::budget::BudgetError> {
        let mut sent = 0;
        for run in self.budgets.outbox_runs(min_age, RELAY_BATCH).await? {
            for alert in self.budgets.outbox(&run).await? {
                if !self.publish_alert(&alert).await {
                    return Ok(sent);
                }
                sent += 1;
                self.metrics.budget_alerts_relayed.inc();
            }
        }
        Ok(sent)
    }

    /// Publishes one alert and, once acknowledged, removes it from its outbox.
    /// `false` when JetStream did not take it (it stays for the relay).
    async fn publish_alert(&self, alert: &OutboxAlert) -> bool {
        let status = BudgetStatus::from_ledger(
            &alert.run_id,
            &Ledger {
                limit: alert.limit,
                spent: alert.spent,
                held: Money::ZERO,
                tripped: alert.tripped,
            },
        );
        let time =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(alert.time_ms) * 1_000_000)
                .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
        let body = BudgetAlert {
            id: &alert.id,
            run_id: alert.run_id.as_str(),
            threshold: alert.threshold,
            status: &status,
            time,
        };
        let Ok(payload) = serde_json::to_vec(&body) else {
            return false;
        };
        let event = Outgoing {
            subject: format!("{BUDGET_ALERT_SUBJECT_PREFIX}.{}", alert.run_id),
            id: alert.id.clone(),
            payload,
        };
        if let Err(e) = self.events.alert(event).await {
            tracing::warn!(run_id = %alert.run_id, threshold = alert.threshold, cause = %e, "alert not published; it stays in the outbox");
            return false;
        }
        if let Err(e) = self.budgets.outbox_done(alert).await {
            // Published but still in the outbox: the relay sends it again, and the
            // same id lets JetStream and consumers drop the copy.
            tracing::warn!(run_id = %alert.run_id, cause = %e, "published alert not removed from the outbox");
        }
        true
    }

    pub(crate) async fn audit_budget(
        &self,
        kind: BudgetEventKind,
        surface: Surface,
        status: &BudgetStatus,
    ) {
        let event = BudgetEvent::new(kind, surface.as_str(), &status.run_id, Some(status));
        self.publish_audit(&event).await;
    }

    pub(crate) async fn publish_audit(&self, event: &BudgetEvent<'_>) {
        if let Ok(payload) = serde_json::to_vec(event) {
            let subject = format!("{AUDIT_SUBJECT_PREFIX}.budget");
            // A budget event is a fact about money already recorded: never refused.
            let _ = self
                .audit(subject, event.id.clone(), payload, "budget")
                .await;
        }
    }

    /// Hands one audit event to the sink and counts it (or its loss).
    pub(crate) async fn audit(
        &self,
        subject: String,
        id: String,
        payload: Vec<u8>,
        kind: &str,
    ) -> Result<(), SinkError> {
        let event = Outgoing {
            subject,
            id,
            payload,
        };
        let result = self.events.audit(event).await;
        match &result {
            Ok(()) => self.metrics.audit_events.with_label_values(&[kind]).inc(),
            Err(e) => {
                self.metrics.audit_dropped.inc();
                tracing::error!(kind, cause = %e, "audit event lost");
            }
        }
        result
    }

    /// Whether an action whose audit event was lost must be refused.
    pub(crate) fn audit_required(&self) -> bool {
        self.events.audit_required()
    }
}
