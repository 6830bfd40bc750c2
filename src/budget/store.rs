//! The storage contract every budget store implements, and the error type of the module.
//!
//! Each trait method is ONE atomic operation on one run: implementations must never let
//! two concurrent calls interleave (Redis: one Lua script per call; memory: one mutex).
//! Inputs arrive validated by the tracker (run id syntax, positive amounts, limits within
//! `max_run_budget`); stores enforce the ledger ceiling ([`Money::MAX`]) themselves.
//!
//! Shared semantics (checked by the contract test suite against every store):
//! * expired holds are purged first in every operation that finds the budget;
//!   a hold is active while `now < expires_at`;
//! * every operation that finds (or creates) the budget refreshes its idle TTL;
//! * hold ids are single-use per run: their fate (committed / released / expired) is
//!   remembered as long as the budget lives, like spend idempotency keys.

use std::time::Duration;

use async_trait::async_trait;

use super::money::{Money, MoneyError};
use super::status::{BudgetSettings, Ledger, RunId};

/// Errors of the budget module; `crate::error` maps each to its wire code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    #[error("no budget exists for run {0:?}")]
    NotFound(String),
    #[error(
        "budget for run {run_id:?} already exists with limit {existing} (requested {requested})"
    )]
    Conflict {
        run_id: String,
        existing: Money,
        requested: Money,
    },
    #[error("invalid amount: {0}")]
    InvalidAmount(#[from] MoneyError),
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("budget store unavailable: {0}")]
    Unavailable(String),
    #[error("internal budget error: {0}")]
    Internal(String),
}

/// Result of [`BudgetStore::create`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub ledger: Ledger,
    pub created: bool,
}

/// Result of [`BudgetStore::spend`] and [`BudgetStore::commit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendRecord {
    pub ledger: Ledger,
    pub auto_created: bool,
    pub duplicate: bool,
    pub tripped_now: bool,
    pub alerts: Vec<u32>,
    /// The alerts of `alerts`, as written to the run's outbox by the same operation.
    pub outbox: Vec<OutboxAlert>,
}

/// A threshold alert decided by a spend or commit and kept in the run's outbox until
/// its publish was acknowledged (a transactional outbox: the decision and the promise
/// to publish it are one atomic write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxAlert {
    /// Unique per alert (`<uuid>:<threshold>`): the message id consumers dedupe by.
    pub id: String,
    pub run_id: RunId,
    pub threshold: u32,
    /// The ledger right after the spend that crossed the threshold (holds not included).
    pub spent: Money,
    pub limit: Money,
    pub tripped: bool,
    /// When it was decided, in milliseconds since the Unix epoch.
    pub time_ms: i64,
}

/// Milliseconds since the Unix epoch, now.
pub fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Result of [`BudgetStore::reserve`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reserved {
    pub ledger: Ledger,
    pub granted: bool,
}

/// Atomic budget operations. `Ok(None)` means "no budget for this run".
#[async_trait]
pub trait BudgetStore: Send + Sync {
    /// Whether the store answers right now (readiness). Memory always does.
    async fn ping(&self) -> Result<(), BudgetError> {
        Ok(())
    }

    /// Creates the budget with `limit`; same limit again → `created = false`;
    /// different limit → [`BudgetError::Conflict`].
    async fn create(
        &self,
        run: &RunId,
        limit: Money,
        settings: &BudgetSettings,
    ) -> Result<Created, BudgetError>;

    /// Current ledger (after purging expired holds).
    async fn ledger(
        &self,
        run: &RunId,
        settings: &BudgetSettings,
    ) -> Result<Option<Ledger>, BudgetError>;

    /// Records a spend unconditionally (auto-creating with the default limit), unless the
    /// idempotency key was already recorded for this run. Trips the breaker when
    /// spent > limit and reports alert thresholds crossed for the first time.
    async fn spend(
        &self,
        run: &RunId,
        amount: Money,
        idempotency_key: Option<&str>,
        settings: &BudgetSettings,
    ) -> Result<SpendRecord, BudgetError>;

    /// Places a hold when not tripped and `spent + held + amount <= limit`.
    /// A hold id seen before is a no-op (`granted` = active or committed).
    async fn reserve(
        &self,
        run: &RunId,
        amount: Money,
        hold_id: &str,
        hold_ttl: Duration,
        settings: &BudgetSettings,
    ) -> Result<Option<Reserved>, BudgetError>;

    /// Drops the hold (if still active) and records `amount` like `spend`, keyed by the
    /// hold id: committing the same hold twice counts once. Unknown, released or expired
    /// holds are still recorded (the money was spent).
    async fn commit(
        &self,
        run: &RunId,
        hold_id: &str,
        amount: Money,
        settings: &BudgetSettings,
    ) -> Result<SpendRecord, BudgetError>;

    /// Frees an active hold; unknown or already finished holds are a no-op.
    async fn release(
        &self,
        run: &RunId,
        hold_id: &str,
        settings: &BudgetSettings,
    ) -> Result<Option<Ledger>, BudgetError>;

    /// Replaces the limit (the breaker flag is left alone).
    async fn set_limit(
        &self,
        run: &RunId,
        limit: Money,
        settings: &BudgetSettings,
    ) -> Result<Option<Ledger>, BudgetError>;

    /// Closes the breaker (spent, limit and holds are left alone).
    async fn reset(
        &self,
        run: &RunId,
        settings: &BudgetSettings,
    ) -> Result<Option<Ledger>, BudgetError>;

    /// Alerts waiting in the run's outbox, oldest first.
    async fn outbox(&self, run: &RunId) -> Result<Vec<OutboxAlert>, BudgetError>;

    /// Removes one alert from the run's outbox: call only after its publish was acked.
    async fn outbox_done(&self, run: &RunId, alert_id: &str) -> Result<(), BudgetError>;

    /// Up to `limit` runs whose outbox has waited at least `min_age` (the relay's work
    /// list: alerts whose publisher crashed or could not reach NATS).
    async fn outbox_runs(&self, min_age: Duration, limit: usize)
        -> Result<Vec<RunId>, BudgetError>;
}

/// Duration in whole milliseconds (at least 1), as stores and scripts use.
pub fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1)
}
