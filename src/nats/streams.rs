//! JetStream streams and durable consumers warden creates when missing.

use std::time::Duration;

use async_nats::jetstream::consumer::{pull, AckPolicy, PullConsumer};
use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::stream::{Config as StreamConfig, StorageType, Stream};
use async_nats::jetstream::Context;
use async_nats::jetstream::Message;
use futures::future::Either;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::{NatsError, NatsErrorKind};

pub const AUDIT_STREAM: &str = "SAFETY_AUDIT";
pub const ALERTS_STREAM: &str = "SAFETY_ALERTS";
pub const LOGS_RAW_STREAM: &str = "LOGS_RAW";
pub const LOGS_REDACTED_STREAM: &str = "LOGS_REDACTED";
pub const SPEND_STREAM: &str = "SAFETY_SPEND";
pub const DLQ_STREAM: &str = "SAFETY_DLQ";

pub const LOGS_RAW_SUBJECTS: &str = "logs.raw.>";
pub const LOGS_REDACTED_PREFIX: &str = "logs.redacted";
pub const SPEND_SUBJECTS: &str = "safety.spend.>";
pub const DLQ_PREFIX: &str = "safety.dlq";
/// Budget alerts keep their core subject `safety.alerts.budget.<run_id>` (core
/// subscribers still get them); the stream stores them so a publish is acked.
pub const ALERTS_SUBJECTS: &str = "safety.alerts.budget.>";

pub const LOG_CONSUMER: &str = "warden-redactor";
pub const SPEND_CONSUMER: &str = "warden-spend";

/// How long a redelivered copy is recognised as a duplicate by `Nats-Msg-Id`.
/// Longer than any restart warden needs, so a crash never yields duplicates.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Delivery attempts before a message goes to the DLQ.
pub const MAX_DELIVER: i64 = 5;

/// Delivery attempts of an "until stored" consumer.
const UNTIL_STORED_MAX_DELIVER: i64 = 1_000_000;

/// How many times the server redelivers: the log pipeline stops at
/// [`MAX_DELIVER`]; spends are facts, so they are redelivered for as long as
/// the store is unavailable (warden dead-letters only what can never succeed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redelivery {
    Bounded,
    UntilStored,
}

/// Waits between redeliveries (JetStream uses the last for further attempts).
pub fn redelivery_backoff() -> Vec<Duration> {
    [1, 2, 5, 10].into_iter().map(Duration::from_secs).collect()
}

/// The delay to ask for when nak-ing a message on its `delivered`-th attempt.
/// JetStream applies the consumer's backoff only to ack timeouts; a plain NAK
/// is redelivered at once, which would burn every attempt within milliseconds
/// of a short outage.
pub fn retry_delay(delivered: i64) -> Duration {
    let backoff = redelivery_backoff();
    let index = usize::try_from(delivered.saturating_sub(1)).unwrap_or(0);
    backoff
        .get(index)
        .or(backoff.last())
        .copied()
        .unwrap_or(Duration::from_secs(1))
}

/// Creates every stream warden reads or writes, when missing (file storage).
pub async fn ensure_streams(js: &Context) -> Result<(), NatsError> {
    let streams = [
        (AUDIT_STREAM, "safety.audit.>"),
        (ALERTS_STREAM, ALERTS_SUBJECTS),
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

/// Creates the stream `name` on `subjects` when missing, with warden's settings.
pub async fn ensure_stream(js: &Context, name: &str, subjects: &str) -> Result<Stream, NatsError> {
    js.get_or_create_stream(StreamConfig {
        name: name.to_string(),
        subjects: vec![subjects.to_string()],
        storage: StorageType::File,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    })
    .await
    .map_err(|e| NatsError::stream(format!("cannot create JetStream stream {name}"), e))
}

/// Opens the durable consumer and its message stream, pulling `in_flight`
/// messages per batch (and allowing four times that unacked).
pub async fn open(
    js: &Context,
    stream: &str,
    durable: &str,
    in_flight: usize,
    redelivery: Redelivery,
) -> Result<(PullConsumer, pull::Stream), NatsError> {
    let max_ack_pending = i64::try_from(in_flight.saturating_mul(4)).unwrap_or(i64::MAX);
    let consumer = durable_consumer(js, stream, durable, max_ack_pending, redelivery).await?;
    let messages = consumer
        .stream()
        .max_messages_per_batch(in_flight)
        .messages()
        .await
        .map_err(|e| NatsError::new(NatsErrorKind::Other, format!("cannot read {stream}"), e))?;
    Ok((consumer, messages))
}

/// Runs `handle` on each message, `in_flight` at a time, until `shutdown`;
/// then lets the messages already started finish.
pub async fn process_concurrently<F, Fut>(
    messages: pull::Stream,
    in_flight: usize,
    shutdown: CancellationToken,
    handle: F,
) where
    F: Fn(Message) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    messages
        .take_until(shutdown.cancelled_owned())
        .for_each_concurrent(in_flight, |message| match message {
            Ok(message) => Either::Left(handle(message)),
            Err(e) => Either::Right(async move {
                tracing::warn!(cause = %e, "JetStream fetch error");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }),
        })
        .await
}

/// The durable pull consumer `durable` on `stream`: explicit acks, bounded
/// redeliveries with backoff, many messages in flight.
async fn durable_consumer(
    js: &Context,
    stream: &str,
    durable: &str,
    max_ack_pending: i64,
    redelivery: Redelivery,
) -> Result<PullConsumer, NatsError> {
    let stream = js.get_stream(stream).await.map_err(|e| {
        let kind = match e.kind() {
            GetStreamErrorKind::Request => NatsErrorKind::Unreachable,
            _ => NatsErrorKind::Other,
        };
        NatsError::new(kind, format!("cannot open stream {stream}"), e)
    })?;
    // JetStream refuses a backoff list on an unlimited consumer, and without
    // one a message lost with a crashed warden waits the whole ack_wait; so
    // "until stored" is a limit no outage reaches (~115 days at 10 s a try).
    let max_deliver = match redelivery {
        Redelivery::Bounded => MAX_DELIVER,
        Redelivery::UntilStored => UNTIL_STORED_MAX_DELIVER,
    };
    let backoff = redelivery_backoff();
    stream
        .get_or_create_consumer(
            durable,
            pull::Config {
                durable_name: Some(durable.to_string()),
                ack_policy: AckPolicy::Explicit,
                ack_wait: Duration::from_secs(30),
                max_deliver,
                backoff,
                max_ack_pending,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| NatsError::consumer(format!("cannot create consumer {durable}"), e))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn retries_back_off_and_stay_at_the_last_step() {
        let delays: Vec<Duration> = (0..7).map(super::retry_delay).collect();
        let secs: Vec<u64> = delays.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, vec![1, 1, 2, 5, 10, 10, 10]);
    }
}
