//! Budget identities, settings and the status / outcome shapes returned to callers.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::money::Money;
use super::store::BudgetError;

/// Longest accepted run id, hold id or idempotency key.
pub const MAX_ID_LEN: usize = 128;

/// A validated run id: 1–128 chars of `[A-Za-z0-9._:-]` (no braces, so it is safe inside a
/// Redis hash tag, and no spaces or control characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(String);

impl RunId {
    pub fn parse(raw: &str) -> Result<Self, BudgetError> {
        validate_id("run_id", raw)?;
        Ok(RunId(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a run id, hold id or idempotency key: 1–128 chars of `[A-Za-z0-9._:-]`.
pub fn validate_id(what: &str, raw: &str) -> Result<(), BudgetError> {
    if raw.is_empty() {
        return Err(BudgetError::Invalid(format!("{what} must not be empty")));
    }
    if raw.len() > MAX_ID_LEN {
        return Err(BudgetError::Invalid(format!(
            "{what} is longer than {MAX_ID_LEN} characters"
        )));
    }
    let ok = raw
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    if !ok {
        return Err(BudgetError::Invalid(format!(
            "{what} may only contain letters, digits, '.', '_', ':' and '-'"
        )));
    }
    Ok(())
}

/// The raw ledger of one run as held by a store (held = sum of active, unexpired holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ledger {
    pub limit: Money,
    pub spent: Money,
    pub held: Money,
    pub tripped: bool,
}

/// The public status of a budget. Field order is part of the wire contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetStatus {
    pub run_id: String,
    pub spent: Money,
    pub limit: Money,
    /// `max(limit − spent, 0)`; holds are not subtracted (see `held` in the outcomes).
    pub remaining: Money,
    /// `spent > limit`.
    pub exceeded: bool,
}

impl BudgetStatus {
    pub fn from_ledger(run_id: &RunId, ledger: &Ledger) -> Self {
        BudgetStatus {
            run_id: run_id.as_str().to_owned(),
            spent: ledger.spent,
            limit: ledger.limit,
            remaining: ledger.limit.saturating_sub(ledger.spent),
            exceeded: ledger.spent > ledger.limit,
        }
    }
}

/// Result of `create_budget`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateOutcome {
    pub status: BudgetStatus,
    /// `false` when the budget already existed with the same limit.
    pub created: bool,
}

/// Result of `spend` and `commit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpendOutcome {
    pub status: BudgetStatus,
    /// Sum of active holds after this operation.
    pub held: Money,
    /// The budget did not exist and was created with the default limit.
    pub auto_created: bool,
    /// Idempotency key (spend) or hold id (commit) already recorded: nothing was counted.
    pub duplicate: bool,
    /// This operation tripped the breaker.
    pub tripped_now: bool,
    /// Alert thresholds (percent) first crossed by this operation, ascending.
    pub alerts: Vec<u32>,
    /// The same alerts as written to the run's outbox (ids, the ledger they report).
    #[serde(skip)]
    pub outbox: Vec<super::store::OutboxAlert>,
}

/// Result of `check_can_spend`. Field order is part of the wire contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanSpend {
    pub can_spend: bool,
    pub current_status: BudgetStatus,
}

/// Result of `reserve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReserveOutcome {
    pub granted: bool,
    pub status: BudgetStatus,
    /// Sum of active holds after this operation.
    pub held: Money,
}

/// Tracker settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetSettings {
    /// Limit used by `create_budget(run, None)` and by auto-creating spends.
    pub default_run_budget: Money,
    /// Largest limit a budget may have.
    pub max_run_budget: Money,
    /// Idle lifetime of a budget (refreshed on every operation), its idempotency keys and holds.
    pub ttl: Duration,
    /// Alert thresholds in percent of the limit (1..=1000).
    pub alert_thresholds: Vec<u32>,
}

impl Default for BudgetSettings {
    fn default() -> Self {
        BudgetSettings {
            default_run_budget: Money::from_units(10),
            max_run_budget: Money::from_units(100),
            ttl: Duration::from_secs(30 * 24 * 60 * 60),
            alert_thresholds: vec![50, 80, 100],
        }
    }
}

impl BudgetSettings {
    /// Checks the settings and returns them with thresholds sorted and deduplicated.
    pub fn validated(mut self) -> Result<Self, BudgetError> {
        if self.max_run_budget.is_zero() {
            return Err(BudgetError::Invalid("max_run_budget must be > 0".into()));
        }
        if self.default_run_budget.is_zero() || self.default_run_budget > self.max_run_budget {
            return Err(BudgetError::Invalid(
                "default_run_budget must be > 0 and <= max_run_budget".into(),
            ));
        }
        if self.ttl < Duration::from_secs(1) || self.ttl > Duration::from_secs(10 * 365 * 86_400) {
            return Err(BudgetError::Invalid(
                "ttl must be between 1 second and 10 years".into(),
            ));
        }
        if self
            .alert_thresholds
            .iter()
            .any(|t| !(1..=1000).contains(t))
        {
            return Err(BudgetError::Invalid(
                "alert thresholds must be between 1 and 1000 percent".into(),
            ));
        }
        self.alert_thresholds.sort_unstable();
        self.alert_thresholds.dedup();
        Ok(self)
    }
}

/// Whether `spent` has reached `threshold` percent of `limit` (exact integer arithmetic).
pub fn threshold_reached(spent: Money, limit: Money, threshold: u32) -> bool {
    i128::from(spent.micros()) * 100 >= i128::from(limit.micros()) * i128::from(threshold)
}
