//! Redis-only tests against a real spawned redis-server: concurrency, key layout,
//! NOSCRIPT recovery, outages (kill / restart / hang) and secret-free errors.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support {
    // Each test binary uses a different subset of the harness.
    #[allow(dead_code)]
    pub mod redis;
}

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::Commands;
use support::redis::RedisServer;
use warden::budget::{redis_keys, BudgetSettings, BudgetTracker, Money, RedisStore, RunId};

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

async fn trackers(url: &str, n: usize, op_timeout: Duration) -> Vec<BudgetTracker> {
    let mut out = Vec::new();
    for _ in 0..n {
        let store = RedisStore::connect_with_timeout(url, op_timeout)
            .await
            .unwrap();
        out.push(BudgetTracker::new(Arc::new(store), BudgetSettings::default()).unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_spends_are_exact() {
    let server = RedisServer::spawn();
    let ts = trackers(&server.url(), 4, Duration::from_secs(20)).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..2_500 {
        let t = ts[i % ts.len()].clone();
        tasks.spawn(async move { t.spend("hot", m("0.01"), None).await });
    }
    // 500 idempotency keys, each sent 3 times concurrently: counted once.
    for i in 0..1_500 {
        let t = ts[i % ts.len()].clone();
        tasks.spawn(async move {
            t.spend("keyed", m("0.01"), Some(&format!("k{}", i % 500)))
                .await
        });
    }
    let mut duplicates = 0;
    while let Some(res) = tasks.join_next().await {
        duplicates += usize::from(res.unwrap().unwrap().duplicate);
    }
    let hot = ts[0].get("hot").await.unwrap();
    assert_eq!(serde_json::to_string(&hot.spent).unwrap(), "25.0");
    assert!(
        hot.exceeded,
        "limit 10.0 auto-created; spend always records"
    );
    assert_eq!(ts[1].get("keyed").await.unwrap().spent, m("5"));
    assert_eq!(duplicates, 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reserves_grant_exactly_the_limit() {
    let server = RedisServer::spawn();
    let ts = trackers(&server.url(), 4, Duration::from_secs(20)).await;
    ts[0].create_budget("res", Some(m("50"))).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10_000 {
        let t = ts[i % ts.len()].clone();
        tasks.spawn(async move {
            t.reserve("res", m("0.01"), &format!("h{i}"), Duration::from_secs(600))
                .await
        });
    }
    let mut granted = 0;
    while let Some(res) = tasks.join_next().await {
        granted += usize::from(res.unwrap().unwrap().granted);
    }
    assert_eq!(granted, 5_000);
    assert_eq!(ts[0].ledger("res").await.unwrap().held, m("50"));
    assert!(
        !ts[0]
            .check_can_spend("res", m("0.000001"))
            .await
            .unwrap()
            .can_spend
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_layout_integers_and_ttls() {
    let server = RedisServer::spawn();
    let t = &trackers(&server.url(), 1, Duration::from_secs(2)).await[0];
    t.create_budget("lay", Some(m("10"))).await.unwrap();
    t.spend("lay", m("6"), Some("k1")).await.unwrap();
    t.reserve("lay", m("0.01"), "h1", Duration::from_secs(60))
        .await
        .unwrap();
    t.reserve("lay", m("0.02"), "h2", Duration::from_secs(60))
        .await
        .unwrap();
    t.release("lay", "h2").await.unwrap();

    let [main, idem, holds, exp, done, _outbox] = redis_keys(&RunId::parse("lay").unwrap());
    assert_eq!(main, "warden:budget:{lay}");
    assert_eq!(done, "warden:budget:{lay}:hold_done");
    let mut c = server.client();
    let h: std::collections::HashMap<String, String> = c.hgetall(&main).unwrap();
    assert_eq!(h["limit"], "10000000");
    assert_eq!(h["spent"], "6000000");
    assert_eq!(h["held"], "10000");
    assert_eq!(h["tripped"], "0");
    assert_eq!(h["alert:50"], "1");
    assert!(!h.contains_key("alert:80"));
    let members: Vec<String> = c.smembers(&idem).unwrap();
    assert_eq!(members, vec!["k1".to_string()]);
    let hold: String = c.hget(&holds, "h1").unwrap();
    assert_eq!(hold, "10000");
    let score: Option<f64> = c.zscore(&exp, "h1").unwrap();
    assert!(score.is_some());
    let fate: String = c.hget(&done, "h2").unwrap();
    assert_eq!(fate, "r");
    let thirty_days_ms = 30 * 86_400 * 1000;
    for key in [&main, &idem, &holds, &exp, &done] {
        let pttl: i64 = redis::cmd("PTTL").arg(key).query(&mut c).unwrap();
        assert!(
            pttl > thirty_days_ms - 60_000 && pttl <= thirty_days_ms,
            "{key}: {pttl}"
        );
    }
}

/// The crash window between the spend script and the index `ZADD`: the outbox exists but
/// the index does not name the run. A starting store sweeps the keyspace and finds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_missing_from_the_index_is_found_by_the_sweep() {
    let server = RedisServer::spawn();
    let t = trackers(&server.url(), 1, Duration::from_secs(5)).await;
    let s = t[0].spend("unindexed", m("9"), None).await.unwrap();
    assert_eq!(s.alerts, vec![50, 80]);
    let mut c = server.client();
    let removed: i64 = c.zrem("warden:outbox:runs", "unindexed").unwrap();
    assert_eq!(removed, 1, "the spend indexed its outbox");
    let [.., outbox] = redis_keys(&RunId::parse("unindexed").unwrap());
    let entries: i64 = c.hlen(&outbox).unwrap();
    assert_eq!(entries, 2);
    let ttl: i64 = c.pttl(&outbox).unwrap();
    assert!(ttl > 0, "the outbox expires with its budget");

    let fresh = trackers(&server.url(), 1, Duration::from_secs(5)).await;
    let due = fresh[0].outbox_runs(Duration::ZERO, 10).await.unwrap();
    assert_eq!(due, vec![RunId::parse("unindexed").unwrap()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noscript_is_recovered_after_script_flush() {
    let server = RedisServer::spawn();
    let t = &trackers(&server.url(), 1, Duration::from_secs(2)).await[0];
    t.spend("ns", m("1"), None).await.unwrap();
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query(&mut server.client())
        .unwrap();
    assert_eq!(
        t.spend("ns", m("1"), None).await.unwrap().status.spent,
        m("2")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_redis_is_unavailable_fast_and_recovers_after_restart() {
    let mut server = RedisServer::spawn();
    let t = trackers(&server.url(), 1, Duration::from_secs(2))
        .await
        .remove(0);
    t.create_budget("before", Some(m("100"))).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let bad_errors = Arc::new(AtomicUsize::new(0));
    let mut load = tokio::task::JoinSet::new();
    for w in 0..4 {
        let (t, stop, bad) = (t.clone(), stop.clone(), bad_errors.clone());
        load.spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                if let Err(e) = t
                    .spend("before", m("0.01"), Some(&format!("w{w}-{i}")))
                    .await
                {
                    if warden::error::ErrorCode::from(&e).as_str() != "store_unavailable" {
                        bad.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.kill();
    for _ in 0..3 {
        let started = Instant::now();
        let err = t.spend("during", m("0.01"), None).await.unwrap_err();
        assert_eq!(
            warden::error::ErrorCode::from(&err).as_str(),
            "store_unavailable",
            "{err}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(2_600),
            "{:?}",
            started.elapsed()
        );
        assert!(!err.to_string().contains("127.0.0.1"), "{err}");
    }
    server.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match t.create_budget("after", Some(m("10"))).await {
            Ok(_) => break,
            Err(e) => {
                assert_eq!(
                    warden::error::ErrorCode::from(&e).as_str(),
                    "store_unavailable"
                );
                assert!(Instant::now() < deadline, "no recovery: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    while load.join_next().await.is_some() {}
    assert_eq!(bad_errors.load(Ordering::Relaxed), 0);
    // Restart lost the script cache: EVALSHA → NOSCRIPT → reload worked above and here.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let t = t.clone();
        tasks.spawn(async move {
            t.spend("after", m("0.05"), Some(&format!("a{}", i % 100)))
                .await
        });
    }
    while let Some(res) = tasks.join_next().await {
        res.unwrap().unwrap();
    }
    assert_eq!(t.get("after").await.unwrap().spent, m("5"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aof_restart_ledger_is_bounded_and_idempotent_retries_make_it_exact() {
    let mut server = RedisServer::spawn_with(&[
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
    ]);
    let t = trackers(&server.url(), 1, Duration::from_secs(2))
        .await
        .remove(0);
    t.create_budget("dur", Some(m("100"))).await.unwrap();
    let attempted = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let (t, attempted, acked, stop) =
            (t.clone(), attempted.clone(), acked.clone(), stop.clone());
        load.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let n = attempted.fetch_add(1, Ordering::SeqCst);
                if t.spend("dur", m("0.001"), Some(&format!("k{n}")))
                    .await
                    .is_ok()
                {
                    acked.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill();
    stop.store(true, Ordering::Relaxed);
    while load.join_next().await.is_some() {}
    server.restart();
    let (attempted, acked) = (
        attempted.load(Ordering::SeqCst),
        acked.load(Ordering::SeqCst),
    );
    let spent = loop {
        match t.get("dur").await {
            Ok(s) => break s.spent.micros(),
            Err(e) => assert_eq!(
                warden::error::ErrorCode::from(&e).as_str(),
                "store_unavailable"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(acked > 0);
    assert!(
        spent >= acked as i64 * 1_000 && spent <= attempted as i64 * 1_000,
        "{acked} {spent} {attempted}"
    );
    // Callers retry failed spends with the same keys: the ledger becomes exact.
    for n in 0..attempted {
        t.spend("dur", m("0.001"), Some(&format!("k{n}")))
            .await
            .unwrap();
    }
    assert_eq!(
        t.get("dur").await.unwrap().spent.micros(),
        attempted as i64 * 1_000
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_redis_times_out_quickly() {
    let server = RedisServer::spawn_with(&[
        "--save",
        "",
        "--appendonly",
        "no",
        "--enable-debug-command",
        "yes",
    ]);
    let t = trackers(&server.url(), 1, Duration::from_millis(300))
        .await
        .remove(0);
    t.create_budget("hang", None).await.unwrap();
    let mut c = server.client();
    let sleeper = std::thread::spawn(move || {
        let _: redis::RedisResult<()> = redis::cmd("DEBUG").arg("SLEEP").arg(1.5).query(&mut c);
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let err = t.spend("hang", m("1"), None).await.unwrap_err();
    assert_eq!(
        warden::error::ErrorCode::from(&err).as_str(),
        "store_unavailable"
    );
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    sleeper.join().unwrap();
}

#[tokio::test]
async fn connection_errors_do_not_leak_secrets() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let started = Instant::now();
    let url = format!("redis://admin:hunter2secret@127.0.0.1:{port}/");
    let err = RedisStore::connect(&url).await.unwrap_err();
    assert_eq!(
        warden::error::ErrorCode::from(&err).as_str(),
        "store_unavailable"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("hunter2secret") && !text.contains("admin"),
        "{text}"
    );
    let err = RedisStore::connect("redis://:hunter2secret@[bad")
        .await
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("hunter2secret"));
}
