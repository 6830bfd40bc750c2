//! Audit events and alerts: what warden tells the world it decided, and the
//! [`EventSink`] they go out through (JetStream in production, memory in tests).

use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::budget::BudgetStatus;
use crate::policy::Decision;

/// Subject prefix of audit events; the stream `SAFETY_AUDIT` captures `safety.audit.>`.
pub const AUDIT_SUBJECT_PREFIX: &str = "safety.audit";
/// Subject prefix of budget threshold alerts (`safety.alerts.budget.<run_id>`).
pub const BUDGET_ALERT_SUBJECT_PREFIX: &str = "safety.alerts.budget";

/// One event on its way out. `id` becomes the `Nats-Msg-Id` header, so JetStream
/// stores a second copy (a replay, a relay after a crash) only once, and consumers
/// can drop duplicates by the same id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub subject: String,
    pub id: String,
    pub payload: Vec<u8>,
}

/// Why an event was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// An audit event could be neither published nor spooled (the spool is full).
    #[error("audit trail unavailable: {0}")]
    AuditUnavailable(String),
    /// An alert was not acknowledged by JetStream; it stays in its outbox.
    #[error("event not stored: {0}")]
    NotStored(String),
}

/// Where events go.
#[async_trait::async_trait]
pub trait EventSink: Send + Sync {
    /// Hands an audit event over: published to JetStream or, when that fails,
    /// kept to be published later (the NATS sink spools it). `Err` only when it
    /// could be neither.
    async fn audit(&self, event: Outgoing) -> Result<(), SinkError>;

    /// Whether audit events are taken right now. `false` means fail closed: the
    /// spool is full and `WARDEN_AUDIT_FAIL_CLOSED` is on, so actions that must
    /// be audited are refused before anything is decided.
    fn audit_ready(&self) -> bool {
        true
    }

    /// Whether an action whose audit event could not be kept must be refused
    /// (`WARDEN_AUDIT_FAIL_CLOSED`) rather than served unaudited.
    fn audit_required(&self) -> bool {
        false
    }

    /// Stores an alert in JetStream and waits for the acknowledgement; only then
    /// may its outbox entry go.
    async fn alert(&self, event: Outgoing) -> Result<(), SinkError>;
}

/// A policy decision as auditors see it: the context has already been redacted.
#[derive(Debug, Serialize)]
pub struct DecisionEvent<'a> {
    pub id: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub kind: &'static str,
    pub surface: &'a str,
    pub action: &'a str,
    pub allowed: bool,
    pub requires_approval: bool,
    pub reason: &'a str,
    pub rule: &'a str,
    pub risk: &'a crate::policy::Risk,
    pub category: Option<crate::policy::Category>,
    pub findings: &'a [String],
    pub latency_us: u64,
    pub context: &'a Value,
}

impl<'a> DecisionEvent<'a> {
    pub fn new(
        id: &'a str,
        surface: &'a str,
        action: &'a str,
        decision: &'a Decision,
        context: &'a Value,
        latency: Duration,
    ) -> Self {
        DecisionEvent {
            id,
            time: OffsetDateTime::now_utc(),
            kind: "decision",
            surface,
            action,
            allowed: decision.allowed,
            requires_approval: decision.requires_approval,
            reason: &decision.reason,
            rule: &decision.rule,
            risk: &decision.risk,
            category: decision.category,
            findings: &decision.findings,
            latency_us: u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
            context,
        }
    }
}

/// What happened to a budget that auditors care about.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BudgetEventKind {
    Created,
    AutoCreated,
    LimitConflict,
    Tripped,
    LimitChanged,
    Reset,
}

#[derive(Debug, Serialize)]
pub struct BudgetEvent<'a> {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub kind: &'static str,
    pub event: BudgetEventKind,
    pub surface: &'a str,
    pub run_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'a BudgetStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<&'a str>,
}

impl<'a> BudgetEvent<'a> {
    pub fn new(
        event: BudgetEventKind,
        surface: &'a str,
        run_id: &'a str,
        status: Option<&'a BudgetStatus>,
    ) -> Self {
        BudgetEvent {
            id: uuid::Uuid::now_v7().to_string(),
            time: OffsetDateTime::now_utc(),
            kind: "budget",
            event,
            surface,
            run_id,
            status,
            actor: None,
        }
    }
}

/// A threshold crossing, published at least once per run and threshold; `id`
/// is the same on every copy.
#[derive(Debug, Serialize)]
pub struct BudgetAlert<'a> {
    pub id: &'a str,
    pub run_id: &'a str,
    pub threshold: u32,
    pub status: &'a BudgetStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
}

/// Collects events in memory: for tests and for the CLI, which has no NATS.
#[derive(Default)]
pub struct MemorySink {
    events: Mutex<Vec<(String, Vec<u8>)>>,
}

impl MemorySink {
    /// Every event so far, as (subject, JSON).
    pub fn events(&self) -> Vec<(String, Value)> {
        let guard = self.events.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .iter()
            .map(|(s, p)| (s.clone(), serde_json::from_slice(p).unwrap_or(Value::Null)))
            .collect()
    }
}

impl MemorySink {
    fn push(&self, event: Outgoing) {
        let mut guard = self.events.lock().unwrap_or_else(|p| p.into_inner());
        guard.push((event.subject, event.payload));
    }
}

#[async_trait::async_trait]
impl EventSink for MemorySink {
    async fn audit(&self, event: Outgoing) -> Result<(), SinkError> {
        self.push(event);
        Ok(())
    }

    async fn alert(&self, event: Outgoing) -> Result<(), SinkError> {
        self.push(event);
        Ok(())
    }
}

/// Drops audit events: for the CLI's one-shot commands without NATS. Alerts
/// are refused, so they stay in their outbox for a serving warden's relay.
pub struct NullSink;

#[async_trait::async_trait]
impl EventSink for NullSink {
    async fn audit(&self, _event: Outgoing) -> Result<(), SinkError> {
        Ok(())
    }

    async fn alert(&self, _event: Outgoing) -> Result<(), SinkError> {
        Err(SinkError::NotStored("no NATS connection".into()))
    }
}
