//! JetStream streams and durable consumers warden creates when missing.

use std::time::Duration;

use async_nats::jetstream::consumer::{pull, AckPolicy, PullConsumer};
use async_nats::jetstream::stream::{Config as StreamConfig, StorageType, Stream};
use async_nats::jetstream::Context;

pub const AUDIT_STREAM: &str = "SAFETY_AUDIT";
pub const LOGS_RAW_STREAM: &str = "LOGS_RAW";
pub const LOGS_REDACTED_STREAM: &str = "LOGS_REDACTED";
pub const SPEND_STREAM: &str = "SAFETY_SPEND";
pub const DLQ_STREAM: &str = "SAFETY_DLQ";

pub const LOGS_RAW_SUBJECTS: &str = "logs.raw.>";
pub const LOGS_REDACTED_PREFIX: &str = "logs.redacted";
pub const SPEND_SUBJECTS: &str = "safety.spend.>";
pub const DLQ_PREFIX: &str = "safety.dlq";

pub const LOG_CONSUMER: &str = "warden-redactor";
pub const SPEND_CONSUMER: &str = "warden-spend";

/// How long a redelivered copy is recognised as a duplicate by `Nats-Msg-Id`.
/// Longer than any restart warden needs, so a crash never yields duplicates.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Delivery attempts before a message goes to the DLQ.
pub const MAX_DELIVER: i64 = 5;

/// Waits between redeliveries (JetStream uses the last for further attempts).
pub fn redelivery_backoff() -> Vec<Duration> {
    [1, 2, 5, 10].into_iter().map(Duration::from_secs).collect()
}

/// Creates every stream warden reads or writes, when missing (file storage).
pub async fn ensure_streams(js: &Context) -> Result<(), String> {
    let streams = [
        (AUDIT_STREAM, "safety.audit.>"),
        (LOGS_RAW_STREAM, LOGS_RAW_SUBJECTS),
        (LOGS_REDACTED_STREAM, "logs.redacted.>"),
        (SPEND_STREAM, SPEND_SUBJECTS),
        (DLQ_STREAM, "safety.dlq.>"),
    ];
    for (name, subjects) in streams {
        ensure_stream(js, name, subjects).await?;
    }
    Ok(())
}

async fn ensure_stream(js: &Context, name: &str, subjects: &str) -> Result<Stream, String> {
    js.get_or_create_stream(StreamConfig {
        name: name.to_string(),
        subjects: vec![subjects.to_string()],
        storage: StorageType::File,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    })
    .await
    .map_err(|e| format!("cannot create JetStream stream {name}: {e}"))
}

/// The durable pull consumer `durable` on `stream`: explicit acks, bounded
/// redeliveries with backoff, many messages in flight.
pub async fn durable_consumer(
    js: &Context,
    stream: &str,
    durable: &str,
    max_ack_pending: i64,
) -> Result<PullConsumer, String> {
    let stream = js
        .get_stream(stream)
        .await
        .map_err(|e| format!("cannot open stream {stream}: {e}"))?;
    let backoff = redelivery_backoff();
    stream
        .get_or_create_consumer(
            durable,
            pull::Config {
                durable_name: Some(durable.to_string()),
                ack_policy: AckPolicy::Explicit,
                ack_wait: Duration::from_secs(30),
                max_deliver: MAX_DELIVER,
                backoff,
                max_ack_pending,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| format!("cannot create consumer {durable}: {e}"))
}
