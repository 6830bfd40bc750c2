//! The REST adapter (axum): routes, body limits, error mapping. Handlers only
//! translate HTTP to typed [`Warden::call`] requests; no decisions are made here.

mod auth;
mod handlers;
mod request_id;
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
use crate::readiness::Readiness;
use crate::service::Warden;

pub use auth::Caller;
pub use request_id::{RequestId, REQUEST_ID};
pub use response::error_response;

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
        .layer(request_id::trace_layer())
        .layer(axum::middleware::from_fn(request_id::request_id))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::MemoryApprovals;
    use crate::audit::NullSink;
    use crate::budget::MemoryStore;
    use crate::config::Config;
    use crate::metrics::Metrics;
    use crate::readiness::AlwaysReady;
    use crate::server::{build_warden, Stores};

    /// A router over memory stores, in protected mode, served on a free port.
    async fn serve_for_test() -> String {
        let config = Config::from_lookup(|_| None).expect("defaults");
        let stores = Stores {
            budgets: Arc::new(MemoryStore::new()),
            approvals: Arc::new(MemoryApprovals::new()),
        };
        let warden = build_warden(
            &config,
            stores,
            Arc::new(NullSink),
            Arc::new(Metrics::new()),
        )
        .expect("warden");
        let state = AppState {
            warden: Arc::new(warden),
            readiness: Arc::new(AlwaysReady),
            request_timeout: Duration::from_secs(5),
            tasks: TaskTracker::new(),
            tokens: Arc::new(TokenSet::default()),
            metrics_public: true,
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = router(state, 1 << 20);
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn request_ids_are_echoed_when_sane_and_generated_otherwise() {
        let base = serve_for_test().await;
        let client = reqwest::Client::new();
        let id_of = |response: &reqwest::Response| {
            response
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        let echoed = client
            .get(format!("{base}/api/v1/safety/budget/nope"))
            .header("x-request-id", "caller-id-42")
            .send()
            .await
            .expect("answer");
        assert_eq!(echoed.status(), 404);
        assert_eq!(id_of(&echoed).as_deref(), Some("caller-id-42"));
        let replaced = client
            .get(format!("{base}/healthz"))
            .header("x-request-id", "has spaces and sk-secret")
            .send()
            .await
            .expect("answer");
        let id = id_of(&replaced).expect("generated id");
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        let fresh = client
            .post(format!("{base}/api/v1/safety/check"))
            .body("{nope")
            .send()
            .await
            .expect("answer");
        assert_eq!(fresh.status(), 400);
        assert!(id_of(&fresh).is_some_and(|id| uuid::Uuid::parse_str(&id).is_ok()));
    }

    #[tokio::test]
    async fn admin_and_path_routes_take_the_one_path_with_metrics() {
        let base = serve_for_test().await;
        let client = reqwest::Client::new();
        let missing = client
            .get(format!(
                "{base}/api/v1/safety/approvals/0190b4a0-0000-7000-8000-000000000000"
            ))
            .send()
            .await
            .expect("answer");
        assert_eq!(missing.status(), 404);
        let reset = client
            .post(format!("{base}/api/v1/safety/budget/ghost/reset"))
            .send()
            .await
            .expect("answer");
        assert_eq!(reset.status(), 404);
        let limit = client
            .patch(format!("{base}/api/v1/safety/budget/ghost"))
            .body(r#"{"limit": "ten"}"#)
            .send()
            .await
            .expect("answer");
        assert_eq!(limit.status(), 422);
        let text = client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        for line in [
            r#"warden_request_errors_total{code="approval_not_found",surface="http"} 1"#,
            r#"warden_request_errors_total{code="budget_not_found",surface="http"} 1"#,
            r#"warden_request_errors_total{code="invalid_amount",surface="http"} 1"#,
            r#"warden_request_duration_seconds_count{op="approval_get",surface="http"} 1"#,
            r#"warden_request_duration_seconds_count{op="budget_reset",surface="http"} 1"#,
        ] {
            assert!(text.contains(line), "missing {line}");
        }
    }
}
