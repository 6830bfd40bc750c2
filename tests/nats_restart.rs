//! NATS goes away and comes back: warden reconnects, answers requests again
//! and its JetStream consumers resume, without a restart of warden.

mod support;

use std::time::Duration;

use async_nats::jetstream;
use futures::StreamExt;
use support::nats::NatsServer;
use support::warden::WardenProcess;

async fn check_answers(url: &str) -> bool {
    let Ok(client) = async_nats::connect(url).await else {
        return false;
    };
    let body = r#"{"action": "execute_code", "context": {"command": "ls"}}"#;
    matches!(
        tokio::time::timeout(
            Duration::from_secs(2),
            client.request("safety.check", body.into())
        )
        .await,
        Ok(Ok(reply)) if reply.payload.starts_with(br#"{"allowed":true"#)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warden_recovers_when_nats_restarts() {
    let mut nats = NatsServer::start();
    let _warden = WardenProcess::start(&[("NATS_URL", &nats.url()), ("WARDEN_STORE", "memory")]);
    assert!(check_answers(&nats.url()).await);

    nats.kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    nats.restart();

    let mut answered = false;
    for _ in 0..60 {
        if check_answers(&nats.url()).await {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(answered, "safety.check answered again after NATS came back");

    let client = async_nats::connect(nats.url()).await.expect("connect");
    let js = jetstream::new(client);
    js.publish(
        "logs.raw.after",
        "token=ghp_abcdefghijklmnopqrstuvwxyz0123456789".into(),
    )
    .await
    .expect("publish")
    .await
    .expect("stored");
    let stream = js
        .get_stream("LOGS_REDACTED")
        .await
        .expect("stream survives");
    let consumer = stream
        .create_consumer(jetstream::consumer::pull::Config {
            filter_subject: "logs.redacted.after".into(),
            ..Default::default()
        })
        .await
        .expect("consumer");
    let mut messages = consumer.messages().await.expect("messages");
    let message = tokio::time::timeout(Duration::from_secs(30), messages.next())
        .await
        .expect("the pipeline resumed")
        .expect("open")
        .expect("message");
    assert_eq!(&message.payload[..], b"token=[REDACTED:GITHUB_TOKEN]");
}
