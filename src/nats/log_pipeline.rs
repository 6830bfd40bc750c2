//! The JetStream log pipeline: `LOGS_RAW` (`logs.raw.<suffix>`) → redact →
//! `LOGS_REDACTED` (`logs.redacted.<suffix>`), headers kept (values redacted). A raw message is
//! acked only after its redacted copy is stored; the copy's `Nats-Msg-Id` is
//! derived from the source sequence, so a redelivery after a crash is dropped
//! by JetStream's duplicate window instead of stored twice.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::{AckKind, Context, Message};
use async_nats::HeaderMap;
use tokio_util::sync::CancellationToken;

use super::dlq::{self, DeadLetter, ErrorInfo};
use super::streams::{
    self, Redelivery, LOGS_RAW_STREAM, LOGS_REDACTED_PREFIX, LOG_CONSUMER, MAX_DELIVER,
};
use crate::service::Warden;

/// Tuning of the pipeline.
#[derive(Debug, Clone)]
pub struct LogPipelineSettings {
    /// Messages processed (and publish acks awaited) concurrently.
    pub in_flight: usize,
}

impl Default for LogPipelineSettings {
    fn default() -> Self {
        LogPipelineSettings { in_flight: 512 }
    }
}

/// Sets up the durable consumer and gives back the work that runs the
/// pipeline until `shutdown`, then finishes the messages in flight.
pub async fn start_log_pipeline(
    js: Context,
    warden: Arc<Warden>,
    settings: LogPipelineSettings,
    shutdown: CancellationToken,
) -> Result<impl std::future::Future<Output = ()>, super::NatsError> {
    let in_flight = settings.in_flight.max(1);
    let (consumer, messages) = streams::open(
        &js,
        LOGS_RAW_STREAM,
        LOG_CONSUMER,
        in_flight,
        Redelivery::Bounded,
    )
    .await?;
    let lag = report_lag(consumer, Arc::clone(&warden), shutdown.clone());
    let work = streams::process_concurrently(messages, in_flight, shutdown, move |message| {
        let (js, warden) = (js.clone(), Arc::clone(&warden));
        async move { process(&js, &warden, message).await }
    });
    // The lag reporter ends with `shutdown`, like the pipeline.
    Ok(async move {
        futures::join!(work, lag);
    })
}

async fn process(js: &Context, warden: &Warden, message: Message) {
    let started = Instant::now();
    let metrics = warden.metrics();
    let (sequence, delivered) = match message.info() {
        Ok(info) => (info.stream_sequence, info.delivered),
        Err(_) => (0, 1),
    };
    let suffix = message
        .subject
        .as_str()
        .strip_prefix("logs.raw.")
        .unwrap_or("unknown")
        .to_string();
    let redacted = bytes::Bytes::from(redact_payload(warden, &message.payload));

    let mut headers = redact_headers(warden, message.headers.as_ref());
    headers.insert(
        "Nats-Msg-Id",
        format!("{LOGS_RAW_STREAM}:{sequence}").as_str(),
    );
    headers.insert("Warden-Source-Sequence", sequence.to_string().as_str());

    match store_copy(js, &suffix, headers, redacted.clone()).await {
        Ok(()) => {
            if let Err(e) = message.ack().await {
                tracing::warn!(cause = %e, sequence, "ack of a redacted log failed; JetStream will redeliver and dedup");
            }
            metrics
                .log_pipeline_messages
                .with_label_values(&["redacted"])
                .inc();
        }
        Err(error) if delivered >= MAX_DELIVER => {
            let error = error.to_string();
            let payload = String::from_utf8_lossy(&redacted);
            let letter = DeadLetter {
                origin: "logs",
                subject: message.subject.as_str(),
                stream_sequence: sequence,
                delivered,
                error: ErrorInfo {
                    code: "publish_failed",
                    message: &error,
                },
                payload: &payload,
            };
            match dlq::publish(js, &letter).await {
                Ok(()) => {
                    let _ = message.ack_with(AckKind::Term).await;
                    metrics
                        .log_pipeline_messages
                        .with_label_values(&["dlq"])
                        .inc();
                    metrics.dlq_messages.with_label_values(&["logs"]).inc();
                }
                Err(e) => {
                    tracing::error!(cause = %e, sequence, "dead letter not stored; message will be redelivered")
                }
            }
        }
        Err(error) => {
            tracing::warn!(kind = %error.kind, cause = %error, sequence, delivered, "redacted copy not stored; will retry");
            let _ = message
                .ack_with(AckKind::Nak(Some(streams::retry_delay(delivered))))
                .await;
            metrics
                .log_pipeline_messages
                .with_label_values(&["retry"])
                .inc();
        }
    }
    metrics
        .log_pipeline_processing
        .observe(started.elapsed().as_secs_f64());
}

async fn store_copy(
    js: &Context,
    suffix: &str,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> Result<(), super::NatsError> {
    let subject = format!("{LOGS_REDACTED_PREFIX}.{suffix}");
    let failed = |e| super::NatsError::publish("redacted copy not stored", e);
    let ack = js
        .publish_with_headers(subject, headers, body)
        .await
        .map_err(failed)?;
    ack.await.map(|_| ()).map_err(failed)
}

/// JSON payloads keep their structure (string values redacted); anything else
/// is redacted as text, byte for byte outside the secrets.
/// Header values are log data too: secrets in them are redacted like the
/// body's, and the values of credential-carrying headers (`Authorization`,
/// `Cookie`, names with `token`, `secret`, `password`, `key`, `auth`) are
/// replaced whole. NATS's own `Nats-*` headers pass unchanged.
fn redact_headers(
    warden: &Warden,
    source: Option<&async_nats::HeaderMap>,
) -> async_nats::HeaderMap {
    let mut out = async_nats::HeaderMap::new();
    let Some(source) = source else {
        return out;
    };
    let names = warden.redact_env_names();
    for (name, values) in source.iter() {
        let key = name.to_string();
        let lower = key.to_ascii_lowercase();
        let credential = !lower.starts_with("nats-")
            && (lower == "cookie"
                || [
                    "auth", "token", "secret", "password", "passwd", "key", "session",
                ]
                .iter()
                .any(|word| lower.contains(word)));
        for value in values {
            let value = if lower.starts_with("nats-") {
                value.as_str().to_string()
            } else if credential {
                "[REDACTED:HEADER]".to_string()
            } else {
                warden
                    .redactor()
                    .redact_env_vars(value.as_str(), names)
                    .text
                    .into_owned()
            };
            out.append(key.as_str(), value.as_str());
        }
    }
    out
}

fn redact_payload(warden: &Warden, payload: &[u8]) -> Vec<u8> {
    let names = warden.redact_env_names();
    let first = payload.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{') | Some(b'[')) {
        if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(payload) {
            let findings = warden.redactor().redact_json_value(&mut value, names);
            let kinds = findings.iter().map(|f| f.kind.as_ref());
            if findings.is_empty() {
                warden.count_redaction(payload.len(), kinds);
                return payload.to_vec();
            }
            if let Ok(json) = serde_json::to_vec(&value) {
                warden.count_redaction(payload.len(), kinds);
                return json;
            }
        }
    }
    match std::str::from_utf8(payload) {
        Ok(text) => {
            let redacted = warden.redactor().redact_env_vars(text, names);
            let kinds = redacted.findings.iter().map(|f| f.kind.as_ref());
            warden.count_redaction(payload.len(), kinds);
            redacted.text.into_owned().into_bytes()
        }
        Err(_) => {
            let mut out = Vec::with_capacity(payload.len());
            match warden
                .redactor()
                .redact_stream(payload, &mut out, names, false)
            {
                Ok(stats) => {
                    let kinds = stats
                        .by_kind
                        .iter()
                        .flat_map(|(kind, n)| std::iter::repeat_n(kind.as_str(), *n as usize));
                    warden.count_redaction(payload.len(), kinds);
                    out
                }
                Err(_) => b"[REDACTED:UNREADABLE]".to_vec(),
            }
        }
    }
}

async fn report_lag(mut consumer: PullConsumer, warden: Arc<Warden>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Ok(info) = consumer.info().await {
            let pending = i64::try_from(info.num_pending).unwrap_or(i64::MAX);
            warden.metrics().log_pipeline_lag.set(pending);
        }
    }
}
