//! Nothing lost after a commit, against real redis-server, nats-server and
//! warden processes: a stalled JetStream never turns a recorded spend into a
//! 504 nor loses its alerts and audit events; alerts decided in Redis arrive
//! after warden is SIGKILLed before publishing them; audit events of decisions
//! made while NATS is down are stored exactly once after it comes back; a full
//! audit spool fails decisions closed.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use serde_json::Value;
use support::nats::{stream_count, stream_messages, NatsServer};
use support::proxy::Proxy;
use support::redis::RedisServer;
use support::warden::WardenProcess;

fn start_warden(
    nats: &NatsServer,
    redis: Option<&RedisServer>,
    extra: &[(&str, &str)],
) -> WardenProcess {
    let nats_url = nats.url();
    let redis_url = redis.map(RedisServer::url);
    let mut env: Vec<(&str, &str)> = vec![("NATS_URL", &nats_url)];
    match &redis_url {
        Some(url) => env.push(("REDIS_URL", url)),
        None => env.push(("WARDEN_STORE", "memory")),
    }
    env.extend_from_slice(extra);
    WardenProcess::start(&env)
}

async fn post(client: &reqwest::Client, warden: &str, path: &str, body: String) -> (u16, Value) {
    let response = client
        .post(format!("{warden}/api/v1/safety{path}"))
        .body(body)
        .send()
        .await
        .expect("REST request");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// The value of an unlabelled metric on warden's `/metrics`.
async fn metric(warden: &WardenProcess, name: &str) -> f64 {
    let text = warden.metrics().await;
    text.lines()
        .find_map(|line| {
            line.strip_prefix(name)?
                .strip_prefix(' ')?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("{name} not on /metrics"))
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes.
async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while !condition().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Redis holds no alert outbox entry any more (every alert was acked).
fn outboxes_empty(redis: &RedisServer) -> bool {
    let mut c = redis.client();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("warden:budget:*:outbox")
        .query(&mut c)
        .expect("KEYS");
    keys.is_empty()
}

/// Ids of the JSON messages on `stream`, and how many messages carried each.
async fn ids_on(nats: &NatsServer, stream: &str) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for message in stream_messages(&nats.url(), stream).await {
        let body: Value = serde_json::from_slice(&message.payload).expect("JSON event");
        let id = body["id"]
            .as_str()
            .expect("every event has an id")
            .to_string();
        *ids.entry(id).or_insert(0) += 1;
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_jetstream_neither_times_out_recorded_spends_nor_loses_what_follows() {
    let nats = NatsServer::start();
    let redis = RedisServer::spawn();
    let warden = start_warden(&nats, Some(&redis), &[("WARDEN_REQUEST_TIMEOUT", "5s")]);
    let base = warden.base_url();
    let client = reqwest::Client::new();

    // Each spend auto-creates its run (audit), goes over the limit (audit:
    // tripped) and crosses 50/80/100 % (three alerts). 2,500 spends are 5,000
    // audit events: more than warden lets wait for acks, so a publish path that
    // waits for JetStream inside the request would hit the timeout.
    const RUNS: usize = 2_500;
    nats.pause();
    let started = Instant::now();
    let answers: Vec<(u16, Value, Duration)> = stream::iter(0..RUNS)
        .map(|i| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let body = format!(r#"{{"run_id": "stall-{i}", "amount": 10.5}}"#);
                let sent = Instant::now();
                let (status, answer) = post(&client, &base, "/budget/spend", body).await;
                (status, answer, sent.elapsed())
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let elapsed = started.elapsed();
    for (status, body, _) in &answers {
        assert_eq!(*status, 200, "a recorded spend is answered: {body}");
        assert_eq!(body["exceeded"], true, "{body}");
    }
    nats.resume();
    let mut latencies: Vec<Duration> = answers.iter().map(|(_, _, took)| *took).collect();
    latencies.sort_unstable();
    eprintln!(
        "{RUNS} spends with JetStream stalled took {elapsed:?} (p50 {:?}, max {:?})",
        latencies[RUNS / 2],
        latencies[RUNS - 1]
    );

    wait_until(
        "every alert stored and acked",
        Duration::from_secs(90),
        || async {
            outboxes_empty(&redis)
                && stream_count(&nats.url(), "SAFETY_ALERTS").await >= 3 * RUNS as u64
        },
    )
    .await;
    wait_until(
        "every audit event stored",
        Duration::from_secs(90),
        || async {
            metric(&warden, "warden_audit_spool_events").await == 0.0
                && stream_count(&nats.url(), "SAFETY_AUDIT").await >= 2 * RUNS as u64
        },
    )
    .await;

    let alerts = ids_on(&nats, "SAFETY_ALERTS").await;
    assert_eq!(alerts.len(), 3 * RUNS, "one alert per run and threshold");
    assert!(
        alerts.values().all(|&n| n == 1),
        "JetStream stored each alert once"
    );
    let audit = ids_on(&nats, "SAFETY_AUDIT").await;
    assert_eq!(
        audit.len(),
        2 * RUNS,
        "auto_created and tripped for every run"
    );
    assert!(
        audit.values().all(|&n| n == 1),
        "JetStream stored each event once"
    );
    assert_eq!(metric(&warden, "warden_audit_dropped_total").await, 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_decided_before_a_sigkill_arrive_after_the_restart_once() {
    let mut nats = NatsServer::start();
    let redis = RedisServer::spawn();
    let mut warden = start_warden(&nats, Some(&redis), &[]);
    let base = warden.base_url();
    let client = reqwest::Client::new();

    // NATS is gone, so nothing can be published; the spend still records. (Wait
    // until warden noticed: an audit event handed to a connection that was about
    // to drop waits for its ack before it is spooled, and a SIGKILL inside that
    // window loses it; see README, Guarantees.)
    nats.kill();
    wait_until(
        "warden noticed NATS is gone",
        Duration::from_secs(30),
        || async {
            let ready = reqwest::get(format!("{base}/readyz")).await;
            ready.is_ok_and(|r| r.status().as_u16() == 503)
        },
    )
    .await;
    let body = r#"{"run_id": "killed", "amount": 8.5}"#.to_string();
    let (status, answer) = post(&client, &base, "/budget/spend", body).await;
    assert_eq!(status, 200, "{answer}");
    {
        let mut c = redis.client();
        let pending: i64 = redis::cmd("HLEN")
            .arg("warden:budget:{killed}:outbox")
            .query(&mut c)
            .expect("HLEN");
        assert_eq!(pending, 2, "50 % and 80 % wait in the outbox");
    }
    warden.kill();

    nats.restart();
    warden.restart();
    wait_until("the relayed alerts", Duration::from_secs(30), || async {
        outboxes_empty(&redis) && stream_count(&nats.url(), "SAFETY_ALERTS").await >= 2
    })
    .await;
    let messages = stream_messages(&nats.url(), "SAFETY_ALERTS").await;
    let mut thresholds = Vec::new();
    let mut ids = BTreeSet::new();
    for message in &messages {
        assert_eq!(message.subject.as_str(), "safety.alerts.budget.killed");
        let alert: Value = serde_json::from_slice(&message.payload).expect("JSON alert");
        let id = alert["id"].as_str().expect("id").to_string();
        let header = message
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.as_str().to_string());
        assert_eq!(
            header.as_deref(),
            Some(id.as_str()),
            "Nats-Msg-Id is the alert id"
        );
        ids.insert(id);
        thresholds.push(alert["threshold"].as_u64().expect("threshold"));
        assert_eq!(alert["status"]["spent"].to_string(), "8.5");
    }
    thresholds.sort_unstable();
    assert_eq!(thresholds, vec![50, 80], "each alert arrived once");
    assert_eq!(ids.len(), 2);

    // The auto-creation was decided while NATS was down: spooled, synced, and
    // replayed by the restarted warden.
    wait_until(
        "the spooled audit event",
        Duration::from_secs(30),
        || async { stream_count(&nats.url(), "SAFETY_AUDIT").await >= 1 },
    )
    .await;
    let audit = stream_messages(&nats.url(), "SAFETY_AUDIT").await;
    assert_eq!(audit.len(), 1);
    let event: Value = serde_json::from_slice(&audit[0].payload).expect("JSON event");
    assert_eq!(event["event"], "auto_created");
    assert_eq!(event["run_id"], "killed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_events_in_flight_at_a_sigkill_are_stored_after_the_restart() {
    let nats = NatsServer::start();
    let proxy = Proxy::start(nats.port).await;
    let proxied = proxy.url();
    let mut warden = WardenProcess::start(&[("NATS_URL", &proxied), ("WARDEN_STORE", "memory")]);
    let client = reqwest::Client::new();
    // A partition warden does not notice yet: its publishes are lost on the
    // way, so every audit event is in flight, waiting for an ack.
    proxy.cut();
    let mut decided = BTreeSet::new();
    for i in 0..50 {
        let body = format!(r#"{{"action": "execute_code", "context": {{"command": "ls {i}"}}}}"#);
        let (status, answer) = post(&client, &warden.base_url(), "/check", body).await;
        assert_eq!(status, 200, "{answer}");
        decided.insert(answer["decision_id"].as_str().expect("id").to_string());
    }
    warden.kill();
    proxy.heal();
    warden.restart();
    wait_until(
        "the journalled events stored",
        Duration::from_secs(30),
        || async {
            metric(&warden, "warden_audit_spool_events").await == 0.0
                && stream_count(&nats.url(), "SAFETY_AUDIT").await >= decided.len() as u64
        },
    )
    .await;
    let stored = ids_on(&nats, "SAFETY_AUDIT").await;
    let stored_ids: BTreeSet<String> = stored.keys().cloned().collect();
    assert_eq!(
        stored_ids, decided,
        "every decision's audit event is stored"
    );
    assert!(stored.values().all(|&n| n == 1), "and stored once");
}

/// Sends checks, 16 at a time, until `stop`; returns each answer's status and
/// decision id.
async fn check_load(
    base: String,
    stop: tokio_util::sync::CancellationToken,
) -> Vec<(u16, Option<String>)> {
    let client = reqwest::Client::new();
    let mut answers = Vec::new();
    while !stop.is_cancelled() {
        let batch: Vec<(u16, Value)> = stream::iter(0..16)
            .map(|i| {
                let (client, base) = (client.clone(), base.clone());
                async move {
                    let body = format!(
                        r#"{{"action": "execute_code", "context": {{"command": "echo {i}"}}}}"#
                    );
                    post(&client, &base, "/check", body).await
                }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        answers.extend(
            batch
                .into_iter()
                .map(|(status, body)| (status, body["decision_id"].as_str().map(str::to_string))),
        );
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_made_while_nats_is_down_are_audited_exactly_once() {
    let mut nats = NatsServer::start();
    let warden = start_warden(&nats, None, &[]);
    let stop = tokio_util::sync::CancellationToken::new();
    let load = tokio::spawn(check_load(warden.base_url(), stop.clone()));

    let enough = |n: f64| {
        let warden = &warden;
        move || async move {
            let text = warden.metrics().await;
            text.lines()
                .filter(|l| l.starts_with("warden_policy_decisions_total"))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
                .sum::<f64>()
                >= n
        }
    };
    wait_until(
        "load before the outage",
        Duration::from_secs(30),
        enough(200.0),
    )
    .await;
    nats.kill();
    let outage = Instant::now();
    wait_until(
        "decisions spooled during the outage",
        Duration::from_secs(60),
        || async { metric(&warden, "warden_audit_spool_events").await >= 500.0 },
    )
    .await;
    // The outage lasts 10 s of steady load.
    while outage.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    nats.restart();
    let spooled = metric(&warden, "warden_audit_spool_events").await;
    wait_until(
        "the spool drained under load",
        Duration::from_secs(60),
        || async { metric(&warden, "warden_audit_spool_events").await == 0.0 },
    )
    .await;
    stop.cancel();
    let answers = load.await.expect("load task");
    wait_until(
        "the last events stored",
        Duration::from_secs(30),
        || async {
            metric(&warden, "warden_audit_spool_events").await == 0.0
                && stream_count(&nats.url(), "SAFETY_AUDIT").await >= answers.len() as u64
        },
    )
    .await;

    let mut decided = BTreeSet::new();
    for (status, id) in &answers {
        assert_eq!(*status, 200, "decisions are served during the outage");
        decided.insert(id.clone().expect("every decision has an id"));
    }
    let stored = ids_on(&nats, "SAFETY_AUDIT").await;
    let stored_ids: BTreeSet<String> = stored.keys().cloned().collect();
    eprintln!(
        "{} decisions, {spooled} spooled during a {:?} outage",
        decided.len(),
        outage.elapsed()
    );
    assert_eq!(
        stored_ids, decided,
        "every decision's audit event is stored"
    );
    assert!(stored.values().all(|&n| n == 1), "and stored once");
    assert_eq!(metric(&warden, "warden_audit_dropped_total").await, 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_spool_fails_decisions_closed_until_nats_is_back() {
    let mut nats = NatsServer::start();
    let warden = start_warden(&nats, None, &[("WARDEN_AUDIT_SPOOL_MAX_BYTES", "4096")]);
    let base = warden.base_url();
    let client = reqwest::Client::new();
    let check = || {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let body = r#"{"action": "execute_code", "context": {"command": "ls"}}"#;
            post(&client, &base, "/check", body.to_string()).await
        }
    };
    nats.kill();
    let mut served = Vec::new();
    let refused = loop {
        let (status, body) = check().await;
        match status {
            200 => served.push(body["decision_id"].as_str().expect("id").to_string()),
            _ => break (status, body),
        }
        assert!(served.len() < 1000, "a 4 KiB spool fills up");
    };
    assert_eq!(refused.0, 503, "{}", refused.1);
    assert_eq!(refused.1["error"]["code"], "unavailable", "{}", refused.1);
    assert!(!served.is_empty());

    nats.restart();
    wait_until(
        "decisions served again",
        Duration::from_secs(30),
        || async { check().await.0 == 200 },
    )
    .await;
    wait_until("the spool drained", Duration::from_secs(30), || async {
        metric(&warden, "warden_audit_spool_events").await == 0.0
    })
    .await;
    let stored = ids_on(&nats, "SAFETY_AUDIT").await;
    for id in &served {
        assert_eq!(stored.get(id), Some(&1), "decision {id} audited once");
    }
    // Exactly one event could not be kept: the one whose append found the spool full.
    assert_eq!(metric(&warden, "warden_audit_dropped_total").await, 1.0);
}
