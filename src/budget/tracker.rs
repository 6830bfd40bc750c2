//! The budget tracker: validates requests, applies settings and turns store ledgers into
//! the public status / outcome shapes. Cheap to clone (two `Arc`s).
//!
//! Documented choices:
//! * `spend` and `commit` always record (the money is already gone), auto-creating the
//!   budget with `default_run_budget`; their amounts are not capped by `max_run_budget`,
//!   only by the ledger ceiling [`Money::MAX`] (`invalid_amount` / overflow, nothing written).
//!   `spend` needs amount > 0; `commit` accepts 0 (reserved call that ended up free).
//! * `check_can_spend`, `reserve`, `release`, `set_limit`, `reset` and `get` never create a
//!   budget: they return [`BudgetError::NotFound`] for unknown runs (fail closed).
//! * `check_can_spend` is advisory (a race-free admission needs `reserve`): it answers
//!   `spent + held + amount <= limit && !tripped`.
//! * `reset` only closes the breaker; with spent still above the limit nothing can be
//!   reserved until `set_limit` raises the limit.

use std::sync::Arc;
use std::time::Duration;

use super::money::Money;
use super::status::{
    validate_id, BudgetSettings, BudgetStatus, CanSpend, CreateOutcome, Ledger, ReserveOutcome,
    RunId, SpendOutcome,
};
use super::store::{BudgetError, BudgetStore, OutboxAlert, SpendRecord};

/// Budget tracker over any [`BudgetStore`].
#[derive(Clone)]
pub struct BudgetTracker {
    store: Arc<dyn BudgetStore>,
    settings: Arc<BudgetSettings>,
}

impl std::fmt::Debug for BudgetTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BudgetTracker")
            .field("settings", &self.settings)
            .finish()
    }
}

impl BudgetTracker {
    /// Builds a tracker; fails with `Invalid` when the settings are inconsistent.
    pub fn new(store: Arc<dyn BudgetStore>, settings: BudgetSettings) -> Result<Self, BudgetError> {
        Ok(BudgetTracker {
            store,
            settings: Arc::new(settings.validated()?),
        })
    }

    pub fn settings(&self) -> &BudgetSettings {
        &self.settings
    }

    fn check_limit(&self, limit: Money) -> Result<Money, BudgetError> {
        Ok(limit
            .ensure_positive()?
            .ensure_at_most(self.settings.max_run_budget)?)
    }

    /// Creates a budget (default limit when `None`). Same limit again → `created = false`;
    /// a different limit → `Conflict`; limit 0 or above `max_run_budget` → `InvalidAmount`.
    pub async fn create_budget(
        &self,
        run_id: &str,
        limit: Option<Money>,
    ) -> Result<CreateOutcome, BudgetError> {
        let run = RunId::parse(run_id)?;
        let limit = self.check_limit(limit.unwrap_or(self.settings.default_run_budget))?;
        let created = self.store.create(&run, limit, &self.settings).await?;
        if created.created {
            tracing::info!(run_id = %run, limit = %limit, "budget created");
        }
        Ok(CreateOutcome {
            status: BudgetStatus::from_ledger(&run, &created.ledger),
            created: created.created,
        })
    }

    /// Records a spend (see the module docs). A repeated idempotency key is not counted.
    pub async fn spend(
        &self,
        run_id: &str,
        amount: Money,
        idempotency_key: Option<&str>,
    ) -> Result<SpendOutcome, BudgetError> {
        let run = RunId::parse(run_id)?;
        let amount = amount.ensure_positive()?;
        if let Some(key) = idempotency_key {
            validate_id("idempotency_key", key)?;
        }
        let record = self
            .store
            .spend(&run, amount, idempotency_key, &self.settings)
            .await?;
        Ok(self.spend_outcome(&run, record))
    }

    /// Current status, or `NotFound`.
    /// Whether the store answers (for readiness probes).
    pub async fn ping(&self) -> Result<(), BudgetError> {
        self.store.ping().await
    }

    pub async fn get(&self, run_id: &str) -> Result<BudgetStatus, BudgetError> {
        let run = RunId::parse(run_id)?;
        let ledger = self.ledger_of(&run).await?;
        Ok(BudgetStatus::from_ledger(&run, &ledger))
    }

    /// Current ledger including the held amount, or `NotFound` (for admin views).
    pub async fn ledger(&self, run_id: &str) -> Result<Ledger, BudgetError> {
        self.ledger_of(&RunId::parse(run_id)?).await
    }

    async fn ledger_of(&self, run: &RunId) -> Result<Ledger, BudgetError> {
        self.store
            .ledger(run, &self.settings)
            .await?
            .ok_or_else(|| not_found(run))
    }

    /// Whether `amount` fits: `spent + held + amount <= limit` and the breaker is closed.
    /// `NotFound` when the run has no budget.
    pub async fn check_can_spend(
        &self,
        run_id: &str,
        amount: Money,
    ) -> Result<CanSpend, BudgetError> {
        let run = RunId::parse(run_id)?;
        let ledger = self.ledger_of(&run).await?;
        let can_spend = !ledger.tripped
            && ledger
                .spent
                .checked_add(ledger.held)
                .and_then(|m| m.checked_add(amount))
                .is_some_and(|total| total <= ledger.limit);
        Ok(CanSpend {
            can_spend,
            current_status: BudgetStatus::from_ledger(&run, &ledger),
        })
    }

    /// Places a hold of `amount` for `ttl` (1 ms ..= settings.ttl). Denied (granted=false)
    /// when tripped or `spent + held + amount > limit`. A known hold id is a no-op.
    pub async fn reserve(
        &self,
        run_id: &str,
        amount: Money,
        hold_id: &str,
        ttl: Duration,
    ) -> Result<ReserveOutcome, BudgetError> {
        let run = RunId::parse(run_id)?;
        let amount = amount.ensure_positive()?;
        validate_id("hold_id", hold_id)?;
        if ttl < Duration::from_millis(1) || ttl > self.settings.ttl {
            return Err(BudgetError::Invalid(
                "hold ttl must be between 1 ms and the budget ttl".into(),
            ));
        }
        let reserved = self
            .store
            .reserve(&run, amount, hold_id, ttl, &self.settings)
            .await?
            .ok_or_else(|| not_found(&run))?;
        Ok(ReserveOutcome {
            granted: reserved.granted,
            status: BudgetStatus::from_ledger(&run, &reserved.ledger),
            held: reserved.ledger.held,
        })
    }

    /// Turns a hold into spend of `actual_amount` (which may differ from the hold, or be 0).
    /// Committing again is a no-op (`duplicate`); unknown, released or expired holds are
    /// still recorded because the money was spent.
    pub async fn commit(
        &self,
        run_id: &str,
        hold_id: &str,
        actual_amount: Money,
    ) -> Result<SpendOutcome, BudgetError> {
        let run = RunId::parse(run_id)?;
        validate_id("hold_id", hold_id)?;
        let record = self
            .store
            .commit(&run, hold_id, actual_amount, &self.settings)
            .await?;
        Ok(self.spend_outcome(&run, record))
    }

    /// Frees a hold; unknown or finished holds are a no-op. `NotFound` without a budget.
    pub async fn release(&self, run_id: &str, hold_id: &str) -> Result<BudgetStatus, BudgetError> {
        let run = RunId::parse(run_id)?;
        validate_id("hold_id", hold_id)?;
        let ledger = self
            .store
            .release(&run, hold_id, &self.settings)
            .await?
            .ok_or_else(|| not_found(&run))?;
        Ok(BudgetStatus::from_ledger(&run, &ledger))
    }

    /// Admin: replace the limit (same bounds as `create_budget`).
    pub async fn set_limit(
        &self,
        run_id: &str,
        new_limit: Money,
    ) -> Result<BudgetStatus, BudgetError> {
        let run = RunId::parse(run_id)?;
        let limit = self.check_limit(new_limit)?;
        let ledger = self
            .store
            .set_limit(&run, limit, &self.settings)
            .await?
            .ok_or_else(|| not_found(&run))?;
        tracing::info!(run_id = %run, limit = %limit, "budget limit changed");
        Ok(BudgetStatus::from_ledger(&run, &ledger))
    }

    /// Admin: close the breaker.
    pub async fn reset(&self, run_id: &str) -> Result<BudgetStatus, BudgetError> {
        let run = RunId::parse(run_id)?;
        let ledger = self
            .store
            .reset(&run, &self.settings)
            .await?
            .ok_or_else(|| not_found(&run))?;
        tracing::info!(run_id = %run, "budget breaker reset");
        Ok(BudgetStatus::from_ledger(&run, &ledger))
    }

    fn spend_outcome(&self, run: &RunId, record: SpendRecord) -> SpendOutcome {
        if record.tripped_now {
            tracing::warn!(run_id = %run, spent = %record.ledger.spent, limit = %record.ledger.limit, "budget breaker tripped");
        }
        for pct in &record.alerts {
            tracing::info!(run_id = %run, threshold = pct, "budget alert threshold crossed");
        }
        SpendOutcome {
            status: BudgetStatus::from_ledger(run, &record.ledger),
            held: record.ledger.held,
            auto_created: record.auto_created,
            duplicate: record.duplicate,
            tripped_now: record.tripped_now,
            alerts: record.alerts,
            outbox: record.outbox,
        }
    }

    /// Alerts waiting in a run's outbox (see [`BudgetStore::outbox`]).
    pub async fn outbox(&self, run: &RunId) -> Result<Vec<OutboxAlert>, BudgetError> {
        self.store.outbox(run).await
    }

    /// Drops an alert from its run's outbox once JetStream acknowledged it.
    pub async fn outbox_done(&self, alert: &OutboxAlert) -> Result<(), BudgetError> {
        self.store.outbox_done(&alert.run_id, &alert.id).await
    }

    /// Runs whose outbox has waited at least `min_age` (the relay's work list).
    pub async fn outbox_runs(
        &self,
        min_age: Duration,
        limit: usize,
    ) -> Result<Vec<RunId>, BudgetError> {
        self.store.outbox_runs(min_age, limit).await
    }
}

fn not_found(run: &RunId) -> BudgetError {
    BudgetError::NotFound(run.to_string())
}
