//! Request ids and the request span: every REST request carries an
//! `x-request-id` (the caller's when it is a sane token, a fresh UUIDv7
//! otherwise), echoed on the response and recorded on the span that the
//! service's one error log line is written in.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnFailure, DefaultOnRequest, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of one request, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

/// A caller's id is kept when it is 1–128 characters of `[A-Za-z0-9._:-]`, so
/// it can never carry a secret-looking blob, a newline or markup into logs.
fn valid(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=128).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Sets (or keeps) the request id before anything else runs, and echoes it.
pub(super) async fn request_id(mut request: Request, next: Next) -> Response {
    let id = match request.headers().get(&REQUEST_ID) {
        Some(value) if valid(value) => value.clone(),
        _ => HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("invalid")),
    };
    request.headers_mut().insert(REQUEST_ID, id.clone());
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// The request span: method, route and request id (never headers, bodies or
/// the raw path, whose segments a caller fills: `/budget/{run_id}`).
pub(super) fn trace_layer(
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, impl Fn(&Request) -> tracing::Span + Clone>
{
    TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let id = request
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let route = request
                .extensions()
                .get::<axum::extract::MatchedPath>()
                .map_or("(unmatched)", |m| m.as_str());
            tracing::info_span!(
                "request",
                method = %request.method(),
                route = %route,
                request_id = %id,
            )
        })
        .on_request(DefaultOnRequest::new().level(Level::DEBUG))
        .on_response(DefaultOnResponse::new().level(Level::DEBUG))
        // The service logs a failed request once, with its cause; not again here.
        .on_failure(DefaultOnFailure::new().level(Level::DEBUG))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sane_ids_are_kept() {
        for ok in ["abc", "01JH-xyz_1.2:3", &"a".repeat(128)] {
            assert!(valid(&HeaderValue::from_str(ok).expect("header")), "{ok}");
        }
        for bad in [
            "",
            "a b",
            "id\u{7f}",
            "x/y",
            &"a".repeat(129),
            "Bearer sk-x",
        ] {
            let Ok(value) = HeaderValue::from_str(bad) else {
                continue;
            };
            assert!(!valid(&value), "{bad:?}");
        }
    }
}
