//! The spend stream: workflows publish fire-and-forget spends on
//! `safety.spend.<run_id>` (stream `SAFETY_SPEND`); warden records each in the
//! budget store and acks only after the store committed. The idempotency key
//! defaults to the message's `Nats-Msg-Id` (else the stream sequence), so a
//! redelivery is never counted twice. Malformed messages go to
//! `safety.dlq.spend` and are acked.

use std::sync::Arc;

use async_nats::jetstream::{AckKind, Context, Message};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use super::dlq::{self, DeadLetter, ErrorInfo};
use super::streams::{self, Redelivery, MAX_DELIVER, SPEND_CONSUMER, SPEND_STREAM};
use crate::budget::Money;
use crate::error::{ApiError, ErrorCode};
use crate::service::{parse, SpendRequest, Surface, Warden};

const IN_FLIGHT: usize = 256;

#[derive(Deserialize)]
struct StreamSpend {
    run_id: String,
    amount: Money,
    #[serde(default)]
    idempotency_key: Option<String>,
}

/// Sets up the durable consumer and gives back the work that records spends
/// until `shutdown`, then finishes the messages in flight.
pub async fn start_spend_stream(
    js: Context,
    warden: Arc<Warden>,
    shutdown: CancellationToken,
) -> Result<impl std::future::Future<Output = ()>, super::NatsError> {
    let (_, messages) = streams::open(
        &js,
        SPEND_STREAM,
        SPEND_CONSUMER,
        IN_FLIGHT,
        Redelivery::UntilStored,
    )
    .await?;
    Ok(streams::process_concurrently(
        messages,
        IN_FLIGHT,
        shutdown,
        move |message| {
            let (js, warden) = (js.clone(), Arc::clone(&warden));
            async move { process(&js, &warden, message).await }
        },
    ))
}

async fn process(js: &Context, warden: &Warden, message: Message) {
    let metrics = warden.metrics();
    let (sequence, delivered) = match message.info() {
        Ok(info) => (info.stream_sequence, info.delivered),
        Err(_) => (0, 1),
    };
    let result = match parse::<StreamSpend>(&message.payload) {
        Ok(spend) if !subject_matches(message.subject.as_str(), &spend.run_id) => {
            // Per-run publish permissions are only as good as this check.
            Err(ApiError::new(
                ErrorCode::InvalidField,
                "run_id in the body does not match the subject safety.spend.<run_id>",
            ))
        }
        Ok(spend) => {
            let key = spend.idempotency_key.or_else(|| {
                message
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("Nats-Msg-Id"))
                    .map(|id| format!("msg:{}", id.as_str()))
            });
            let key = key.unwrap_or_else(|| format!("{SPEND_STREAM}:{sequence}"));
            let request = SpendRequest {
                run_id: spend.run_id,
                amount: spend.amount,
                idempotency_key: Some(key),
            };
            warden
                .budget_spend(request, Surface::Stream)
                .await
                .map(|_| ())
        }
        Err(err) => Err(err),
    };
    match result {
        Ok(()) => {
            let _ = message.ack().await;
            metrics
                .spend_stream_messages
                .with_label_values(&["recorded"])
                .inc();
        }
        Err(err)
            if is_store_outage(&err)
                || (err.code == ErrorCode::Internal && delivered < MAX_DELIVER) =>
        {
            tracing::warn!(
                code = err.code.as_str(),
                sequence,
                delivered,
                "spend not recorded; will retry"
            );
            let _ = message
                .ack_with(AckKind::Nak(Some(streams::retry_delay(delivered))))
                .await;
            metrics
                .spend_stream_messages
                .with_label_values(&["retry"])
                .inc();
        }
        Err(err) => dead_letter(js, warden, &message, sequence, delivered, &err).await,
    }
}

fn subject_matches(subject: &str, run_id: &str) -> bool {
    subject.strip_prefix("safety.spend.") == Some(run_id)
}

/// The budget store could not be reached: nothing was recorded, and the spend
/// must be retried until it is (a spend is a fact, never dropped).
fn is_store_outage(err: &ApiError) -> bool {
    matches!(
        err.code,
        ErrorCode::StoreUnavailable | ErrorCode::Unavailable | ErrorCode::Timeout
    )
}

async fn dead_letter(
    js: &Context,
    warden: &Warden,
    message: &Message,
    sequence: u64,
    delivered: i64,
    err: &ApiError,
) {
    let text = String::from_utf8_lossy(&message.payload);
    let payload = warden.redactor().redact(&text).text;
    let letter = DeadLetter {
        origin: "spend",
        subject: message.subject.as_str(),
        stream_sequence: sequence,
        delivered,
        error: ErrorInfo {
            code: err.code.as_str(),
            message: &err.message,
        },
        payload: &payload,
    };
    match dlq::publish(js, &letter).await {
        Ok(()) => {
            // Ack what was malformed; terminate what kept failing inside warden.
            let kind = if err.code == ErrorCode::Internal {
                AckKind::Term
            } else {
                AckKind::Ack
            };
            let _ = message.ack_with(kind).await;
            warden
                .metrics()
                .spend_stream_messages
                .with_label_values(&["dlq"])
                .inc();
            warden
                .metrics()
                .dlq_messages
                .with_label_values(&["spend"])
                .inc();
        }
        Err(e) => {
            tracing::error!(cause = %e, sequence, "dead letter not stored; message will be redelivered")
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_body_must_name_the_run_of_the_subject() {
        assert!(super::subject_matches("safety.spend.run-1", "run-1"));
        assert!(!super::subject_matches("safety.spend.run-1", "run-2"));
        assert!(!super::subject_matches("safety.spend.run-1.x", "run-1"));
        assert!(!super::subject_matches("other.run-1", "run-1"));
    }
}
