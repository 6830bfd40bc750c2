//! Hostile transport input: invalid UTF-8, 8 MB bodies, 100k-deep JSON and
//! huge subjects over NATS request/reply and into the `logs.raw.>` and
//! `safety.spend.>` streams, oversized and malformed REST bodies, and
//! slow-loris HTTP clients. Each gets a clear JSON error or a dead letter,
//! never a crash or a stuck consumer: afterwards normal requests are still
//! answered and both stream consumers still make progress. Real nats-server
//! (max_payload raised to 16 MB so 8 MB bodies get through) and warden.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::nats::{stream_count, stream_messages, NatsServer};
use support::warden::WardenProcess;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EIGHT_MB: usize = 8 << 20;

fn nats_with_big_payloads() -> (NatsServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("config dir");
    let conf = dir.path().join("nats.conf");
    std::fs::write(&conf, "max_payload: 16MB\n").expect("nats config");
    let conf = conf.display().to_string();
    (NatsServer::start_with(&["-c", &conf]), dir)
}

fn start_warden(nats: &NatsServer) -> WardenProcess {
    WardenProcess::start(&[
        ("NATS_URL", &nats.url()),
        ("WARDEN_STORE", "memory"),
        ("WARDEN_HTTP_HEADER_TIMEOUT", "2s"),
    ])
}

fn deep_json() -> Vec<u8> {
    "[".repeat(100_000).into_bytes()
}

fn big_json() -> Vec<u8> {
    let mut body = b"{\"text\": \"".to_vec();
    body.extend(std::iter::repeat_n(b'a', EIGHT_MB));
    body.extend_from_slice(b"\"}");
    body
}

fn invalid_utf8() -> Vec<u8> {
    b"{\"action\": \"execute_code\", \"context\": {\"command\": \"ls \xff\xfe\xc3\x28\"}}".to_vec()
}

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

async fn rest_check_answers(warden: &WardenProcess) {
    let started = Instant::now();
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/safety/check", warden.base_url()))
        .json(&json!({"action": "execute_code", "context": {"command": "ls"}}))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("a normal REST check is answered");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["allowed"], true);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_nats_input_gets_errors_or_dead_letters_and_consumers_go_on() {
    let (nats, _conf) = nats_with_big_payloads();
    let warden = start_warden(&nats);
    let client = async_nats::ConnectOptions::new()
        .request_timeout(Some(Duration::from_secs(30)))
        .connect(nats.url())
        .await
        .expect("connect");

    // Request/reply: every hostile body gets a JSON answer (an error or, for
    // a big but valid redaction, the redacted text).
    for subject in ["safety.check", "safety.redact", "safety.budget.spend"] {
        for (what, body) in [
            ("invalid UTF-8", invalid_utf8()),
            ("8 MB", big_json()),
            ("100k-deep JSON", deep_json()),
            ("empty", Vec::new()),
        ] {
            let reply = client
                .request(subject, body.into())
                .await
                .unwrap_or_else(|e| panic!("{subject} {what}: no reply: {e}"));
            let value: Value = serde_json::from_slice(&reply.payload)
                .unwrap_or_else(|e| panic!("{subject} {what}: reply is not JSON: {e}"));
            if subject != "safety.redact" || what != "8 MB" {
                assert!(
                    value["error"]["code"].is_string(),
                    "{subject} {what}: {}",
                    String::from_utf8_lossy(&reply.payload[..reply.payload.len().min(300)])
                );
            }
        }
    }

    // Streams: the same bodies, plus huge subjects, published into both.
    let js = async_nats::jetstream::new(client.clone());
    let huge = "x".repeat(3000);
    let published = [
        ("logs.raw.hostile".to_string(), invalid_utf8()),
        ("logs.raw.hostile".to_string(), big_json()),
        ("logs.raw.hostile".to_string(), deep_json()),
        (
            format!("logs.raw.{huge}"),
            b"password=hunter2 in a huge subject".to_vec(),
        ),
        ("safety.spend.hostile-run".to_string(), invalid_utf8()),
        ("safety.spend.hostile-run".to_string(), big_json()),
        ("safety.spend.hostile-run".to_string(), deep_json()),
        (
            format!("safety.spend.{huge}"),
            json!({"run_id": huge, "amount": 1})
                .to_string()
                .into_bytes(),
        ),
    ];
    for (subject, body) in published {
        js.publish(subject.clone(), body.into())
            .await
            .unwrap_or_else(|e| panic!("publish to {}: {e}", &subject[..40.min(subject.len())]))
            .await
            .unwrap_or_else(|e| panic!("stored on {}: {e}", &subject[..40.min(subject.len())]));
    }
    // Every hostile spend becomes a dead letter (the consumer is not stuck on any).
    wait_until("four spend dead letters", Duration::from_secs(60), || {
        let url = nats.url();
        async move {
            stream_messages(&url, "SAFETY_DLQ")
                .await
                .iter()
                .filter(|m| m.subject.as_str() == "safety.dlq.spend")
                .count()
                >= 4
        }
    })
    .await;
    // Every hostile log line is either redacted or dead-lettered.
    wait_until("four log lines handled", Duration::from_secs(60), || {
        let url = nats.url();
        async move {
            let redacted = stream_count(&url, "LOGS_REDACTED").await;
            let dead = stream_messages(&url, "SAFETY_DLQ")
                .await
                .iter()
                .filter(|m| m.subject.as_str() == "safety.dlq.logs")
                .count() as u64;
            redacted + dead >= 4
        }
    })
    .await;

    // And then ordinary traffic still flows on every surface.
    js.publish("logs.raw.after", "token password=hunter2".into())
        .await
        .expect("publish")
        .await
        .expect("stored");
    js.publish(
        "safety.spend.after-run",
        json!({"run_id": "after-run", "amount": 1.5})
            .to_string()
            .into(),
    )
    .await
    .expect("publish")
    .await
    .expect("stored");
    wait_until(
        "the normal log line redacted",
        Duration::from_secs(30),
        || {
            let url = nats.url();
            async move {
                stream_messages(&url, "LOGS_REDACTED")
                    .await
                    .iter()
                    .any(|m| m.subject.as_str() == "logs.redacted.after")
            }
        },
    )
    .await;
    wait_until("the normal spend recorded", Duration::from_secs(30), || {
        let url = format!("{}/api/v1/safety/budget/after-run", warden.base_url());
        async move {
            let Ok(response) = reqwest::get(url).await else {
                return false;
            };
            let Ok(body) = response.json::<Value>().await else {
                return false;
            };
            body["spent"].as_f64() == Some(1.5)
        }
    })
    .await;
    let reply = client
        .request(
            "safety.check",
            json!({"action": "execute_code", "context": {"command": "ls"}})
                .to_string()
                .into(),
        )
        .await
        .expect("a normal NATS check is answered");
    let value: Value = serde_json::from_slice(&reply.payload).expect("JSON");
    assert_eq!(value["allowed"], true);
    rest_check_answers(&warden).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_rest_bodies_get_json_errors() {
    let nats = NatsServer::start();
    let warden = start_warden(&nats);
    let http = reqwest::Client::new();
    let mut deep_context = br#"{"action": "execute_code", "context": {"command": "#.to_vec();
    deep_context.extend(deep_json());
    for (what, path, body, expected) in [
        ("8 MB", "redact", big_json(), &[413][..]),
        ("100k-deep JSON", "redact", deep_json(), &[400, 422]),
        (
            "100k-deep JSON in a context",
            "check",
            deep_context,
            &[400, 422],
        ),
        ("invalid UTF-8", "check", invalid_utf8(), &[400]),
    ] {
        let response = http
            .post(format!("{}/api/v1/safety/{path}", warden.base_url()))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        // A server may close the connection while a client still sends 8 MB
        // it has refused; the answer, when it arrives, is a JSON 413.
        let Ok(response) = response else {
            assert_eq!(what, "8 MB", "{what}: {response:?}");
            continue;
        };
        let status = response.status().as_u16();
        let value: Value = response.json().await.expect("JSON error");
        assert!(expected.contains(&status), "{what}: {status} {value}");
        assert!(value["error"]["code"].is_string(), "{what}: {value}");
    }
    rest_check_answers(&warden).await;
}

/// What a slow-loris connection saw: closed by the server, and when.
async fn slow_loris(port: u16, dribble: bool) -> Option<Duration> {
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let head = b"POST /api/v1/safety/check HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let mut buf = [0u8; 512];
    for byte in head.iter().cycle() {
        if started.elapsed() > Duration::from_secs(20) {
            return None;
        }
        if dribble && stream.write_all(&[*byte]).await.is_err() {
            return Some(started.elapsed());
        }
        // Closed (EOF, reset, or an error response before the close)?
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
            Ok(Ok(_)) | Ok(Err(_)) => return Some(started.elapsed()),
            Err(_) => {}
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_loris_clients_are_cut_off_while_others_are_served() {
    let nats = NatsServer::start();
    let warden = start_warden(&nats);
    let port = warden.port;
    // 150 dribbling byte by byte, 50 that connect and send nothing.
    let clients: Vec<_> = (0..200)
        .map(|i| tokio::spawn(slow_loris(port, i % 4 != 0)))
        .collect();
    // Everyone else is served meanwhile.
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        rest_check_answers(&warden).await;
    }
    for (i, client) in clients.into_iter().enumerate() {
        let closed = client.await.expect("slow-loris task");
        let after = closed.unwrap_or_else(|| {
            panic!(
                "slow-loris connection {i} (dribbling: {}) is not closed by warden",
                i % 4 != 0
            )
        });
        // WARDEN_HTTP_HEADER_TIMEOUT is 2 s here.
        assert!(
            after >= Duration::from_millis(1500) && after < Duration::from_secs(10),
            "closed after {after:?}"
        );
    }
    rest_check_answers(&warden).await;
}
