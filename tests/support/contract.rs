//! The store contract: async checks every `BudgetStore` must pass through a `BudgetTracker`
//! with default settings (limit 10.0, max 100.0, alerts 50/80/100, ttl 30 days).

use std::time::Duration;

use warden::budget::{BudgetError, BudgetStatus, BudgetTracker, Money, RunId};

/// The wire code of a budget error (the one table in `warden::error`).
pub trait WireCode {
    fn code(&self) -> &'static str;
}

impl WireCode for BudgetError {
    fn code(&self) -> &'static str {
        warden::error::ErrorCode::from(self).as_str()
    }
}

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

pub async fn seed_serialisations(t: &BudgetTracker) {
    let created = t.create_budget("run-123", Some(m("10.0"))).await.unwrap();
    assert!(created.created);
    assert_eq!(
        json(&created.status),
        r#"{"run_id":"run-123","spent":0.0,"limit":10.0,"remaining":10.0,"exceeded":false}"#
    );
    let spent = t.spend("run-123", m("0.05"), None).await.unwrap();
    let want =
        r#"{"run_id":"run-123","spent":0.05,"limit":10.0,"remaining":9.95,"exceeded":false}"#;
    assert_eq!(json(&spent.status), want);
    let can = t.check_can_spend("run-123", m("0.10")).await.unwrap();
    assert_eq!(
        json(&can),
        format!(r#"{{"can_spend":true,"current_status":{want}}}"#)
    );
    let back: BudgetStatus = serde_json::from_str(want).unwrap();
    assert_eq!(back, spent.status);
}

pub async fn create_idempotent_and_conflict(t: &BudgetTracker) {
    let first = t.create_budget("r1", None).await.unwrap();
    assert!(first.created);
    assert_eq!(first.status.limit, m("10"));
    let again = t.create_budget("r1", None).await.unwrap();
    assert!(!again.created);
    assert!(
        !t.create_budget("r1", Some(m("10.000")))
            .await
            .unwrap()
            .created
    );
    let err = t.create_budget("r1", Some(m("20"))).await.unwrap_err();
    assert_eq!(err.code(), "budget_conflict");
    assert!(matches!(err, BudgetError::Conflict { ref existing, .. } if *existing == m("10")));
    assert_eq!(
        t.create_budget("r2", Some(m("0")))
            .await
            .unwrap_err()
            .code(),
        "invalid_amount"
    );
    let above = t
        .create_budget("r2", Some(m("100.000001")))
        .await
        .unwrap_err();
    assert_eq!(above.code(), "invalid_amount");
    assert!(
        above.to_string().contains("above the maximum of 100.0"),
        "{above}"
    );
    assert_eq!(
        t.create_budget("r2", Some(m("100")))
            .await
            .unwrap()
            .status
            .limit,
        m("100")
    );
    assert!(matches!(t.get("r3").await, Err(BudgetError::NotFound(_))));
}

pub async fn spend_auto_create_and_idempotency(t: &BudgetTracker) {
    let s = t.spend("auto", m("1.5"), None).await.unwrap();
    assert!(s.auto_created && !s.duplicate && !s.tripped_now);
    assert_eq!((s.status.spent, s.status.limit), (m("1.5"), m("10")));
    let s = t.spend("auto", m("0.5"), Some("k1")).await.unwrap();
    assert!(!s.auto_created && !s.duplicate);
    assert_eq!(s.status.spent, m("2"));
    let dup = t.spend("auto", m("0.5"), Some("k1")).await.unwrap();
    assert!(dup.duplicate && dup.alerts.is_empty());
    assert_eq!(dup.status.spent, m("2"));
    // Keys are per run.
    let other = t.spend("other", m("0.5"), Some("k1")).await.unwrap();
    assert!(!other.duplicate && other.auto_created);
    assert_eq!(t.get("auto").await.unwrap().spent, m("2"));
    assert_eq!(
        t.spend("auto", Money::ZERO, None).await.unwrap_err().code(),
        "invalid_amount"
    );
    let bad_key = t.spend("auto", m("1"), Some("a b")).await.unwrap_err();
    assert_eq!(bad_key.code(), "invalid_field");
    assert_eq!(t.get("auto").await.unwrap().spent, m("2"));
}

pub async fn breaker_exceeded_and_remaining_clamp(t: &BudgetTracker) {
    t.create_budget("b", Some(m("1"))).await.unwrap();
    let s = t.spend("b", m("0.6"), None).await.unwrap();
    assert_eq!(s.alerts, vec![50]);
    let s = t.spend("b", m("0.3"), None).await.unwrap();
    assert_eq!(s.alerts, vec![80]);
    let s = t.spend("b", m("0.2"), None).await.unwrap();
    assert!(s.tripped_now && s.status.exceeded);
    assert_eq!(s.alerts, vec![100]);
    assert_eq!(
        json(&s.status),
        r#"{"run_id":"b","spent":1.1,"limit":1.0,"remaining":0.0,"exceeded":true}"#
    );
    let s = t.spend("b", m("0.1"), None).await.unwrap();
    assert!(!s.tripped_now && s.alerts.is_empty());
    assert!(!t.check_can_spend("b", m("0.01")).await.unwrap().can_spend);
    // Raising the limit does not close the breaker; reset does.
    let st = t.set_limit("b", m("5")).await.unwrap();
    assert!(!st.exceeded);
    assert_eq!(st.remaining, m("3.8"));
    assert!(!t.check_can_spend("b", m("0.01")).await.unwrap().can_spend);
    assert!(t.ledger("b").await.unwrap().tripped);
    t.reset("b").await.unwrap();
    assert!(t.check_can_spend("b", m("0.01")).await.unwrap().can_spend);
    let s = t.spend("b", m("4"), None).await.unwrap();
    assert!(s.tripped_now, "breaker trips again after reset");
    assert!(s.alerts.is_empty(), "alerts fire once per run ever");
    assert_eq!(
        t.set_limit("b", m("0")).await.unwrap_err().code(),
        "invalid_amount"
    );
    assert_eq!(
        t.set_limit("b", m("101")).await.unwrap_err().code(),
        "invalid_amount"
    );
}

pub async fn alerts_once_per_threshold(t: &BudgetTracker) {
    t.create_budget("a", Some(m("10"))).await.unwrap();
    assert!(t
        .spend("a", m("4.999999"), None)
        .await
        .unwrap()
        .alerts
        .is_empty());
    let s = t.spend("a", m("5.000001"), None).await.unwrap();
    assert_eq!(s.alerts, vec![50, 80, 100]);
    assert!(
        !s.tripped_now && !s.status.exceeded,
        "spent == limit is not exceeded"
    );
    let s = t.spend("a", m("0.000001"), None).await.unwrap();
    assert!(s.tripped_now && s.alerts.is_empty());
    let s = t.commit("a", "late-hold", m("1")).await.unwrap();
    assert!(s.alerts.is_empty() && !s.tripped_now);
}

/// Alerts are written to the run's outbox by the operation that decides them, stay there
/// until `outbox_done`, and the run is on the relay's work list meanwhile.
pub async fn alerts_wait_in_the_outbox_until_acknowledged(t: &BudgetTracker) {
    let run = RunId::parse("outboxed").unwrap();
    t.create_budget("outboxed", Some(m("1"))).await.unwrap();
    let s = t.spend("outboxed", m("0.8"), None).await.unwrap();
    assert_eq!(s.alerts, vec![50, 80]);
    let ids: Vec<&str> = s.outbox.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1], "each alert has its own id");
    assert_eq!(s.outbox[1].threshold, 80);
    assert_eq!(s.outbox[1].spent, m("0.8"));
    assert_eq!(s.outbox[1].limit, m("1"));
    let commit = t.commit("outboxed", "h1", m("0.3")).await.unwrap();
    assert_eq!(commit.alerts, vec![100]);
    assert!(commit.outbox[0].tripped);

    let pending = t.outbox(&run).await.unwrap();
    let pending_ids: Vec<&str> = pending.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(pending_ids, [ids[0], ids[1], commit.outbox[0].id.as_str()]);
    assert_eq!(pending, [s.outbox.clone(), commit.outbox.clone()].concat());
    let due = t.outbox_runs(Duration::ZERO, 100).await.unwrap();
    assert!(due.contains(&run), "{due:?}");
    assert!(!t
        .outbox_runs(Duration::from_secs(3600), 100)
        .await
        .unwrap()
        .contains(&run));

    // A duplicate spend writes nothing; acknowledged alerts leave the outbox.
    t.spend("outboxed", m("0.1"), Some("k")).await.unwrap();
    assert!(t
        .spend("outboxed", m("0.1"), Some("k"))
        .await
        .unwrap()
        .outbox
        .is_empty());
    for alert in &pending {
        t.outbox_done(alert).await.unwrap();
    }
    assert!(t.outbox(&run).await.unwrap().is_empty());
    assert!(!t
        .outbox_runs(Duration::ZERO, 100)
        .await
        .unwrap()
        .contains(&run));
}

pub async fn can_spend(t: &BudgetTracker) {
    assert_eq!(
        t.check_can_spend("nope", m("1")).await.unwrap_err().code(),
        "budget_not_found"
    );
    t.create_budget("c", Some(m("1"))).await.unwrap();
    assert!(t.check_can_spend("c", m("1")).await.unwrap().can_spend);
    assert!(
        !t.check_can_spend("c", m("1.000001"))
            .await
            .unwrap()
            .can_spend
    );
    assert!(
        t.reserve("c", m("0.4"), "h", Duration::from_secs(60))
            .await
            .unwrap()
            .granted
    );
    assert!(t.check_can_spend("c", m("0.6")).await.unwrap().can_spend);
    assert!(
        !t.check_can_spend("c", m("0.600001"))
            .await
            .unwrap()
            .can_spend
    );
    assert!(t.check_can_spend("c", Money::ZERO).await.unwrap().can_spend);
    assert_eq!(t.ledger("c").await.unwrap().held, m("0.4"));
}

pub async fn reserve_commit_release(t: &BudgetTracker) {
    let ttl = Duration::from_secs(60);
    assert_eq!(
        t.reserve("r", m("1"), "h", ttl).await.unwrap_err().code(),
        "budget_not_found"
    );
    t.create_budget("r", Some(m("1"))).await.unwrap();
    let r = t.reserve("r", m("0.4"), "h1", ttl).await.unwrap();
    assert!(r.granted);
    assert_eq!((r.held, r.status.spent), (m("0.4"), Money::ZERO));
    let again = t.reserve("r", m("0.9"), "h1", ttl).await.unwrap();
    assert!(again.granted);
    assert_eq!(again.held, m("0.4"), "repeat is a no-op");
    assert!(!t.reserve("r", m("0.7"), "h2", ttl).await.unwrap().granted);
    assert!(t.reserve("r", m("0.6"), "h2", ttl).await.unwrap().granted);
    assert!(
        !t.reserve("r", m("0.000001"), "h3", ttl)
            .await
            .unwrap()
            .granted
    );

    let c = t.commit("r", "h1", m("0.3")).await.unwrap();
    assert!(!c.duplicate);
    assert_eq!((c.status.spent, c.held), (m("0.3"), m("0.6")));
    let c = t.commit("r", "h1", m("0.3")).await.unwrap();
    assert!(c.duplicate);
    assert_eq!(c.status.spent, m("0.3"));
    assert!(
        t.reserve("r", m("0.1"), "h1", ttl).await.unwrap().granted,
        "committed hold"
    );

    let st = t.release("r", "h2").await.unwrap();
    assert_eq!(st.spent, m("0.3"));
    assert_eq!(t.ledger("r").await.unwrap().held, Money::ZERO);
    t.release("r", "h2").await.unwrap();
    t.release("r", "never-reserved").await.unwrap();
    assert_eq!(t.ledger("r").await.unwrap().held, Money::ZERO);
    let re = t.reserve("r", m("0.1"), "h2", ttl).await.unwrap();
    assert!(!re.granted, "hold ids are single-use");
    assert_eq!(re.held, Money::ZERO);

    // Unknown and released holds are still recorded: the money was spent.
    assert_eq!(
        t.commit("r", "unknown", m("0.2"))
            .await
            .unwrap()
            .status
            .spent,
        m("0.5")
    );
    assert_eq!(
        t.commit("r", "h2", m("0.1")).await.unwrap().status.spent,
        m("0.6")
    );
    assert!(t.reserve("r", m("0.2"), "h4", ttl).await.unwrap().granted);
    let zero = t.commit("r", "h4", Money::ZERO).await.unwrap();
    assert_eq!((zero.status.spent, zero.held), (m("0.6"), Money::ZERO));

    // Tripped budgets grant nothing; commit on an unknown run auto-creates.
    t.spend("r", m("0.5"), None).await.unwrap();
    assert!(
        !t.reserve("r", m("0.000001"), "h5", ttl)
            .await
            .unwrap()
            .granted
    );
    assert!(t.commit("fresh", "h", m("0.1")).await.unwrap().auto_created);
    assert_eq!(
        t.release("missing", "h").await.unwrap_err().code(),
        "budget_not_found"
    );
    for bad in [Duration::ZERO, Duration::from_secs(31 * 86_400)] {
        assert_eq!(
            t.reserve("r", m("0.1"), "h6", bad)
                .await
                .unwrap_err()
                .code(),
            "invalid_field"
        );
    }
    assert_eq!(
        t.reserve("r", Money::ZERO, "h6", ttl)
            .await
            .unwrap_err()
            .code(),
        "invalid_amount"
    );
}

pub async fn hold_expiry_real_time(t: &BudgetTracker) {
    t.create_budget("e", Some(m("1"))).await.unwrap();
    assert!(
        t.reserve("e", m("1"), "h", Duration::from_millis(150))
            .await
            .unwrap()
            .granted
    );
    assert!(
        !t.reserve("e", m("0.1"), "x", Duration::from_secs(60))
            .await
            .unwrap()
            .granted
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(t.check_can_spend("e", m("1")).await.unwrap().can_spend);
    assert_eq!(t.ledger("e").await.unwrap().held, Money::ZERO);
    assert!(
        !t.reserve("e", m("0.1"), "h", Duration::from_secs(60))
            .await
            .unwrap()
            .granted
    );
    assert!(
        t.reserve("e", m("0.1"), "x", Duration::from_secs(60))
            .await
            .unwrap()
            .granted
    );
    let late = t.commit("e", "h", m("0.2")).await.unwrap();
    assert!(!late.duplicate);
    assert_eq!((late.status.spent, late.held), (m("0.2"), m("0.1")));
}

pub async fn invalid_run_ids_and_not_found(t: &BudgetTracker) {
    let long = "x".repeat(129);
    for bad in ["", "a b", "{x}", "run/1", "ü", "a\nb", long.as_str()] {
        assert_eq!(
            t.create_budget(bad, None).await.unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(
            t.spend(bad, m("1"), None).await.unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(t.get(bad).await.unwrap_err().code(), "invalid_field");
        assert_eq!(
            t.reserve(bad, m("1"), "h", Duration::from_secs(1))
                .await
                .unwrap_err()
                .code(),
            "invalid_field"
        );
    }
    assert!(
        t.create_budget(&"x".repeat(128), None)
            .await
            .unwrap()
            .created
    );
    assert!(t.create_budget("Run_1.a:b-c", None).await.unwrap().created);
    for err in [
        t.get("missing").await.unwrap_err(),
        t.set_limit("missing", m("1")).await.unwrap_err(),
        t.reset("missing").await.unwrap_err(),
        t.release("missing", "h").await.unwrap_err(),
    ] {
        assert_eq!(err.code(), "budget_not_found");
    }
    assert_eq!(
        t.commit("x", "{bad}", m("1")).await.unwrap_err().code(),
        "invalid_field"
    );
}

pub async fn ledger_ceiling(t: &BudgetTracker) {
    let s = t.spend("big", Money::MAX, None).await.unwrap();
    assert_eq!(s.status.spent, Money::MAX);
    let err = t.spend("big", m("0.000001"), Some("k")).await.unwrap_err();
    assert_eq!(err.code(), "invalid_amount");
    assert_eq!(
        t.commit("big", "h", m("0.000001"))
            .await
            .unwrap_err()
            .code(),
        "invalid_amount"
    );
    assert_eq!(t.get("big").await.unwrap().spent, Money::MAX);
}
