//! In-process budget store (tests, development, single-instance deployments).
//!
//! One `tokio::sync::Mutex` around the whole map makes every operation atomic. Time comes
//! from `tokio::time::Instant`, so tests can `tokio::time::pause()` and `advance()` to expire
//! holds and idle budgets deterministically.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::money::{Money, MoneyError};
use super::status::{threshold_reached, BudgetSettings, Ledger, RunId};
use super::store::{
    unix_ms, BudgetError, BudgetStore, Created, OutboxAlert, Reserved, SpendRecord,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HoldFate {
    Committed,
    Released,
    Expired,
}

#[derive(Debug)]
struct Hold {
    amount: Money,
    expires_at: Instant,
}

#[derive(Debug)]
struct Entry {
    limit: Money,
    spent: Money,
    held: Money,
    tripped: bool,
    alerted: BTreeSet<u32>,
    idempotency_keys: HashSet<String>,
    holds: HashMap<String, Hold>,
    finished_holds: HashMap<String, HoldFate>,
    /// Alerts decided and not yet acknowledged, oldest first (see `OutboxAlert`).
    outbox: Vec<(OutboxAlert, Instant)>,
    expires_at: Instant,
}

impl Entry {
    fn new(limit: Money, now: Instant, ttl: Duration) -> Self {
        Entry {
            limit,
            spent: Money::ZERO,
            held: Money::ZERO,
            tripped: false,
            alerted: BTreeSet::new(),
            idempotency_keys: HashSet::new(),
            holds: HashMap::new(),
            finished_holds: HashMap::new(),
            outbox: Vec::new(),
            expires_at: deadline(now, ttl),
        }
    }

    fn ledger(&self) -> Ledger {
        Ledger {
            limit: self.limit,
            spent: self.spent,
            held: self.held,
            tripped: self.tripped,
        }
    }

    fn purge_expired_holds(&mut self, now: Instant) {
        let expired: Vec<String> = self
            .holds
            .iter()
            .filter(|(_, h)| h.expires_at <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            self.drop_hold(&id);
            self.finished_holds.insert(id, HoldFate::Expired);
        }
    }

    /// Removes an active hold, returning whether it existed.
    fn drop_hold(&mut self, id: &str) -> bool {
        match self.holds.remove(id) {
            Some(hold) => {
                self.held = self.held.saturating_sub(hold.amount);
                true
            }
            None => false,
        }
    }

    /// Adds `amount` to spent, trips the breaker and collects first-time alerts, writing
    /// each into the outbox.
    fn record(
        &mut self,
        run: &RunId,
        amount: Money,
        thresholds: &[u32],
    ) -> Result<(bool, Vec<u32>, Vec<OutboxAlert>), BudgetError> {
        self.spent = self.spent.checked_add(amount).ok_or(MoneyError::Overflow)?;
        let tripped_now = !self.tripped && self.spent > self.limit;
        if tripped_now {
            self.tripped = true;
        }
        let mut alerts = Vec::new();
        for &t in thresholds {
            if !self.alerted.contains(&t) && threshold_reached(self.spent, self.limit, t) {
                self.alerted.insert(t);
                alerts.push(t);
            }
        }
        let prefix = uuid::Uuid::now_v7().simple().to_string();
        let (now, time_ms) = (Instant::now(), unix_ms());
        let outbox: Vec<OutboxAlert> = alerts
            .iter()
            .map(|&threshold| OutboxAlert {
                id: format!("{prefix}:{threshold}"),
                run_id: run.clone(),
                threshold,
                spent: self.spent,
                limit: self.limit,
                tripped: self.tripped,
                time_ms,
            })
            .collect();
        self.outbox
            .extend(outbox.iter().map(|alert| (alert.clone(), now)));
        Ok((tripped_now, alerts, outbox))
    }

    fn would_overflow(&self, amount: Money) -> bool {
        self.spent.checked_add(amount).is_none()
    }
}

fn deadline(now: Instant, ttl: Duration) -> Instant {
    now.checked_add(ttl)
        .unwrap_or(now + Duration::from_secs(86_400))
}

/// Budget store kept in process memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    runs: Mutex<HashMap<String, Entry>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

/// The live entry for `run` (dropping it if idle-expired), with expired holds purged and
/// its TTL refreshed.
fn live<'a>(
    runs: &'a mut HashMap<String, Entry>,
    run: &RunId,
    now: Instant,
    ttl: Duration,
) -> Option<&'a mut Entry> {
    if runs.get(run.as_str()).is_some_and(|e| e.expires_at <= now) {
        runs.remove(run.as_str());
    }
    let entry = runs.get_mut(run.as_str())?;
    entry.purge_expired_holds(now);
    entry.expires_at = deadline(now, ttl);
    Some(entry)
}

/// The live entry, created with the default limit when missing (`true` = created).
fn live_or_default<'a>(
    runs: &'a mut HashMap<String, Entry>,
    run: &RunId,
    now: Instant,
    settings: &BudgetSettings,
) -> (&'a mut Entry, bool) {
    let exists = live(runs, run, now, settings.ttl).is_some();
    let entry = runs
        .entry(run.as_str().to_owned())
        .or_insert_with(|| Entry::new(settings.default_run_budget, now, settings.ttl));
    (entry, !exists)
}

#[async_trait]
impl BudgetStore for MemoryStore {
    async fn create(
        &self,
        run: &RunId,
        limit: Money,
        s: &BudgetSettings,
    ) -> Result<Created, BudgetError> {
        let now = Instant::now();
        let mut runs = self.runs.lock().await;
        if let Some(entry) = live(&mut runs, run, now, s.ttl) {
            if entry.limit != limit {
                return Err(BudgetError::Conflict {
                    run_id: run.to_string(),
                    existing: entry.limit,
                    requested: limit,
                });
            }
            return Ok(Created {
                ledger: entry.ledger(),
                created: false,
            });
        }
        let entry = Entry::new(limit, now, s.ttl);
        let ledger = entry.ledger();
        runs.insert(run.as_str().to_owned(), entry);
        Ok(Created {
            ledger,
            created: true,
        })
    }

    async fn ledger(&self, run: &RunId, s: &BudgetSettings) -> Result<Option<Ledger>, BudgetError> {
        let mut runs = self.runs.lock().await;
        Ok(live(&mut runs, run, Instant::now(), s.ttl).map(|e| e.ledger()))
    }

    async fn spend(
        &self,
        run: &RunId,
        amount: Money,
        idempotency_key: Option<&str>,
        s: &BudgetSettings,
    ) -> Result<SpendRecord, BudgetError> {
        let mut runs = self.runs.lock().await;
        let (entry, auto_created) = live_or_default(&mut runs, run, Instant::now(), s);
        if let Some(key) = idempotency_key {
            if entry.idempotency_keys.contains(key) {
                return Ok(duplicate(entry));
            }
        }
        let (tripped_now, alerts, outbox) = entry.record(run, amount, &s.alert_thresholds)?;
        if let Some(key) = idempotency_key {
            entry.idempotency_keys.insert(key.to_owned());
        }
        Ok(SpendRecord {
            ledger: entry.ledger(),
            auto_created,
            duplicate: false,
            tripped_now,
            alerts,
            outbox,
        })
    }

    async fn reserve(
        &self,
        run: &RunId,
        amount: Money,
        hold_id: &str,
        hold_ttl: Duration,
        s: &BudgetSettings,
    ) -> Result<Option<Reserved>, BudgetError> {
        let now = Instant::now();
        let mut runs = self.runs.lock().await;
        let Some(entry) = live(&mut runs, run, now, s.ttl) else {
            return Ok(None);
        };
        let seen = if entry.holds.contains_key(hold_id) {
            Some(true)
        } else {
            entry
                .finished_holds
                .get(hold_id)
                .map(|f| *f == HoldFate::Committed)
        };
        if let Some(granted) = seen {
            return Ok(Some(Reserved {
                ledger: entry.ledger(),
                granted,
            }));
        }
        let fits = entry
            .spent
            .checked_add(entry.held)
            .and_then(|m| m.checked_add(amount))
            .is_some_and(|total| total <= entry.limit);
        let granted = fits && !entry.tripped;
        if granted {
            entry.holds.insert(
                hold_id.to_owned(),
                Hold {
                    amount,
                    expires_at: deadline(now, hold_ttl),
                },
            );
            entry.held = entry.held.checked_add(amount).ok_or(MoneyError::Overflow)?;
        }
        Ok(Some(Reserved {
            ledger: entry.ledger(),
            granted,
        }))
    }

    async fn commit(
        &self,
        run: &RunId,
        hold_id: &str,
        amount: Money,
        s: &BudgetSettings,
    ) -> Result<SpendRecord, BudgetError> {
        let mut runs = self.runs.lock().await;
        let (entry, auto_created) = live_or_default(&mut runs, run, Instant::now(), s);
        if entry.finished_holds.get(hold_id) == Some(&HoldFate::Committed) {
            return Ok(duplicate(entry));
        }
        if entry.would_overflow(amount) {
            return Err(MoneyError::Overflow.into());
        }
        entry.drop_hold(hold_id);
        let (tripped_now, alerts, outbox) = entry.record(run, amount, &s.alert_thresholds)?;
        entry
            .finished_holds
            .insert(hold_id.to_owned(), HoldFate::Committed);
        Ok(SpendRecord {
            ledger: entry.ledger(),
            auto_created,
            duplicate: false,
            tripped_now,
            alerts,
            outbox,
        })
    }

    async fn release(
        &self,
        run: &RunId,
        hold_id: &str,
        s: &BudgetSettings,
    ) -> Result<Option<Ledger>, BudgetError> {
        let mut runs = self.runs.lock().await;
        let Some(entry) = live(&mut runs, run, Instant::now(), s.ttl) else {
            return Ok(None);
        };
        if entry.drop_hold(hold_id) {
            entry
                .finished_holds
                .insert(hold_id.to_owned(), HoldFate::Released);
        }
        Ok(Some(entry.ledger()))
    }

    async fn set_limit(
        &self,
        run: &RunId,
        limit: Money,
        s: &BudgetSettings,
    ) -> Result<Option<Ledger>, BudgetError> {
        let mut runs = self.runs.lock().await;
        Ok(live(&mut runs, run, Instant::now(), s.ttl).map(|e| {
            e.limit = limit;
            e.ledger()
        }))
    }

    async fn reset(&self, run: &RunId, s: &BudgetSettings) -> Result<Option<Ledger>, BudgetError> {
        let mut runs = self.runs.lock().await;
        Ok(live(&mut runs, run, Instant::now(), s.ttl).map(|e| {
            e.tripped = false;
            e.ledger()
        }))
    }

    async fn outbox(&self, run: &RunId) -> Result<Vec<OutboxAlert>, BudgetError> {
        let runs = self.runs.lock().await;
        Ok(runs
            .get(run.as_str())
            .filter(|e| e.expires_at > Instant::now())
            .map(|e| e.outbox.iter().map(|(alert, _)| alert.clone()).collect())
            .unwrap_or_default())
    }

    async fn outbox_done(&self, run: &RunId, alert_id: &str) -> Result<(), BudgetError> {
        let mut runs = self.runs.lock().await;
        if let Some(entry) = runs.get_mut(run.as_str()) {
            entry.outbox.retain(|(alert, _)| alert.id != alert_id);
        }
        Ok(())
    }

    async fn outbox_runs(
        &self,
        min_age: Duration,
        limit: usize,
    ) -> Result<Vec<RunId>, BudgetError> {
        let now = Instant::now();
        let runs = self.runs.lock().await;
        let mut due: Vec<RunId> = runs
            .iter()
            .filter(|(_, e)| e.expires_at > now)
            .filter(|(_, e)| {
                e.outbox
                    .first()
                    .is_some_and(|(_, queued)| now.saturating_duration_since(*queued) >= min_age)
            })
            .filter_map(|(run, _)| RunId::parse(run).ok())
            .collect();
        due.sort();
        due.truncate(limit);
        Ok(due)
    }
}

fn duplicate(entry: &Entry) -> SpendRecord {
    SpendRecord {
        ledger: entry.ledger(),
        auto_created: false,
        duplicate: true,
        tripped_now: false,
        alerts: Vec::new(),
        outbox: Vec::new(),
    }
}
