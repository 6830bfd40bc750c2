//! Budget operations: call the tracker, then publish what happened (alerts,
//! audit events) and count it. The money logic itself lives in `crate::budget`.

use std::time::{Duration, Instant};

use super::{
    CanSpendRequest, CanSpendResponse, CommitRequest, CreateBudgetRequest, ReleaseRequest,
    ReserveRequest, ReserveResponse, RunRequest, SpendRequest, Surface, Warden,
    DEFAULT_HOLD_TTL_SECONDS, MAX_HOLD_TTL_SECONDS,
};
use crate::audit::{BudgetEvent, BudgetEventKind};
use crate::budget::{BudgetError, BudgetStatus, SpendOutcome};
use crate::error::{ApiError, ErrorCode};

impl Warden {
    pub async fn budget_create(
        &self,
        request: CreateBudgetRequest,
        surface: Surface,
    ) -> Result<BudgetStatus, ApiError> {
        let started = Instant::now();
        let result = self
            .budgets
            .create_budget(&request.run_id, request.limit)
            .await;
        self.count("create", started, &result);
        match result {
            Ok(outcome) => {
                if outcome.created {
                    self.audit_budget(BudgetEventKind::Created, surface, &outcome.status)
                        .await;
                }
                Ok(outcome.status)
            }
            Err(err @ BudgetError::Conflict { .. }) => {
                let event = BudgetEvent::new(
                    BudgetEventKind::LimitConflict,
                    surface.as_str(),
                    &request.run_id,
                    None,
                );
                self.publish_audit(&event).await;
                Err(err.into())
            }
            Err(err) => Err(err.into()),
        }
    }

    pub async fn budget_spend(
        &self,
        request: SpendRequest,
        surface: Surface,
    ) -> Result<BudgetStatus, ApiError> {
        let started = Instant::now();
        let result = self
            .budgets
            .spend(
                &request.run_id,
                request.amount,
                request.idempotency_key.as_deref(),
            )
            .await;
        self.count("spend", started, &result);
        let outcome = result?;
        self.after_spend(&outcome, request.amount.micros(), surface)
            .await;
        Ok(outcome.status)
    }

    pub async fn budget_get(&self, request: RunRequest) -> Result<BudgetStatus, ApiError> {
        let started = Instant::now();
        let result = self.budgets.get(&request.run_id).await;
        self.count("get", started, &result);
        Ok(result?)
    }

    pub async fn budget_can_spend(
        &self,
        request: CanSpendRequest,
    ) -> Result<CanSpendResponse, ApiError> {
        let started = Instant::now();
        let result = self
            .budgets
            .check_can_spend(&request.run_id, request.amount)
            .await;
        self.count("can_spend", started, &result);
        let answer = result?;
        Ok(CanSpendResponse {
            can_spend: answer.can_spend,
            current_status: answer.current_status,
        })
    }

    pub async fn budget_reserve(
        &self,
        request: ReserveRequest,
    ) -> Result<ReserveResponse, ApiError> {
        let ttl = request.ttl_seconds.unwrap_or(DEFAULT_HOLD_TTL_SECONDS);
        if ttl == 0 || ttl > MAX_HOLD_TTL_SECONDS {
            return Err(ApiError::new(
                ErrorCode::InvalidField,
                format!("ttl_seconds must be between 1 and {MAX_HOLD_TTL_SECONDS}"),
            ));
        }
        let started = Instant::now();
        let result = self
            .budgets
            .reserve(
                &request.run_id,
                request.amount,
                &request.hold_id,
                Duration::from_secs(ttl),
            )
            .await;
        self.count("reserve", started, &result);
        let outcome = result?;
        Ok(ReserveResponse {
            granted: outcome.granted,
            hold_id: request.hold_id,
            current_status: outcome.status,
        })
    }

    pub async fn budget_commit(
        &self,
        request: CommitRequest,
        surface: Surface,
    ) -> Result<BudgetStatus, ApiError> {
        let started = Instant::now();
        let result = self
            .budgets
            .commit(&request.run_id, &request.hold_id, request.amount)
            .await;
        self.count("commit", started, &result);
        let outcome = result?;
        self.after_spend(&outcome, request.amount.micros(), surface)
            .await;
        Ok(outcome.status)
    }

    pub async fn budget_release(&self, request: ReleaseRequest) -> Result<BudgetStatus, ApiError> {
        let started = Instant::now();
        let result = self
            .budgets
            .release(&request.run_id, &request.hold_id)
            .await;
        self.count("release", started, &result);
        Ok(result?)
    }

    /// Admin: a new limit for a run, audited with who changed it.
    pub async fn budget_set_limit(
        &self,
        run_id: &str,
        limit: crate::budget::Money,
        actor: &str,
        surface: Surface,
    ) -> Result<BudgetStatus, ApiError> {
        let started = Instant::now();
        let result = self.budgets.set_limit(run_id, limit).await;
        self.count("set_limit", started, &result);
        self.audit_admin(BudgetEventKind::LimitChanged, actor, surface, result?)
            .await
    }

    /// Admin: closes a tripped breaker, audited with who did it.
    pub async fn budget_reset(
        &self,
        run_id: &str,
        actor: &str,
        surface: Surface,
    ) -> Result<BudgetStatus, ApiError> {
        let started = Instant::now();
        let result = self.budgets.reset(run_id).await;
        self.count("reset", started, &result);
        self.audit_admin(BudgetEventKind::Reset, actor, surface, result?)
            .await
    }

    async fn audit_admin(
        &self,
        kind: BudgetEventKind,
        actor: &str,
        surface: Surface,
        status: BudgetStatus,
    ) -> Result<BudgetStatus, ApiError> {
        let mut event = BudgetEvent::new(kind, surface.as_str(), &status.run_id, Some(&status));
        event.actor = Some(actor);
        self.publish_audit(&event).await;
        Ok(status)
    }

    /// Alerts, trips, auto-creation: everything a recorded spend can set off.
    /// Audit events are handed over before the answer (published, or spooled to
    /// disk when JetStream does not take them within a bounded wait); alerts
    /// are published from the outbox by a detached task, so the answer never
    /// waits for a JetStream ack and a timeout can never cancel them.
    async fn after_spend(&self, outcome: &SpendOutcome, micros: i64, surface: Surface) {
        let status = &outcome.status;
        if outcome.duplicate {
            return;
        }
        self.metrics.budget_spend.inc_by(micros as f64 / 1e6);
        if status.limit.micros() > 0 {
            self.metrics
                .budget_utilization
                .observe(status.spent.micros() as f64 / status.limit.micros() as f64);
        }
        if outcome.tripped_now {
            self.metrics.budget_exceeded.inc();
        }
        for &threshold in &outcome.alerts {
            self.metrics
                .budget_alerts
                .with_label_values(&[&threshold.to_string()])
                .inc();
        }
        let publisher = self.publisher();
        publisher.audit_spend(outcome, surface).await;
        if outcome.outbox.is_empty() {
            return;
        }
        let alerts = outcome.outbox.clone();
        self.after_commit.spawn(async move {
            publisher.publish_alerts(&alerts).await;
        });
    }

    async fn audit_budget(&self, kind: BudgetEventKind, surface: Surface, status: &BudgetStatus) {
        self.publisher().audit_budget(kind, surface, status).await;
    }

    async fn publish_audit(&self, event: &BudgetEvent<'_>) {
        self.publisher().publish_audit(event).await;
    }

    fn count<T>(&self, op: &str, started: Instant, result: &Result<T, BudgetError>) {
        self.metrics
            .budget_store_duration
            .with_label_values(&[op])
            .observe(started.elapsed().as_secs_f64());
        let outcome = match result {
            Ok(_) => "ok",
            Err(BudgetError::NotFound(_)) => "not_found",
            Err(BudgetError::Conflict { .. }) => "conflict",
            Err(BudgetError::Invalid(_) | BudgetError::InvalidAmount(_)) => "invalid",
            Err(BudgetError::Unavailable(_)) => "unavailable",
            Err(BudgetError::Internal(_)) => "error",
        };
        if matches!(
            result,
            Err(BudgetError::Unavailable(_) | BudgetError::Internal(_))
        ) {
            self.metrics.budget_store_errors.inc();
        }
        self.metrics
            .budget_operations
            .with_label_values(&[op, outcome])
            .inc();
    }
}
