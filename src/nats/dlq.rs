//! Dead letters: a message warden cannot process goes to `safety.dlq.<origin>`
//! with its error, then is acked or terminated so the stream never blocks.

use async_nats::jetstream::Context;
use serde::Serialize;

use super::streams::DLQ_PREFIX;

/// The DLQ body. `payload` is already redacted: the DLQ is not a way around the redactor.
#[derive(Serialize)]
pub struct DeadLetter<'a> {
    pub origin: &'a str,
    pub subject: &'a str,
    pub stream_sequence: u64,
    pub delivered: i64,
    pub error: ErrorInfo<'a>,
    pub payload: &'a str,
}

#[derive(Serialize)]
pub struct ErrorInfo<'a> {
    pub code: &'a str,
    pub message: &'a str,
}

/// Publishes a dead letter and waits for JetStream to store it.
pub async fn publish(js: &Context, letter: &DeadLetter<'_>) -> Result<(), String> {
    let body = serde_json::to_vec(letter).map_err(|e| e.to_string())?;
    let subject = format!("{DLQ_PREFIX}.{}", letter.origin);
    let ack = js
        .publish(subject, body.into())
        .await
        .map_err(|e| e.to_string())?;
    ack.await.map(|_| ()).map_err(|e| e.to_string())
}
