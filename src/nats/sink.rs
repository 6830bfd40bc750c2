//! [`EventSink`] over NATS: audit events go to JetStream (stored, acked in the
//! background), alerts go to core NATS subjects.

use async_nats::jetstream::Context;
use async_nats::Client;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use crate::audit::{EventSink, AUDIT_SUBJECT_PREFIX};
use crate::metrics::Metrics;

/// Audit acks awaited in the background at once; beyond this, publishing
/// waits, so a JetStream that falls behind slows warden instead of piling up tasks.
const MAX_PENDING_ACKS: usize = 4096;

pub struct NatsSink {
    client: Client,
    jetstream: Context,
    metrics: Arc<Metrics>,
    acks: TaskTracker,
    pending: Arc<Semaphore>,
}

impl NatsSink {
    pub fn new(client: Client, metrics: Arc<Metrics>, acks: TaskTracker) -> Self {
        NatsSink {
            jetstream: async_nats::jetstream::new(client.clone()),
            client,
            metrics,
            acks,
            pending: Arc::new(Semaphore::new(MAX_PENDING_ACKS)),
        }
    }
}

#[async_trait::async_trait]
impl EventSink for NatsSink {
    async fn publish(&self, subject: String, payload: Vec<u8>) {
        if subject.starts_with(AUDIT_SUBJECT_PREFIX) {
            match self.jetstream.publish(subject, payload.into()).await {
                Ok(ack) => {
                    let metrics = Arc::clone(&self.metrics);
                    let Ok(permit) = Arc::clone(&self.pending).acquire_owned().await else {
                        return;
                    };
                    self.acks.spawn(async move {
                        let _permit = permit;
                        if let Err(e) = ack.await {
                            metrics.audit_publish_failures.inc();
                            tracing::warn!(cause = %e, "audit event was not stored");
                        }
                    });
                }
                Err(e) => {
                    self.metrics.audit_publish_failures.inc();
                    tracing::warn!(cause = %e, "audit event could not be published");
                }
            }
        } else if let Err(e) = self.client.publish(subject, payload.into()).await {
            tracing::warn!(cause = %e, "event could not be published");
        }
    }
}
