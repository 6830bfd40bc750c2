//! One contract suite run against both stores (memory and a real spawned redis-server),
//! so their semantics cannot drift. The suite itself is `support/contract.rs`; memory-only
//! clock tests are at the bottom, Redis-only tests in `budget_redis.rs`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support {
    pub mod contract;
    // Each test binary uses a different subset of the harness.
    #[allow(dead_code)]
    pub mod redis;
}

use std::sync::Arc;
use std::time::Duration;

use support::contract::WireCode;
use support::redis::RedisServer;
use warden::budget::{BudgetSettings, BudgetTracker, MemoryStore, Money, RedisStore};

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

struct Fixture {
    tracker: BudgetTracker,
    _server: Option<RedisServer>,
}

async fn memory() -> Fixture {
    let tracker =
        BudgetTracker::new(Arc::new(MemoryStore::new()), BudgetSettings::default()).unwrap();
    Fixture {
        tracker,
        _server: None,
    }
}

async fn redis() -> Fixture {
    let server = RedisServer::spawn();
    let store = RedisStore::connect(&server.url()).await.unwrap();
    let tracker = BudgetTracker::new(Arc::new(store), BudgetSettings::default()).unwrap();
    Fixture {
        tracker,
        _server: Some(server),
    }
}

macro_rules! suite {
    ($store:ident: $($test:ident),* $(,)?) => {
        mod $store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let fixture = super::$store().await;
                    super::support::contract::$test(&fixture.tracker).await;
                }
            )*
        }
    };
}

suite!(memory:
    seed_serialisations, create_idempotent_and_conflict, spend_auto_create_and_idempotency,
    breaker_exceeded_and_remaining_clamp, alerts_once_per_threshold, can_spend,
    reserve_commit_release, hold_expiry_real_time, invalid_run_ids_and_not_found, ledger_ceiling,
    alerts_wait_in_the_outbox_until_acknowledged,
);
suite!(redis:
    seed_serialisations, create_idempotent_and_conflict, spend_auto_create_and_idempotency,
    breaker_exceeded_and_remaining_clamp, alerts_once_per_threshold, can_spend,
    reserve_commit_release, hold_expiry_real_time, invalid_run_ids_and_not_found, ledger_ceiling,
    alerts_wait_in_the_outbox_until_acknowledged,
);

/// Memory store only: hold and budget expiry with tokio's paused clock.
mod memory_time {
    use super::*;

    fn tracker(ttl: Duration) -> BudgetTracker {
        let settings = BudgetSettings {
            ttl,
            ..BudgetSettings::default()
        };
        BudgetTracker::new(Arc::new(MemoryStore::new()), settings).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn hold_expires_exactly_at_its_ttl() {
        let t = tracker(Duration::from_secs(3600));
        t.create_budget("p", Some(m("1"))).await.unwrap();
        assert!(
            t.reserve("p", m("1"), "h", Duration::from_secs(60))
                .await
                .unwrap()
                .granted
        );
        tokio::time::advance(Duration::from_millis(59_999)).await;
        assert!(
            !t.check_can_spend("p", m("0.000001"))
                .await
                .unwrap()
                .can_spend
        );
        assert_eq!(t.ledger("p").await.unwrap().held, m("1"));
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(t.check_can_spend("p", m("1")).await.unwrap().can_spend);
        assert_eq!(t.ledger("p").await.unwrap().held, Money::ZERO);
        assert!(
            !t.reserve("p", m("0.5"), "h", Duration::from_secs(60))
                .await
                .unwrap()
                .granted
        );
        assert_eq!(
            t.commit("p", "h", m("0.5")).await.unwrap().status.spent,
            m("0.5")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn idle_budget_expires_and_activity_refreshes_it() {
        let t = tracker(Duration::from_secs(3600));
        t.spend("idle", m("1"), Some("k")).await.unwrap();
        for _ in 0..3 {
            tokio::time::advance(Duration::from_secs(3599)).await;
            assert_eq!(t.get("idle").await.unwrap().spent, m("1"));
        }
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert_eq!(t.get("idle").await.unwrap_err().code(), "budget_not_found");
        // Keys live exactly as long as the budget.
        let again = t.spend("idle", m("1"), Some("k")).await.unwrap();
        assert!(again.auto_created && !again.duplicate);
    }

    #[test]
    fn settings_are_validated() {
        let store = Arc::new(MemoryStore::new());
        let bad = [
            BudgetSettings {
                alert_thresholds: vec![0],
                ..BudgetSettings::default()
            },
            BudgetSettings {
                default_run_budget: m("101"),
                ..BudgetSettings::default()
            },
            BudgetSettings {
                max_run_budget: Money::ZERO,
                ..BudgetSettings::default()
            },
            BudgetSettings {
                ttl: Duration::ZERO,
                ..BudgetSettings::default()
            },
        ];
        for settings in bad {
            let err = BudgetTracker::new(store.clone(), settings).unwrap_err();
            assert_eq!(err.code(), "invalid_field");
        }
        let ok = BudgetSettings {
            alert_thresholds: vec![100, 50, 50],
            ..BudgetSettings::default()
        };
        assert_eq!(
            BudgetTracker::new(store, ok)
                .unwrap()
                .settings()
                .alert_thresholds,
            vec![50, 100]
        );
    }
}
