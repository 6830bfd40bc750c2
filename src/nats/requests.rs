//! Request/reply workers: one queue subscription per operation in group
//! `warden`, so any number of instances share the load. Replies are the REST
//! bodies; errors the same JSON error object.

use std::sync::Arc;

use async_nats::{Client, Message};
use futures::StreamExt;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{NatsError, NatsErrorKind};
use crate::service::{Caller, Operation, Surface, Warden};

pub const QUEUE_GROUP: &str = "warden";

/// Requests handled concurrently per subject before the worker stops reading.
const MAX_IN_FLIGHT: usize = 1024;

/// Subscribes every operation (the server has them all when this returns) and
/// gives back the work that serves them until `shutdown`; then it
/// unsubscribes, answers what was already received, and ends.
pub async fn start_request_workers(
    client: Client,
    warden: Arc<Warden>,
    shutdown: CancellationToken,
) -> Result<impl std::future::Future<Output = ()>, NatsError> {
    let mut subscribers = Vec::new();
    for op in Operation::ALL {
        let subscriber = client
            .queue_subscribe(op.subject(), QUEUE_GROUP.to_string())
            .await
            .map_err(|e| {
                NatsError::new(
                    NatsErrorKind::Subscribe,
                    format!("cannot subscribe {}", op.subject()),
                    e,
                )
            })?;
        subscribers.push((op, subscriber));
    }
    client
        .flush()
        .await
        .map_err(|e| NatsError::new(NatsErrorKind::Unreachable, "cannot flush subscriptions", e))?;
    Ok(async move {
        let tracker = TaskTracker::new();
        for (op, subscriber) in subscribers {
            tracker.spawn(serve_subject(
                client.clone(),
                subscriber,
                op,
                Arc::clone(&warden),
                shutdown.clone(),
            ));
        }
        tracker.close();
        tracker.wait().await;
    })
}

async fn serve_subject(
    client: Client,
    mut subscriber: async_nats::Subscriber,
    op: Operation,
    warden: Arc<Warden>,
    shutdown: CancellationToken,
) {
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let handlers = TaskTracker::new();
    let mut draining = false;
    loop {
        let message = tokio::select! {
            message = subscriber.next() => message,
            _ = shutdown.cancelled(), if !draining => {
                draining = true;
                // Drain: stop interest, keep what the server already sent.
                if let Err(e) = subscriber.drain().await {
                    tracing::warn!(cause = %e, subject = op.subject(), "drain failed");
                }
                continue;
            }
        };
        let Some(message) = message else { break };
        let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else {
            break;
        };
        let (client, warden) = (client.clone(), Arc::clone(&warden));
        handlers.spawn(async move {
            answer(&client, &warden, op, message).await;
            drop(permit);
        });
    }
    handlers.close();
    handlers.wait().await;
}

async fn answer(client: &Client, warden: &Warden, op: Operation, message: Message) {
    // A request without a reply subject is still carried out (a spend is a fact).
    // NATS permissions, not tokens, decide who may publish here.
    let body = match warden
        .handle(op, &message.payload, &Caller::new(Surface::Nats, "nats"))
        .await
    {
        Ok(json) => json,
        Err(err) => err.to_json(),
    };
    let Some(reply) = message.reply else { return };
    if let Err(e) = client.publish(reply, body.into()).await {
        tracing::warn!(cause = %e, subject = op.subject(), "reply could not be sent");
    }
}
