//! The JetStream redaction pipeline against a real nats-server: N raw lines in,
//! exactly N redacted lines out, headers kept, no secret left; a SIGKILL
//! mid-stream loses nothing and duplicates nothing.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use async_nats::jetstream::{self, consumer::pull, Context};
use futures::StreamExt;
use support::nats::NatsServer;
use support::warden::WardenProcess;

const SECRET: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

fn start(nats: &NatsServer) -> WardenProcess {
    WardenProcess::start(&[("NATS_URL", &nats.url()), ("WARDEN_STORE", "memory")])
}

fn line(i: usize) -> String {
    if i % 10 == 0 {
        format!("line {i} token={SECRET} user=alice")
    } else {
        format!("line {i} GET /api/items/{i} 200 12ms")
    }
}

async fn publish_lines(js: &Context, range: std::ops::Range<usize>) {
    let mut acks = Vec::new();
    for i in range {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("X-Line", i.to_string().as_str());
        let ack = js
            .publish_with_headers("logs.raw.app", headers, line(i).into())
            .await
            .expect("publish");
        acks.push(ack);
    }
    for ack in acks {
        ack.await.expect("stored in LOGS_RAW");
    }
}

/// Reads everything in LOGS_REDACTED: X-Line header → payloads seen.
async fn read_redacted(js: &Context, want: usize) -> BTreeMap<usize, Vec<String>> {
    let stream = js
        .get_stream("LOGS_REDACTED")
        .await
        .expect("LOGS_REDACTED exists");
    let consumer = stream
        .create_consumer(pull::Config {
            filter_subject: "logs.redacted.app".into(),
            ..Default::default()
        })
        .await
        .expect("consumer");
    let mut messages = consumer.messages().await.expect("messages");
    let mut seen: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut total = 0;
    loop {
        let timeout = if total >= want {
            Duration::from_millis(700)
        } else {
            Duration::from_secs(20)
        };
        let Ok(Some(message)) = tokio::time::timeout(timeout, messages.next()).await else {
            break;
        };
        let message = message.expect("message");
        let index: usize = message
            .headers
            .as_ref()
            .and_then(|h| h.get("X-Line"))
            .and_then(|v| v.as_str().parse().ok())
            .expect("X-Line header kept");
        assert!(
            message
                .headers
                .as_ref()
                .and_then(|h| h.get("Nats-Msg-Id"))
                .is_some(),
            "copy carries a Nats-Msg-Id"
        );
        seen.entry(index)
            .or_default()
            .push(String::from_utf8(message.payload.to_vec()).expect("utf8"));
        message.ack().await.expect("ack");
        total += 1;
    }
    seen
}

fn assert_exactly_once(seen: &BTreeMap<usize, Vec<String>>, n: usize) {
    assert_eq!(seen.len(), n, "every line arrived");
    for (index, copies) in seen {
        assert_eq!(
            copies.len(),
            1,
            "line {index} arrived {} times",
            copies.len()
        );
        let text = &copies[0];
        assert!(
            !text.contains(SECRET),
            "secret left in line {index}: {text}"
        );
        if index % 10 == 0 {
            assert!(text.contains("[REDACTED:"), "line {index} redacted: {text}");
        } else {
            assert_eq!(text, &line(*index), "clean line unchanged");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_line_comes_out_once_and_redacted() {
    let nats = NatsServer::start();
    let _warden = start(&nats);
    let client = async_nats::connect(nats.url()).await.expect("connect");
    let js = jetstream::new(client);
    publish_lines(&js, 0..2_000).await;
    let seen = read_redacted(&js, 2_000).await;
    assert_exactly_once(&seen, 2_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_payloads_stay_valid_json() {
    let nats = NatsServer::start();
    let _warden = start(&nats);
    let client = async_nats::connect(nats.url()).await.expect("connect");
    let js = jetstream::new(client);
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("X-Line", "0");
    let body = format!(r#"{{"level":"info","msg":"calling github","token":"{SECRET}","n":1.50}}"#);
    js.publish_with_headers("logs.raw.app", headers, body.into())
        .await
        .expect("publish")
        .await
        .expect("stored");
    let seen = read_redacted(&js, 1).await;
    let text = &seen[&0][0];
    let value: serde_json::Value = serde_json::from_str(text).expect("still JSON");
    assert_eq!(value["msg"], "calling github");
    assert!(!text.contains(SECRET), "{text}");
    assert!(text.contains(r#""n":1.50"#), "numbers kept exactly: {text}");
    assert!(
        text.starts_with(r#"{"level":"info""#),
        "key order kept: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_loses_and_duplicates_nothing() {
    let nats = NatsServer::start();
    let mut warden = start(&nats);
    let client = async_nats::connect(nats.url()).await.expect("connect");
    let js = jetstream::new(client);
    publish_lines(&js, 0..3_000).await;
    // Let it get going, then kill it without a chance to ack what is in flight.
    let redacted = js.get_stream("LOGS_REDACTED").await.expect("stream");
    for _ in 0..200 {
        let mut info = redacted.clone();
        if info.info().await.expect("info").state.messages > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    warden.kill();
    publish_lines(&js, 3_000..4_000).await;
    warden.restart();
    let seen = read_redacted(&js, 4_000).await;
    assert_exactly_once(&seen, 4_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_cannot_be_stored_goes_to_the_dlq_redacted() {
    let nats = NatsServer::start();
    let _warden = start(&nats);
    let client = async_nats::connect(nats.url()).await.expect("connect");
    let js = jetstream::new(client.clone());
    // Without LOGS_REDACTED every publish of a redacted copy fails.
    js.delete_stream("LOGS_REDACTED")
        .await
        .expect("delete stream");
    let mut dlq = client
        .subscribe("safety.dlq.logs")
        .await
        .expect("subscribe");
    client.flush().await.expect("flush");
    js.publish(
        "logs.raw.app",
        format!("deploy failed token={SECRET}").into(),
    )
    .await
    .expect("publish")
    .await
    .expect("stored in LOGS_RAW");
    // max_deliver 5 with 1+2+5+10 s of backoff: the letter comes within ~20 s.
    let letter = tokio::time::timeout(Duration::from_secs(45), dlq.next())
        .await
        .expect("dead letter in time")
        .expect("subscription open");
    let letter: serde_json::Value = serde_json::from_slice(&letter.payload).expect("JSON");
    assert_eq!(letter["origin"], "logs");
    assert_eq!(letter["subject"], "logs.raw.app");
    assert_eq!(letter["error"]["code"], "publish_failed");
    assert_eq!(letter["delivered"], 5);
    let payload = letter["payload"].as_str().expect("payload");
    assert!(
        !payload.contains(SECRET),
        "the DLQ holds the redacted copy: {payload}"
    );
    assert!(
        payload.starts_with("deploy failed token=[REDACTED:"),
        "{payload}"
    );
}
