//! warden: the safety and governance service for autonomous agent workflows.
//!
//! It answers three questions and keeps one ledger: may this action run (the
//! policy gate), may this run spend more (the budget tracker), what must not be
//! seen (the redactor), and what was decided (audit events).
//!
//! # Layout
//!
//! - [`auth`]: API tokens and roles (agent, admin), constant-time checks.
//! - [`config`]: environment / `.env` → typed, validated [`config::Config`].
//! - [`policy`]: the policy gate: actions, shell and SQL analysis, network allowlist. No I/O.
//! - [`readiness`]: the `Readiness` checks `/readyz` serves (NATS and the budget store).
//! - [`redact`]: the redactor: secret rules, prefilter, env values, streaming. No I/O.
//! - [`budget`]: exact money, the budget tracker, Redis and in-memory stores.
//! - [`approval`]: pending human approvals and who decided them (Redis or memory).
//! - [`audit`]: audit events and alerts, and the sink they are published through.
//! - [`secret`]: `Secret<T>`, a config value whose `Debug` never shows it.
//! - [`spool`]: the local append-only file audit events wait in while JetStream is away.
//! - [`journal`]: audit events in flight to JetStream, replayed after a crash.
//! - [`service`]: the operations every surface serves, with shared request/response/error types.
//! - [`error`]: the one error type and its code → HTTP status table.
//! - [`hook`]: `warden hook`: agent tool-call hooks (Claude Code, generic JSON), install.
//! - [`http`]: the REST adapter (axum).
//! - [`nats`]: the NATS adapter: request/reply, JetStream streams, pipelines, DLQ.
//! - [`metrics`]: the Prometheus registry and every metric.
//! - [`policy_source`]: loading and hot-reloading the policy file.
//! - [`stream_io`]: CLI streaming: flush output right before input would block.
//! - [`server`]: `warden serve`, wiring everything together with graceful shutdown.

pub mod approval;
pub mod audit;
pub mod auth;
pub mod budget;
pub mod config;
pub mod error;
pub mod hook;
pub mod http;
pub(crate) mod journal;
pub mod metrics;
pub mod nats;
pub mod policy;
pub(crate) mod policy_source;
pub mod readiness;
pub mod redact;
pub mod secret;
pub mod server;
pub mod service;
pub(crate) mod spool;
pub mod stream_io;
