//! HTTP handlers: read the body and path into a typed [`Request`], hand it to
//! [`Warden::call`](crate::service::Warden::call), encode.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::response::json_response;
use super::{AppState, Caller};
use crate::error::{ApiError, ErrorCode};
use crate::service::{
    self, parse, DecideRequest, Operation, Request, RunRequest, SetLimitRequest, Surface,
};

/// Runs one parsed request on the one typed path and maps the result; the
/// client waits at most the request timeout. A request that did not parse is
/// counted and logged like any other failure.
async fn serve(
    state: &AppState,
    op: &'static str,
    caller: &Caller,
    request: Result<Request, ApiError>,
) -> Response {
    let caller = service::Caller::new(Surface::Http, caller.name.clone());
    let request = match request {
        Ok(request) => request,
        Err(err) => {
            state.warden.count_error(op, Surface::Http, &err);
            return err.into_response();
        }
    };
    let warden = Arc::clone(&state.warden);
    let work = async move { warden.call(request, &caller).await?.to_json() };
    match detached(state, work).await.and_then(|result| result) {
        Ok(json) => json_response(StatusCode::OK, json),
        Err(err) => err.into_response(),
    }
}

/// A request/reply operation's body, read and parsed like on every surface.
fn op_request(op: Operation, body: Result<Bytes, BytesRejection>) -> Result<Request, ApiError> {
    let body = body.map_err(|rejection| body_rejection(&rejection))?;
    Request::parse(op, &body)
}

/// Runs `work` as its own task and waits for it at most the request timeout.
///
/// The timeout bounds how long the *client* waits, never the work: dropping an
/// operation's future after the store committed would lose what follows the
/// commit (alerts, audit events). A task that outlives the timeout finishes on
/// its own, and shutdown waits for it (`state.tasks`).
async fn detached<T: Send + 'static>(
    state: &AppState,
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<T, ApiError> {
    use tracing::Instrument;
    // The request's span follows the work, so its one error line carries the request id.
    let task = state.tasks.spawn(work.in_current_span());
    match tokio::time::timeout(state.request_timeout, task).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(join)) => {
            tracing::error!(cause = %join, "request task failed");
            Err(ApiError::internal(join))
        }
        Err(_) => Err(ApiError::new(ErrorCode::Timeout, "request timed out")),
    }
}

/// Reads a JSON body of type `T`, with the same errors as every other body.
fn json_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let body = body.map_err(|rejection| body_rejection(&rejection))?;
    parse(&body)
}

fn body_rejection(rejection: &BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(ErrorCode::PayloadTooLarge, "request body is too large")
    } else {
        ApiError::new(ErrorCode::InvalidRequest, "request body could not be read")
    }
}

macro_rules! post_handler {
    ($name:ident, $op:expr) => {
        pub(super) async fn $name(
            State(state): State<AppState>,
            Extension(caller): Extension<Caller>,
            body: Result<Bytes, BytesRejection>,
        ) -> Response {
            serve(&state, $op.name(), &caller, op_request($op, body)).await
        }
    };
}

post_handler!(check, Operation::Check);
post_handler!(redact, Operation::Redact);
post_handler!(budget_create, Operation::BudgetCreate);
post_handler!(budget_spend, Operation::BudgetSpend);
post_handler!(budget_can_spend, Operation::BudgetCanSpend);
post_handler!(budget_reserve, Operation::BudgetReserve);
post_handler!(budget_commit, Operation::BudgetCommit);
post_handler!(budget_release, Operation::BudgetRelease);

/// `GET /budget/{run_id}`.
pub(super) async fn budget_get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(run_id): Path<String>,
) -> Response {
    let request = Request::BudgetGet(RunRequest { run_id });
    serve(&state, "budget_get", &caller, Ok(request)).await
}

/// `GET /approvals/{decision_id}` (agent): where an approval request stands.
pub(super) async fn approval_get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(decision_id): Path<String>,
) -> Response {
    let request = Request::ApprovalGet { decision_id };
    serve(&state, "approval_get", &caller, Ok(request)).await
}

/// `POST /approvals/{decision_id}` `{"approved": bool}` (admin, never the requester).
pub(super) async fn approval_decide(
    State(state): State<AppState>,
    Path(decision_id): Path<String>,
    Extension(caller): Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request = json_body::<DecideRequest>(body).map(|r| Request::ApprovalDecide {
        decision_id,
        approved: r.approved,
    });
    serve(&state, "approval_decide", &caller, request).await
}

/// `PATCH /budget/{run_id}` `{"limit": …}` (admin): changes a run's limit.
pub(super) async fn budget_set_limit(
    State(state): State<AppState>,
    Path(run_id): Path<String>,
    Extension(caller): Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request = json_body::<SetLimitRequest>(body).map(|r| Request::BudgetSetLimit {
        run_id,
        limit: r.limit,
    });
    serve(&state, "budget_set_limit", &caller, request).await
}

/// `POST /budget/{run_id}/reset` (admin): closes a tripped circuit breaker.
pub(super) async fn budget_reset(
    State(state): State<AppState>,
    Path(run_id): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let request = Request::BudgetReset { run_id };
    serve(&state, "budget_reset", &caller, Ok(request)).await
}

/// The OpenAPI document, compiled into the binary.
pub(super) async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../../openapi.json"),
    )
        .into_response()
}

pub(super) async fn healthz() -> Response {
    json_response(StatusCode::OK, br#"{"status":"ok"}"#.to_vec())
}

pub(super) async fn readyz(State(state): State<AppState>) -> Response {
    let checks = state.readiness.checks().await;
    let ready = checks.iter().all(|(_, ok)| *ok);
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": checks.iter().map(|(name, ok)| (name.to_string(), serde_json::Value::Bool(*ok))).collect::<serde_json::Map<_, _>>(),
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_response(status, body.to_string().into_bytes())
}

pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.warden.metrics().encode(),
    )
        .into_response()
}

pub(super) async fn not_found() -> Response {
    ApiError::new(ErrorCode::NotFound, "no such route").into_response()
}

pub(super) async fn method_not_allowed() -> Response {
    let mut response = ApiError::new(
        ErrorCode::InvalidRequest,
        "method not allowed on this route",
    )
    .into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}
