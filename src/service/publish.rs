//! What follows a commit: the alerts and audit events a recorded spend sets
//! off. A [`Publisher`] owns what it needs, so this work can run detached from
//! the request that committed (see `Warden::after_spend`).

use std::sync::Arc;

use super::{Surface, Warden};
use crate::audit::{
    BudgetAlert, BudgetEvent, BudgetEventKind, EventSink, AUDIT_SUBJECT_PREFIX,
    BUDGET_ALERT_SUBJECT_PREFIX,
};
use crate::budget::{BudgetStatus, SpendOutcome};
use crate::metrics::Metrics;

/// Publishes events through the sink and counts them.
#[derive(Clone)]
pub(crate) struct Publisher {
    events: Arc<dyn EventSink>,
    metrics: Arc<Metrics>,
}

impl Warden {
    pub(crate) fn publisher(&self) -> Publisher {
        Publisher {
            events: Arc::clone(&self.events),
            metrics: Arc::clone(&self.metrics),
        }
    }
}

impl Publisher {
    /// Audit events and alerts of one recorded (not duplicate) spend or commit.
    pub(crate) async fn after_spend(&self, outcome: &SpendOutcome, surface: Surface) {
        let status = &outcome.status;
        if outcome.auto_created {
            self.audit_budget(BudgetEventKind::AutoCreated, surface, status)
                .await;
        }
        if outcome.tripped_now {
            self.audit_budget(BudgetEventKind::Tripped, surface, status)
                .await;
        }
        for &threshold in &outcome.alerts {
            let alert = BudgetAlert {
                run_id: &status.run_id,
                threshold,
                status,
                time: time::OffsetDateTime::now_utc(),
            };
            if let Ok(payload) = serde_json::to_vec(&alert) {
                let subject = format!("{BUDGET_ALERT_SUBJECT_PREFIX}.{}", status.run_id);
                self.events.publish(subject, payload).await;
            }
        }
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
            self.events
                .publish(format!("{AUDIT_SUBJECT_PREFIX}.budget"), payload)
                .await;
            self.metrics
                .audit_events
                .with_label_values(&["budget"])
                .inc();
        }
    }
}
