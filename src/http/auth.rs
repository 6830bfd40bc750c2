//! Bearer-token middleware: 401 without a valid token, 403 when the token's
//! role is too low. With no tokens configured (protected mode, loopback only)
//! every request passes.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::auth::Role;
use crate::error::{ApiError, ErrorCode};

/// Who made the request (the token's name, never the token), for audit.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

pub(super) async fn require_agent(
    state: State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    require(state, request, next, Role::Agent).await
}

pub(super) async fn require_admin(
    state: State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    require(state, request, next, Role::Admin).await
}

async fn require(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
    needed: Role,
) -> Response {
    if state.tokens.is_empty() {
        request.extensions_mut().insert(Caller {
            name: "loopback".into(),
            role: Role::Admin,
        });
        return next.run(request).await;
    }
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer);
    let Some(token) = presented.and_then(|t| state.tokens.authenticate(t)) else {
        let mut response =
            ApiError::new(ErrorCode::Unauthorized, "a valid bearer token is required")
                .into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    };
    if token.role < needed {
        return ApiError::new(
            ErrorCode::Forbidden,
            format!("this operation needs the {} role", needed.as_str()),
        )
        .into_response();
    }
    request.extensions_mut().insert(Caller {
        name: token.name.clone(),
        role: token.role,
    });
    next.run(request).await
}

/// The token of an `Authorization: Bearer <token>` value (scheme case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn bearer_scheme_is_parsed_case_insensitively() {
        assert_eq!(super::bearer("Bearer abc"), Some("abc"));
        assert_eq!(super::bearer("bearer   abc "), Some("abc"));
        assert_eq!(super::bearer("Basic abc"), None);
        assert_eq!(super::bearer("Bearer "), None);
        assert_eq!(super::bearer("abc"), None);
    }
}
