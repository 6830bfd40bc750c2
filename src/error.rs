//! The one error type every surface returns: a stable code, a safe message, and
//! the table that maps codes to HTTP statuses. REST and NATS encode it the same way.
//! Typed core errors (policy, budget, money, approval) become an [`ApiError`]
//! here and only here; the internal cause rides along as `source`, logged once
//! by the service and never sent to the client.

use std::sync::Arc;

use serde::Serialize;

use crate::approval::ApprovalError;
use crate::budget::{BudgetError, MoneyError};
use crate::policy::PolicyError;

/// What went wrong, as clients branch on it. The string form is the wire `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    MalformedJson,
    InvalidRequest,
    UnknownAction,
    MissingField,
    InvalidField,
    InvalidAmount,
    InvalidPolicy,
    BudgetNotFound,
    BudgetConflict,
    ApprovalNotFound,
    ApprovalConflict,
    Unauthorized,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Timeout,
    StoreUnavailable,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// Every code, for metrics initialisation and documentation checks.
    pub const ALL: [ErrorCode; 19] = [
        Self::MalformedJson,
        Self::InvalidRequest,
        Self::UnknownAction,
        Self::MissingField,
        Self::InvalidField,
        Self::InvalidAmount,
        Self::InvalidPolicy,
        Self::BudgetNotFound,
        Self::BudgetConflict,
        Self::ApprovalNotFound,
        Self::ApprovalConflict,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::PayloadTooLarge,
        Self::Timeout,
        Self::StoreUnavailable,
        Self::Unavailable,
        Self::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::InvalidRequest => "invalid_request",
            Self::UnknownAction => "unknown_action",
            Self::MissingField => "missing_field",
            Self::InvalidField => "invalid_field",
            Self::InvalidAmount => "invalid_amount",
            Self::InvalidPolicy => "invalid_policy",
            Self::BudgetNotFound => "budget_not_found",
            Self::BudgetConflict => "budget_conflict",
            Self::ApprovalNotFound => "approval_not_found",
            Self::ApprovalConflict => "approval_conflict",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Timeout => "timeout",
            Self::StoreUnavailable => "store_unavailable",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status for this code: the single table both adapters rely on.
    pub fn http_status(self) -> u16 {
        match self {
            Self::MalformedJson | Self::InvalidRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::BudgetNotFound | Self::ApprovalNotFound | Self::NotFound => 404,
            Self::BudgetConflict | Self::ApprovalConflict => 409,
            Self::PayloadTooLarge => 413,
            Self::UnknownAction
            | Self::MissingField
            | Self::InvalidField
            | Self::InvalidAmount
            | Self::InvalidPolicy => 422,
            Self::Internal => 500,
            Self::StoreUnavailable | Self::Unavailable => 503,
            Self::Timeout => 504,
        }
    }
}

/// The internal cause of an [`ApiError`]: for the log, never for the client.
pub type Cause = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// An error as clients see it. `message` must never contain secrets or internals;
/// `source` keeps the internal cause for the one log line of the request.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[source]
    pub source: Option<Cause>,
}

/// Two errors are equal when clients see the same thing (code and message).
impl PartialEq for ApiError {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code && self.message == other.message
    }
}

impl Eq for ApiError {}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorInner<'a>,
}

#[derive(Serialize)]
struct ErrorInner<'a> {
    code: &'static str,
    message: &'a str,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            source: None,
        }
    }

    /// Keeps `cause` for the log (never for the client).
    pub fn with_source(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(cause));
        self
    }

    /// The internal error: a fixed message for the client, the cause for the log.
    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::new(ErrorCode::Internal, "internal error").with_source(cause)
    }

    pub fn malformed_json(cause: &serde_json::Error) -> Self {
        // serde_json's messages name the position and expected token, never the input text.
        Self::new(
            ErrorCode::MalformedJson,
            format!("request body is not valid JSON: {cause}"),
        )
    }

    /// `{"error": {"code": "...", "message": "..."}}`
    pub fn to_json(&self) -> Vec<u8> {
        let body = ErrorBody {
            error: ErrorInner {
                code: self.code.as_str(),
                message: &self.message,
            },
        };
        // Serialising two plain strings cannot fail.
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

/// Maps a body that parsed as JSON but not as the request type: a data error (422),
/// except syntax/EOF problems, which are malformed JSON (400). Bad amounts are
/// told apart by `service::parse` from Money's typed error, not from this text.
pub fn from_body_error(cause: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match cause.classify() {
        Category::Data => {
            ApiError::new(ErrorCode::InvalidField, without_values(&cause.to_string()))
        }
        Category::Syntax | Category::Eof | Category::Io => ApiError::malformed_json(&cause),
    }
}

/// serde quotes offending values in its messages (`invalid type: string "sk-…"`):
/// blank out double-quoted values and cut long backticked ones so no input is echoed.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push_str("\"…\"");
                for inner in chars.by_ref() {
                    if inner == '"' {
                        break;
                    }
                }
            }
            '`' => {
                let quoted: String = chars.by_ref().take_while(|&ch| ch != '`').collect();
                if quoted.chars().count() > 40 {
                    out.push_str("`…`");
                } else {
                    out.push('`');
                    out.push_str(&quoted);
                    out.push('`');
                }
            }
            other => out.push(other),
        }
    }
    out
}

impl From<&ApprovalError> for ErrorCode {
    fn from(err: &ApprovalError) -> Self {
        match err {
            ApprovalError::NotFound(_) => ErrorCode::ApprovalNotFound,
            ApprovalError::AlreadyDecided { .. } => ErrorCode::ApprovalConflict,
            ApprovalError::SelfApproval => ErrorCode::Forbidden,
            ApprovalError::Unavailable(_) => ErrorCode::StoreUnavailable,
        }
    }
}

impl From<&PolicyError> for ErrorCode {
    fn from(err: &PolicyError) -> Self {
        match err {
            PolicyError::UnknownAction(_) => ErrorCode::UnknownAction,
            PolicyError::MissingField { .. } => ErrorCode::MissingField,
            PolicyError::InvalidField { .. } => ErrorCode::InvalidField,
            PolicyError::InvalidPolicy(_) => ErrorCode::InvalidPolicy,
        }
    }
}

impl From<&BudgetError> for ErrorCode {
    fn from(err: &BudgetError) -> Self {
        match err {
            BudgetError::NotFound(_) => ErrorCode::BudgetNotFound,
            BudgetError::Conflict { .. } => ErrorCode::BudgetConflict,
            BudgetError::InvalidAmount(_) => ErrorCode::InvalidAmount,
            BudgetError::Invalid(_) => ErrorCode::InvalidField,
            BudgetError::Unavailable(_) => ErrorCode::StoreUnavailable,
            BudgetError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<ApprovalError> for ApiError {
    fn from(err: ApprovalError) -> Self {
        let code = ErrorCode::from(&err);
        match code {
            ErrorCode::StoreUnavailable => {
                ApiError::new(code, "approval store is unavailable").with_source(err)
            }
            _ => ApiError::new(code, err.to_string()),
        }
    }
}

impl From<PolicyError> for ApiError {
    fn from(err: PolicyError) -> Self {
        ApiError::new(ErrorCode::from(&err), err.to_string())
    }
}

impl From<MoneyError> for ApiError {
    /// Quoted caller input is blanked, as in every body error: an amount field
    /// holding a string may hold a secret.
    fn from(err: MoneyError) -> Self {
        ApiError::new(ErrorCode::InvalidAmount, without_values(&err.to_string()))
    }
}

impl From<BudgetError> for ApiError {
    fn from(err: BudgetError) -> Self {
        match ErrorCode::from(&err) {
            ErrorCode::StoreUnavailable => ApiError::new(
                ErrorCode::StoreUnavailable,
                "budget store is unavailable; nothing was recorded",
            )
            .with_source(err),
            ErrorCode::Internal => ApiError::internal(err),
            code => ApiError::new(code, err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_the_contract_shape() {
        let err = ApiError::new(ErrorCode::BudgetNotFound, "no budget for run 'x'");
        assert_eq!(
            String::from_utf8(err.to_json()).expect("utf8"),
            r#"{"error":{"code":"budget_not_found","message":"no budget for run 'x'"}}"#
        );
        assert_eq!(err.code.http_status(), 404);
    }

    #[test]
    fn internal_causes_stay_out_of_the_wire_body() {
        let err = ApiError::from(BudgetError::Unavailable(
            "redis://:hunter2@cache refused".into(),
        ));
        assert_eq!(err.code, ErrorCode::StoreUnavailable);
        let body = String::from_utf8(err.to_json()).expect("utf8");
        assert!(!body.contains("hunter2"), "{body}");
        let cause = std::error::Error::source(&err).expect("cause kept");
        assert!(cause.to_string().contains("refused"));
        let err = ApiError::from(BudgetError::Internal("bad script reply".into()));
        assert_eq!(err.message, "internal error");
        assert!(err.source.is_some());
        let err = ApiError::from(MoneyError::Zero);
        assert_eq!(err.code, ErrorCode::InvalidAmount);
    }

    #[test]
    fn syntax_errors_are_400_and_data_errors_422() {
        let syntax = serde_json::from_str::<serde_json::Value>("{nope").expect_err("bad json");
        assert_eq!(from_body_error(syntax).code.http_status(), 400);
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Want {
            action: String,
        }
        let data = serde_json::from_str::<Want>(r#"{"action": 5}"#).expect_err("wrong type");
        assert_eq!(from_body_error(data).code.http_status(), 422);
        let amount = crate::service::parse::<crate::service::SpendRequest>(
            br#"{"run_id": "r", "amount": -1}"#,
        )
        .expect_err("negative");
        assert_eq!(amount.code, ErrorCode::InvalidAmount);
        assert_eq!(amount.message, r#"amount must not be negative (got "…")"#);
        let secret = crate::service::parse::<crate::service::SpendRequest>(
            br#"{"run_id": "r", "amount": "sk_live_abcdefghijklmnopqrstuvwx"}"#,
        )
        .expect_err("a string");
        assert_eq!(secret.code, ErrorCode::InvalidAmount);
        assert!(!secret.message.contains("sk_live"), "{}", secret.message);
        let limit = crate::service::parse::<crate::service::CreateBudgetRequest>(
            br#"{"run_id": "r", "limit": "10"}"#,
        )
        .expect_err("a string");
        assert_eq!(limit.code, ErrorCode::InvalidAmount);
        let missing = crate::service::parse::<crate::service::SpendRequest>(br#"{"amount": 1}"#)
            .expect_err("no run_id");
        assert_eq!(missing.code, ErrorCode::InvalidField);
        let secret =
            serde_json::from_str::<Want>(r#"{"action": ["sk_live_abcdefghijklmnopqrstuvwx"]}"#)
                .expect_err("wrong type");
        assert!(!from_body_error(secret).message.contains("sk_live"));
        let secret = serde_json::from_str::<u64>(r#""sk_live_abcdefghijklmnopqrstuvwx""#)
            .expect_err("string");
        let message = from_body_error(secret).message;
        assert!(!message.contains("sk_live"), "{message}");
    }
}
