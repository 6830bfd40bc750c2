//! [`NatsError`]: what went wrong talking to NATS, as a kind callers (logs,
//! start-up, readiness) can tell apart — "NATS is down" is not "a stream's
//! configuration conflicts" — with the client library's error as the source.

use std::fmt;

use async_nats::jetstream::context::{
    CreateStreamError, CreateStreamErrorKind, PublishError, PublishErrorKind,
};
use async_nats::jetstream::stream::{ConsumerError, ConsumerErrorKind};
use async_nats::jetstream::ErrorCode;
use async_nats::{ConnectError, ConnectErrorKind};

/// The kinds of NATS failure warden reacts to differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatsErrorKind {
    /// No server answers (refused, DNS, timed out, connection lost).
    Unreachable,
    /// The server refused our credentials, or the creds/TLS files are unusable.
    Credentials,
    /// JetStream is not enabled on the server (or not for this account).
    JetStreamUnavailable,
    /// A stream exists (or overlaps) with a configuration warden cannot use.
    StreamConfigConflict,
    /// A durable consumer exists with a configuration warden cannot use.
    ConsumerConfigConflict,
    /// A JetStream request (create, publish, fetch) got no answer in time.
    Timeout,
    /// A publish was not acknowledged in time.
    PublishTimeout,
    /// A subscription could not be made.
    Subscribe,
    /// Anything else the server or client reported.
    Other,
}

impl NatsErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::Credentials => "credentials",
            Self::JetStreamUnavailable => "jetstream_unavailable",
            Self::StreamConfigConflict => "stream_config_conflict",
            Self::ConsumerConfigConflict => "consumer_config_conflict",
            Self::Timeout => "timeout",
            Self::PublishTimeout => "publish_timeout",
            Self::Subscribe => "subscribe",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for NatsErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A NATS failure: its kind, what warden was doing, and the library's error.
/// Messages name URLs without credentials and never a secret.
#[derive(Debug, thiserror::Error)]
#[error("{context} ({kind}): {source}")]
pub struct NatsError {
    pub kind: NatsErrorKind,
    pub context: String,
    #[source]
    pub source: Source,
}

impl NatsError {
    pub fn new(kind: NatsErrorKind, context: impl Into<String>, source: impl Into<Source>) -> Self {
        NatsError {
            kind,
            context: context.into(),
            source: source.into(),
        }
    }

    /// Connecting to the server.
    pub fn connect(context: impl Into<String>, err: ConnectError) -> Self {
        let kind = match err.kind() {
            ConnectErrorKind::Authentication
            | ConnectErrorKind::AuthorizationViolation
            | ConnectErrorKind::Tls => NatsErrorKind::Credentials,
            ConnectErrorKind::ServerParse => NatsErrorKind::Other,
            ConnectErrorKind::Dns
            | ConnectErrorKind::TimedOut
            | ConnectErrorKind::Io
            | ConnectErrorKind::MaxReconnects => NatsErrorKind::Unreachable,
        };
        NatsError::new(kind, context, err)
    }

    /// Creating (or finding) a stream.
    pub fn stream(context: impl Into<String>, err: CreateStreamError) -> Self {
        let kind = match err.kind() {
            CreateStreamErrorKind::JetStreamUnavailable => NatsErrorKind::JetStreamUnavailable,
            CreateStreamErrorKind::TimedOut => NatsErrorKind::Timeout,
            CreateStreamErrorKind::JetStream(e)
                if e.error_code() == ErrorCode::STREAM_SUBJECT_OVERLAP
                    || e.error_code() == ErrorCode::STREAM_NAME_EXIST =>
            {
                NatsErrorKind::StreamConfigConflict
            }
            CreateStreamErrorKind::JetStream(e)
                if e.error_code() == ErrorCode::JETSTREAM_NOT_ENABLED
                    || e.error_code() == ErrorCode::JETSTREAM_NOT_ENABLED_FOR_ACCOUNT =>
            {
                NatsErrorKind::JetStreamUnavailable
            }
            _ => NatsErrorKind::Other,
        };
        NatsError::new(kind, context, err)
    }

    /// Publishing to JetStream (or waiting for its ack).
    pub fn publish(context: impl Into<String>, err: PublishError) -> Self {
        let kind = match err.kind() {
            PublishErrorKind::TimedOut => NatsErrorKind::PublishTimeout,
            PublishErrorKind::BrokenPipe => NatsErrorKind::Unreachable,
            PublishErrorKind::StreamNotFound => NatsErrorKind::StreamConfigConflict,
            _ => NatsErrorKind::Other,
        };
        NatsError::new(kind, context, err)
    }

    /// Creating (or finding) a durable consumer.
    pub fn consumer(context: impl Into<String>, err: ConsumerError) -> Self {
        let kind = match err.kind() {
            ConsumerErrorKind::TimedOut => NatsErrorKind::Timeout,
            ConsumerErrorKind::JetStream(e)
                if e.error_code() == ErrorCode::CONSUMER_NAME_EXIST
                    || e.error_code() == ErrorCode::CONSUMER_ALREADY_EXISTS =>
            {
                NatsErrorKind::ConsumerConfigConflict
            }
            _ => NatsErrorKind::Other,
        };
        NatsError::new(kind, context, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_apart_in_the_message() {
        let down = NatsError::new(
            NatsErrorKind::Unreachable,
            "cannot connect to NATS at nats://***@host:4222",
            "connection refused",
        );
        assert_eq!(
            down.to_string(),
            "cannot connect to NATS at nats://***@host:4222 (unreachable): connection refused"
        );
        let conflict = NatsError::new(
            NatsErrorKind::StreamConfigConflict,
            "cannot create JetStream stream SAFETY_AUDIT",
            "subjects overlap with an existing stream",
        );
        assert!(conflict.to_string().contains("(stream_config_conflict)"));
        assert_ne!(down.kind, conflict.kind);
    }
}
