//! Budget tracking for agent runs: exact money, atomic stores (Redis / memory), holds,
//! idempotent spends, a persisted circuit breaker and once-per-run alert thresholds.

pub mod memory;
pub mod money;
pub mod redis_store;
pub mod status;
pub mod store;
pub mod tracker;

#[cfg(test)]
mod money_tests;

pub use memory::MemoryStore;
pub use money::{Money, MoneyError, MICROS_PER_UNIT};
pub use redis_store::{redis_keys, RedisSettings, RedisStore, DEFAULT_OP_TIMEOUT};
pub use status::{
    BudgetSettings, BudgetStatus, CanSpend, CreateOutcome, Ledger, ReserveOutcome, RunId,
    SpendOutcome,
};
pub use store::{BudgetError, BudgetStore, Created, OutboxAlert, Reserved, SpendRecord};
pub use tracker::BudgetTracker;
