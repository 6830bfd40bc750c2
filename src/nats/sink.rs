//! [`EventSink`] over NATS. Audit events go to JetStream with `Nats-Msg-Id` =
//! event id, acked in the background; when JetStream does not take one (NATS
//! down, publish or ack timed out) it goes to the local [`Spool`] and is
//! replayed in order by [`NatsSink::replay`] once NATS is back. While the spool
//! holds anything, new events queue behind it. Alerts are published to the
//! `SAFETY_ALERTS` stream and awaited, so their outbox entry goes only after
//! the ack.
//!
//! With a [`Journal`], every event handed to JetStream is written there first
//! and forgotten when acked or spooled, so a SIGKILL with acks outstanding
//! loses nothing: the next start spools what the journal still holds.

use std::sync::Arc;
use std::time::Duration;

use async_nats::connection::State;
use async_nats::jetstream::context::PublishAckFuture;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::Context;
use async_nats::Client;
use bytes::Bytes;
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::audit::{EventSink, Outgoing, SinkError};
use crate::journal::{Journal, Ticket};
use crate::metrics::Metrics;
use crate::spool::{Spool, SpoolError};

/// Audit acks awaited in the background at once; beyond this, publishing
/// waits (up to [`PUBLISH_WAIT`]), then spools.
pub const MAX_PENDING_ACKS: usize = 4096;

/// How long an audit event waits to be handed to the client before it is spooled
/// instead: a stalled JetStream makes warden spool, never hang.
const PUBLISH_WAIT: Duration = Duration::from_millis(250);

/// How long an alert publish may take, ack included.
const ALERT_WAIT: Duration = Duration::from_secs(5);

/// Spooled events replayed per batch (published together, then acked together).
const REPLAY_BATCH: usize = 256;

pub struct NatsSink {
    client: Client,
    jetstream: Context,
    metrics: Arc<Metrics>,
    acks: TaskTracker,
    pending: Arc<Semaphore>,
    spool: Option<Arc<Spool>>,
    journal: Option<Arc<Journal>>,
    fail_closed: bool,
    wake: Arc<Notify>,
}

impl NatsSink {
    /// A sink without a spool (the CLI): audit events JetStream does not take are lost,
    /// and counted.
    pub fn new(client: Client, metrics: Arc<Metrics>, acks: TaskTracker) -> Self {
        NatsSink {
            jetstream: async_nats::jetstream::new(client.clone()),
            client,
            metrics,
            acks,
            pending: Arc::new(Semaphore::new(MAX_PENDING_ACKS)),
            spool: None,
            journal: None,
            fail_closed: false,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Spools audit events JetStream does not take; with `fail_closed`, a full
    /// spool makes [`EventSink::audit_ready`] false.
    pub fn with_spool(mut self, spool: Arc<Spool>, fail_closed: bool) -> Self {
        self.spool = Some(spool);
        self.fail_closed = fail_closed;
        self
    }

    /// Writes every event handed to JetStream to `journal` first (see the module docs).
    pub fn with_journal(mut self, journal: Arc<Journal>) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Journals `event`; a journal that cannot be written only costs the crash
    /// guarantee for this event, so it is logged, not fatal.
    fn journal(&self, event: &Outgoing) -> Option<Ticket> {
        let journal = self.journal.as_ref()?;
        match journal.record(event) {
            Ok(ticket) => Some(ticket),
            Err(e) => {
                tracing::warn!(cause = %e, "audit journal write failed");
                None
            }
        }
    }

    fn connected(&self) -> bool {
        self.client.connection_state() == State::Connected
    }

    /// Starts a JetStream publish; `None` when it could not be handed over in time.
    async fn start_publish(
        &self,
        event: &Outgoing,
        payload: Bytes,
    ) -> Option<(PublishAckFuture, tokio::sync::OwnedSemaphorePermit)> {
        let start = async {
            let permit = Arc::clone(&self.pending).acquire_owned().await.ok()?;
            let message = PublishMessage::build()
                .payload(payload)
                .message_id(&event.id);
            match self
                .jetstream
                .send_publish(event.subject.clone(), message)
                .await
            {
                Ok(ack) => Some((ack, permit)),
                Err(e) => {
                    tracing::warn!(cause = %e, "audit event could not be published");
                    None
                }
            }
        };
        tokio::time::timeout(PUBLISH_WAIT, start)
            .await
            .ok()
            .flatten()
    }

    /// Keeps an event JetStream did not take: spooled, or lost when there is no
    /// spool or it is full.
    async fn keep(&self, event: Outgoing) -> Result<(), SinkError> {
        match &self.spool {
            Some(spool) => spool_event(spool, &self.wake, event).await,
            None => Err(SinkError::AuditUnavailable("NATS did not take it".into())),
        }
    }

    /// Replays the spool into JetStream, in order, until `shutdown` (whatever is
    /// left stays on disk for the next start).
    pub async fn replay(self: Arc<Self>, shutdown: CancellationToken) {
        let Some(spool) = self.spool.clone() else {
            return;
        };
        let mut delay = Duration::from_millis(200);
        loop {
            if spool.is_empty() || !self.connected() {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
                continue;
            }
            match self.replay_batch(&spool).await {
                Ok(0) => {}
                Ok(sent) => {
                    delay = Duration::from_millis(200);
                    tracing::debug!(sent, left = spool.len(), "spooled audit events replayed");
                }
                Err(e) => {
                    tracing::warn!(cause = %e, left = spool.len(), "audit spool replay paused");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    /// Publishes the next batch and advances the spool once every event in it is
    /// stored (a partly stored batch is sent again; the ids make that harmless).
    async fn replay_batch(&self, spool: &Arc<Spool>) -> Result<usize, String> {
        let peeked = Arc::clone(spool);
        let (events, end) = tokio::task::spawn_blocking(move || peeked.peek(REPLAY_BATCH))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let mut acks = Vec::with_capacity(events.len());
        for event in &events {
            let message = PublishMessage::build()
                .payload(Bytes::from(event.payload.clone()))
                .message_id(&event.id);
            let ack = self
                .jetstream
                .send_publish(event.subject.clone(), message)
                .await
                .map_err(|e| e.to_string())?;
            acks.push(ack);
        }
        for ack in acks {
            ack.await.map_err(|e| e.to_string())?;
        }
        let count = events.len() as u64;
        let advanced = Arc::clone(spool);
        tokio::task::spawn_blocking(move || advanced.advance(end, count))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        Ok(events.len())
    }
}

/// Forgets a journalled event: it was acked, or spooled.
fn finish(journal: Option<&Journal>, ticket: Option<Ticket>) {
    if let (Some(journal), Some(ticket)) = (journal, ticket) {
        journal.done(ticket);
    }
}

async fn spool_event(spool: &Arc<Spool>, wake: &Notify, event: Outgoing) -> Result<(), SinkError> {
    let target = Arc::clone(spool);
    let appended = tokio::task::spawn_blocking(move || target.append(&event)).await;
    match appended {
        Ok(Ok(())) => {
            wake.notify_one();
            Ok(())
        }
        Ok(Err(e @ SpoolError::Full { .. })) => Err(SinkError::AuditUnavailable(e.to_string())),
        Ok(Err(e)) => {
            tracing::error!(cause = %e, "audit spool write failed");
            Err(SinkError::AuditUnavailable(
                "audit spool write failed".into(),
            ))
        }
        Err(e) => Err(SinkError::AuditUnavailable(e.to_string())),
    }
}

#[async_trait::async_trait]
impl EventSink for NatsSink {
    async fn audit(&self, event: Outgoing) -> Result<(), SinkError> {
        if let Some(spool) = &self.spool {
            // Queue behind what waits, so replay keeps the order.
            if !spool.is_empty() || !self.connected() {
                return self.keep(event).await;
            }
        }
        let payload = Bytes::from(event.payload.clone());
        let ticket = self.journal(&event);
        let Some((ack, permit)) = self.start_publish(&event, payload).await else {
            self.metrics.audit_publish_failures.inc();
            let kept = self.keep(event).await;
            finish(self.journal.as_deref(), ticket);
            return kept;
        };
        let metrics = Arc::clone(&self.metrics);
        let spool = self.spool.clone();
        let journal = self.journal.clone();
        let wake = Arc::clone(&self.wake);
        self.acks.spawn(async move {
            let _permit = permit;
            // Forgotten only once settled: a task cut short at exit leaves the
            // event in the journal for the next start.
            if let Err(e) = ack.await {
                metrics.audit_publish_failures.inc();
                tracing::warn!(cause = %e, "audit event was not stored; spooling it");
                let kept = match &spool {
                    Some(spool) => spool_event(spool, &wake, event).await,
                    None => Err(SinkError::AuditUnavailable("no spool".into())),
                };
                if let Err(e) = kept {
                    metrics.audit_dropped.inc();
                    tracing::error!(cause = %e, "audit event lost");
                }
            }
            finish(journal.as_deref(), ticket);
        });
        Ok(())
    }

    fn audit_ready(&self) -> bool {
        !(self.fail_closed && self.spool.as_ref().is_some_and(|s| s.is_full()))
    }

    fn audit_required(&self) -> bool {
        self.fail_closed
    }

    async fn alert(&self, event: Outgoing) -> Result<(), SinkError> {
        if !self.connected() {
            return Err(SinkError::NotStored("NATS is not connected".into()));
        }
        let message = PublishMessage::build()
            .payload(Bytes::from(event.payload))
            .message_id(&event.id);
        let publish = async {
            self.jetstream
                .send_publish(event.subject, message)
                .await
                .map_err(|e| e.to_string())?
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(ALERT_WAIT, publish).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(SinkError::NotStored(e)),
            Err(_) => Err(SinkError::NotStored("no ack in time".into())),
        }
    }
}
