//! Budgets over REST, NATS and the spend stream against real redis-server and
//! nats-server processes: the seed's exact bytes, errors, alerts, the stream's
//! exactly-once counting, concurrency across warden processes, Redis outages.

mod support;

use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use support::nats::NatsServer;
use support::redis::RedisServer;
use support::warden::WardenProcess;

struct Stack {
    nats: NatsServer,
    redis: RedisServer,
    warden: WardenProcess,
}

fn warden_env(nats: &NatsServer, redis: &RedisServer) -> Vec<(String, String)> {
    vec![
        ("NATS_URL".into(), nats.url()),
        ("REDIS_URL".into(), redis.url()),
    ]
}

fn start_warden(nats: &NatsServer, redis: &RedisServer) -> WardenProcess {
    let env = warden_env(nats, redis);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    WardenProcess::start(&pairs)
}

fn start() -> Stack {
    let nats = NatsServer::start();
    let redis = RedisServer::spawn();
    let warden = start_warden(&nats, &redis);
    Stack {
        nats,
        redis,
        warden,
    }
}

async fn post(warden: &WardenProcess, path: &str, body: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/safety{path}", warden.base_url()))
        .body(body.to_string())
        .send()
        .await
        .expect("REST request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

async fn get(warden: &WardenProcess, path: &str) -> (u16, String) {
    let response = reqwest::get(format!("{}/api/v1/safety{path}", warden.base_url()))
        .await
        .expect("REST request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

async fn request(client: &async_nats::Client, subject: &str, body: &str) -> String {
    let reply = tokio::time::timeout(
        Duration::from_secs(10),
        client.request(subject.to_string(), body.to_string().into()),
    )
    .await
    .expect("reply in time")
    .expect("reply");
    String::from_utf8(reply.payload.to_vec()).expect("utf8 reply")
}

const SEED_CREATED: &str =
    r#"{"run_id":"run-123","spent":0.0,"limit":10.0,"remaining":10.0,"exceeded":false}"#;
const SEED_SPENT: &str =
    r#"{"run_id":"run-123","spent":0.05,"limit":10.0,"remaining":9.95,"exceeded":false}"#;
const SEED_CAN_SPEND: &str = r#"{"can_spend":true,"current_status":{"run_id":"run-123","spent":0.05,"limit":10.0,"remaining":9.95,"exceeded":false}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_sequence_over_rest_is_byte_for_byte() {
    let stack = start();
    let w = &stack.warden;
    assert_eq!(
        post(
            w,
            "/budget/create",
            r#"{"run_id": "run-123", "limit": 10.0}"#
        )
        .await,
        (200, SEED_CREATED.to_string())
    );
    assert_eq!(
        post(
            w,
            "/budget/spend",
            r#"{"run_id": "run-123", "amount": 0.05}"#
        )
        .await,
        (200, SEED_SPENT.to_string())
    );
    assert_eq!(
        get(w, "/budget/run-123").await,
        (200, SEED_SPENT.to_string())
    );
    assert_eq!(
        post(
            w,
            "/budget/can-spend",
            r#"{"run_id": "run-123", "amount": 0.10}"#
        )
        .await,
        (200, SEED_CAN_SPEND.to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_sequence_over_nats_is_byte_for_byte() {
    let stack = start();
    let client = async_nats::connect(stack.nats.url())
        .await
        .expect("connect");
    let calls = [
        (
            "safety.budget.create",
            r#"{"run_id": "run-123", "limit": 10.0}"#,
            SEED_CREATED,
        ),
        (
            "safety.budget.spend",
            r#"{"run_id": "run-123", "amount": 0.05}"#,
            SEED_SPENT,
        ),
        ("safety.budget.get", r#"{"run_id": "run-123"}"#, SEED_SPENT),
        (
            "safety.budget.can_spend",
            r#"{"run_id": "run-123", "amount": 0.10}"#,
            SEED_CAN_SPEND,
        ),
    ];
    for (subject, body, want) in calls {
        assert_eq!(request(&client, subject, body).await, want, "{subject}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_stays_exact_and_bad_amounts_change_nothing() {
    let stack = start();
    let w = &stack.warden;
    post(w, "/budget/create", r#"{"run_id": "exact", "limit": 1}"#).await;
    post(w, "/budget/spend", r#"{"run_id": "exact", "amount": 0.1}"#).await;
    let (_, body) = post(w, "/budget/spend", r#"{"run_id": "exact", "amount": 0.2}"#).await;
    assert_eq!(
        body,
        r#"{"run_id":"exact","spent":0.3,"limit":1.0,"remaining":0.7,"exceeded":false}"#
    );
    for bad in [
        r#"{"run_id": "exact", "amount": -1}"#,
        r#"{"run_id": "exact", "amount": 0}"#,
        r#"{"run_id": "exact", "amount": 0.0000001}"#,
        r#"{"run_id": "exact", "amount": "0.5"}"#,
        r#"{"run_id": "exact", "amount": 1e400}"#,
        r#"{"run_id": "exact"}"#,
        r#"{"run_id": "ex{act}", "amount": 0.1}"#,
    ] {
        let (status, body) = post(w, "/budget/spend", bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
        let error: Value = serde_json::from_str(&body).expect("JSON error");
        assert!(error["error"]["code"].is_string(), "{body}");
    }
    let (status, _) = post(w, "/budget/spend", "{oops").await;
    assert_eq!(status, 400);
    let (_, body) = get(w, "/budget/exact").await;
    assert!(body.contains(r#""spent":0.3"#), "unchanged: {body}");

    let (status, body) = post(w, "/budget/create", r#"{"run_id": "exact", "limit": 2}"#).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("budget_conflict"));
    let (status, body) = post(w, "/budget/create", r#"{"run_id": "big", "limit": 1000}"#).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = get(w, "/budget/never-created").await;
    assert_eq!(status, 404);
    assert!(body.contains("budget_not_found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thresholds_alert_once_and_the_breaker_trips() {
    let stack = start();
    let client = async_nats::connect(stack.nats.url())
        .await
        .expect("connect");
    let mut alerts = client
        .subscribe("safety.alerts.budget.alerting")
        .await
        .expect("subscribe");
    client.flush().await.expect("flush");
    let w = &stack.warden;
    post(w, "/budget/create", r#"{"run_id": "alerting", "limit": 1}"#).await;
    for amount in ["0.3", "0.3", "0.1", "0.3", "0.5"] {
        let body = format!(r#"{{"run_id": "alerting", "amount": {amount}}}"#);
        assert_eq!(post(w, "/budget/spend", &body).await.0, 200);
    }
    let mut thresholds = Vec::new();
    while let Ok(Some(message)) =
        tokio::time::timeout(Duration::from_millis(500), alerts.next()).await
    {
        let alert: Value = serde_json::from_slice(&message.payload).expect("JSON alert");
        assert_eq!(alert["run_id"], "alerting");
        thresholds.push(alert["threshold"].as_u64().expect("threshold"));
    }
    assert_eq!(thresholds, vec![50, 80, 100]);
    let (_, body) = post(
        w,
        "/budget/can-spend",
        r#"{"run_id": "alerting", "amount": 0.01}"#,
    )
    .await;
    let answer: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(answer["can_spend"], false);
    assert_eq!(answer["current_status"]["exceeded"], true);
    assert_eq!(answer["current_status"]["remaining"].to_string(), "0.0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_gives_503_and_recovers_consistently() {
    let mut stack = start();
    post(
        &stack.warden,
        "/budget/create",
        r#"{"run_id": "outage", "limit": 50}"#,
    )
    .await;
    stack.redis.kill();
    let (status, body) = post(
        &stack.warden,
        "/budget/spend",
        r#"{"run_id": "outage", "amount": 1}"#,
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("store_unavailable"), "{body}");
    let ready = reqwest::get(format!("{}/readyz", stack.warden.base_url()))
        .await
        .expect("readyz");
    assert_eq!(ready.status().as_u16(), 503);

    stack.redis.restart();
    // Without persistence the restarted Redis is empty: the spend auto-creates.
    let mut recovered = None;
    for _ in 0..50 {
        let (status, body) = post(
            &stack.warden,
            "/budget/spend",
            r#"{"run_id": "outage", "amount": 1, "idempotency_key": "k1"}"#,
        )
        .await;
        if status == 200 {
            recovered = Some(body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = recovered.expect("spends succeed again after Redis is back");
    assert!(body.contains(r#""spent":1.0"#), "{body}");
    let (_, body) = post(
        &stack.warden,
        "/budget/spend",
        r#"{"run_id": "outage", "amount": 1, "idempotency_key": "k1"}"#,
    )
    .await;
    assert!(
        body.contains(r#""spent":1.0"#),
        "idempotent after recovery: {body}"
    );
}

async fn publish_spend(js: &async_nats::jetstream::Context, run: &str, id: &str, amount: &str) {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", id);
    let body = format!(r#"{{"run_id": "{run}", "amount": {amount}}}"#);
    js.publish_with_headers(format!("safety.spend.{run}"), headers, body.into())
        .await
        .expect("publish")
        .await
        .expect("stored");
}

async fn wait_for_spent(warden: &WardenProcess, run: &str, want: &str) -> String {
    let mut last = String::new();
    for _ in 0..150 {
        let (_, body) = get(warden, &format!("/budget/{run}")).await;
        if body.contains(&format!(r#""spent":{want}"#)) {
            return body;
        }
        last = body;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("run {run} never reached spent {want}: {last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spend_stream_counts_each_message_once_and_dead_letters_garbage() {
    let stack = start();
    let client = async_nats::connect(stack.nats.url())
        .await
        .expect("connect");
    let js = async_nats::jetstream::new(client.clone());
    let mut dlq = client
        .subscribe("safety.dlq.spend")
        .await
        .expect("subscribe");
    client.flush().await.expect("flush");

    publish_spend(&js, "streamed", "spend-1", "0.25").await;
    publish_spend(&js, "streamed", "spend-2", "0.25").await;
    // The same message id twice: JetStream dedups within its window...
    publish_spend(&js, "streamed", "spend-2", "0.25").await;
    // ...and a re-send with the same key in the body is not counted again either.
    let body = r#"{"run_id": "streamed", "amount": 0.25, "idempotency_key": "msg:spend-1"}"#;
    js.publish("safety.spend.streamed", body.into())
        .await
        .expect("publish")
        .await
        .expect("ack");
    js.publish("safety.spend.streamed", "not json".into())
        .await
        .expect("publish")
        .await
        .expect("ack");

    wait_for_spent(&stack.warden, "streamed", "0.5").await;
    let letter = tokio::time::timeout(Duration::from_secs(10), dlq.next())
        .await
        .expect("dead letter in time")
        .expect("message");
    let letter: Value = serde_json::from_slice(&letter.payload).expect("JSON letter");
    assert_eq!(letter["origin"], "spend");
    assert_eq!(letter["error"]["code"], "malformed_json");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, body) = get(&stack.warden, "/budget/streamed").await;
    assert!(
        body.contains(r#""spent":0.5"#),
        "still exactly once: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spend_stream_survives_sigkill_without_double_counting() {
    let mut stack = start();
    let client = async_nats::connect(stack.nats.url())
        .await
        .expect("connect");
    let js = async_nats::jetstream::new(client.clone());
    // Publish while warden consumes, and kill it once it is part-way through.
    let publisher = tokio::spawn(async move {
        for i in 0..3_000 {
            publish_spend(&js, "crashy", &format!("c-{i}"), "0.01").await;
        }
    });
    let mut spent_at_kill = None;
    for _ in 0..400 {
        let (_, body) = get(&stack.warden, "/budget/crashy").await;
        let status: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        if let Some(spent) = status["spent"].as_f64().filter(|s| *s >= 1.0) {
            stack.warden.kill(); // mid-stream, no goodbye
            spent_at_kill = Some(spent);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let spent_at_kill = spent_at_kill.expect("warden started consuming");
    assert!(
        spent_at_kill < 30.0,
        "killed part-way through, at {spent_at_kill}"
    );
    publisher.await.expect("publisher");
    stack.warden.restart();
    wait_for_spent(&stack.warden, "crashy", "30.0").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, body) = get(&stack.warden, "/budget/crashy").await;
    assert!(body.contains(r#""spent":30.0"#), "exactly once: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_spend_concurrently_without_losing_a_cent() {
    let stack = start();
    let mut others = Vec::new();
    for _ in 0..3 {
        others.push(start_warden(&stack.nats, &stack.redis));
    }
    let mut urls = vec![stack.warden.base_url()];
    urls.extend(others.iter().map(|w| w.base_url()));
    let http = reqwest::Client::new();
    let spends = futures::stream::iter((0..10_000).map(|i| {
        let url = format!("{}/api/v1/safety/budget/spend", urls[i % urls.len()]);
        let http = http.clone();
        async move {
            let response = http
                .post(url)
                .body(r#"{"run_id": "crowd", "amount": 0.01}"#)
                .send()
                .await
                .expect("spend sent");
            assert_eq!(response.status().as_u16(), 200);
        }
    }))
    .buffer_unordered(64)
    .collect::<Vec<()>>();
    spends.await;
    let (_, body) = get(&stack.warden, "/budget/crowd").await;
    assert!(body.contains(r#""spent":100.0"#), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reserves_over_nats_never_overbook() {
    let stack = start();
    let other = start_warden(&stack.nats, &stack.redis);
    let client = async_nats::connect(stack.nats.url())
        .await
        .expect("connect");
    request(
        &client,
        "safety.budget.create",
        r#"{"run_id": "holds", "limit": 50}"#,
    )
    .await;
    let granted = futures::stream::iter((0..10_000).map(|i| {
        let client = client.clone();
        async move {
            let body = format!(
                r#"{{"run_id": "holds", "amount": 0.01, "hold_id": "h{i}", "ttl_seconds": 600}}"#
            );
            let reply = request(&client, "safety.budget.reserve", &body).await;
            let reply: Value = serde_json::from_str(&reply).expect("JSON");
            reply["granted"].as_bool().expect("granted flag")
        }
    }))
    .buffer_unordered(64)
    .filter(|granted| std::future::ready(*granted))
    .count()
    .await;
    assert_eq!(granted, 5_000);
    drop(other);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_spends_wait_out_a_redis_outage_instead_of_dead_lettering() {
    let mut stack = start();
    let client = async_nats::connect(stack.nats.url())
        .await
        .expect("connect");
    let js = async_nats::jetstream::new(client.clone());
    let mut dlq = client
        .subscribe("safety.dlq.spend")
        .await
        .expect("subscribe");
    client.flush().await.expect("flush");
    stack.redis.kill();
    for i in 0..20 {
        publish_spend(&js, "patient", &format!("p-{i}"), "0.05").await;
    }
    // Longer than five immediate redeliveries would take.
    tokio::time::sleep(Duration::from_secs(4)).await;
    stack.redis.restart();
    wait_for_spent(&stack.warden, "patient", "1.0").await;
    let letter = tokio::time::timeout(Duration::from_millis(500), dlq.next()).await;
    assert!(letter.is_err(), "nothing dead-lettered: {letter:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warden_waits_for_a_redis_that_starts_after_it() {
    let nats = NatsServer::start();
    let mut redis = RedisServer::spawn();
    redis.kill();
    let env = warden_env(&nats, &redis);
    let starting = std::thread::spawn(move || {
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        WardenProcess::start(&pairs)
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    redis.restart();
    let warden = starting
        .join()
        .expect("warden became ready once Redis answered");
    let (status, body) = post(
        &warden,
        "/budget/spend",
        r#"{"run_id": "late", "amount": 0.5}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}
