//! The REST adapter (axum): routes, body limits, error mapping. Handlers only
//! translate HTTP to [`Warden::handle`] calls; no decisions are made here.

mod auth;
mod handlers;
mod response;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::TokenSet;
use crate::service::Warden;

pub use auth::Caller;
pub use response::error_response;

/// Reports whether the service's dependencies are reachable, by name.
#[async_trait::async_trait]
pub trait Readiness: Send + Sync {
    async fn checks(&self) -> Vec<(&'static str, bool)>;
}

/// Always ready: for tests and the in-memory dev mode.
pub struct AlwaysReady;

#[async_trait::async_trait]
impl Readiness for AlwaysReady {
    async fn checks(&self) -> Vec<(&'static str, bool)> {
        Vec::new()
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub warden: Arc<Warden>,
    pub readiness: Arc<dyn Readiness>,
    /// How long a client waits for an answer (504 after); the work itself is
    /// never cancelled by it.
    pub request_timeout: Duration,
    /// Request work runs here, so shutdown waits for work that outlived its timeout.
    pub tasks: TaskTracker,
    pub tokens: Arc<TokenSet>,
    /// `/metrics` without a token even when tokens are configured.
    pub metrics_public: bool,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token ever (health, readiness, the OpenAPI document).
    Public,
    /// An agent token, unless `WARDEN_METRICS_PUBLIC` (or protected mode).
    Metrics,
    /// An agent (or admin) token.
    Agent,
    /// An admin token.
    Admin,
}

/// Every route warden serves and who may call it. The OpenAPI test checks the
/// document against this list and the auth test checks the router against it.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Access::Public),
    ("GET", "/readyz", Access::Public),
    ("GET", "/metrics", Access::Metrics),
    ("POST", "/api/v1/safety/check", Access::Agent),
    ("POST", "/api/v1/safety/redact", Access::Agent),
    ("POST", "/api/v1/safety/budget/create", Access::Admin),
    ("POST", "/api/v1/safety/budget/spend", Access::Agent),
    ("POST", "/api/v1/safety/budget/can-spend", Access::Agent),
    ("POST", "/api/v1/safety/budget/reserve", Access::Agent),
    ("POST", "/api/v1/safety/budget/commit", Access::Agent),
    ("POST", "/api/v1/safety/budget/release", Access::Agent),
    ("GET", "/api/v1/safety/budget/{run_id}", Access::Agent),
    ("PATCH", "/api/v1/safety/budget/{run_id}", Access::Admin),
    (
        "POST",
        "/api/v1/safety/budget/{run_id}/reset",
        Access::Admin,
    ),
    (
        "GET",
        "/api/v1/safety/approvals/{decision_id}",
        Access::Agent,
    ),
    (
        "POST",
        "/api/v1/safety/approvals/{decision_id}",
        Access::Admin,
    ),
    ("GET", "/api/v1/openapi.json", Access::Public),
];

pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    use handlers::*;
    let agent = Router::new()
        .route("/check", post(check))
        .route("/redact", post(redact))
        .route("/budget/spend", post(budget_spend))
        .route("/budget/can-spend", post(budget_can_spend))
        .route("/budget/reserve", post(budget_reserve))
        .route("/budget/commit", post(budget_commit))
        .route("/budget/release", post(budget_release))
        .route("/budget/{run_id}", get(budget_get))
        .route("/approvals/{decision_id}", get(approval_get))
        .route_layer(from_fn_with_state(state.clone(), auth::require_agent));
    let admin = Router::new()
        .route("/budget/create", post(budget_create))
        .route("/budget/{run_id}", axum::routing::patch(budget_set_limit))
        .route("/budget/{run_id}/reset", post(budget_reset))
        .route("/approvals/{decision_id}", post(approval_decide))
        .route_layer(from_fn_with_state(state.clone(), auth::require_admin));
    let mut metrics_route = Router::new().route("/metrics", get(metrics));
    if !state.metrics_public {
        metrics_route =
            metrics_route.route_layer(from_fn_with_state(state.clone(), auth::require_agent));
    }
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/v1/openapi.json", get(openapi))
        .merge(metrics_route)
        .nest("/api/v1/safety", agent.merge(admin))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` is cancelled, then stops
/// accepting and lets in-flight requests finish.
///
/// A client gets `header_timeout` to send a request's line and headers
/// (`WARDEN_HTTP_HEADER_TIMEOUT`): a slow-loris connection dribbling its head
/// byte by byte is closed rather than held open forever. `axum::serve` sets
/// no timer, so hyper would never time a head out; this loop gives it one.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
    header_timeout: Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (tcp, _peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(cause = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Small JSON answers: send them now rather than wait for Nagle.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(cause = %e, "TCP_NODELAY not set");
        }
        let builder = builder.clone();
        let service = TowerToHyperService::new(router.clone());
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // The auto builder waits untimed for the first bytes (to tell
            // HTTP/1 from HTTP/2) before hyper's head timer runs: a client
            // that connects and sends nothing gets the same time to begin.
            let mut first = [0u8; 1];
            match tokio::time::timeout(header_timeout, tcp.peek(&mut first)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return,
            }
            let connection = builder
                .serve_connection_with_upgrades(TokioIo::new(tcp), service)
                .into_owned();
            if let Err(e) = watcher.watch(connection).await {
                tracing::trace!(cause = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
