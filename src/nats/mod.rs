//! The NATS adapter: connection, request/reply workers, JetStream streams and
//! the two stream consumers (log redaction pipeline, spend stream).

pub(crate) mod connect;
mod dlq;
mod error;
mod log_pipeline;
mod requests;
mod sink;
mod spend_stream;
pub mod streams;
pub mod subjects;

pub use connect::{connect, NatsReadiness};
pub use error::{NatsError, NatsErrorKind};
pub use log_pipeline::{start_log_pipeline, LogPipelineSettings};
pub use requests::{start_request_workers, QUEUE_GROUP};
pub use sink::NatsSink;
pub use spend_stream::start_spend_stream;
