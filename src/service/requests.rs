//! Request and response bodies shared by REST, NATS and the CLI (the seed's shapes).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::budget::{BudgetStatus, Money};
use crate::policy::Decision;
use crate::redact::Finding;

/// `POST /check`, `safety.check`.
#[derive(Debug, Deserialize)]
pub struct CheckRequest {
    pub action: String,
    #[serde(default)]
    pub context: Value,
}

/// The seed's decision (`allowed`, `reason`, `requires_approval`) plus extras.
#[derive(Debug, Serialize)]
pub struct CheckResponse {
    #[serde(flatten)]
    pub decision: Decision,
    pub decision_id: String,
}

/// `POST /redact`, `safety.redact`.
#[derive(Debug, Deserialize)]
pub struct RedactRequest {
    pub text: String,
    #[serde(default)]
    pub env_vars: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RedactResponse {
    pub text: String,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Deserialize)]
pub struct CreateBudgetRequest {
    pub run_id: String,
    #[serde(default)]
    pub limit: Option<Money>,
}

#[derive(Debug, Deserialize)]
pub struct SpendRequest {
    pub run_id: String,
    pub amount: Money,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RunRequest {
    pub run_id: String,
}

#[derive(Debug, Deserialize)]
pub struct CanSpendRequest {
    pub run_id: String,
    pub amount: Money,
}

#[derive(Debug, Serialize)]
pub struct CanSpendResponse {
    pub can_spend: bool,
    pub current_status: BudgetStatus,
}

/// Default lifetime of a hold when the request names none.
pub const DEFAULT_HOLD_TTL_SECONDS: u64 = 300;
/// Longest hold a caller may ask for.
pub const MAX_HOLD_TTL_SECONDS: u64 = 86_400;

#[derive(Debug, Deserialize)]
pub struct ReserveRequest {
    pub run_id: String,
    pub amount: Money,
    pub hold_id: String,
    #[serde(default)]
    pub ttl_seconds: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct ReserveResponse {
    pub granted: bool,
    pub hold_id: String,
    pub current_status: BudgetStatus,
}

#[derive(Debug, Deserialize)]
pub struct CommitRequest {
    pub run_id: String,
    pub hold_id: String,
    pub amount: Money,
}

#[derive(Debug, Deserialize)]
pub struct ReleaseRequest {
    pub run_id: String,
    pub hold_id: String,
}

/// `POST /approvals/{decision_id}` (admin).
#[derive(Debug, Deserialize)]
pub struct DecideRequest {
    pub approved: bool,
}

/// `PATCH /budget/{run_id}` (admin).
#[derive(Debug, Deserialize)]
pub struct SetLimitRequest {
    pub limit: Money,
}
