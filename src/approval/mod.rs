//! Human approvals: a decision that `requires_approval` is recorded as pending;
//! an admin approves or rejects it, never with the token that asked for it.
//! The store is a trait with a Redis implementation (production) and an
//! in-memory one (tests, `--store memory`).

mod memory;
mod redis_store;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use memory::MemoryApprovals;
pub use redis_store::RedisApprovals;

/// How long a pending approval waits before it is forgotten.
pub const APPROVAL_TTL: Duration = Duration::from_secs(7 * 86_400);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(ApprovalStatus::Pending),
            "approved" => Some(ApprovalStatus::Approved),
            "rejected" => Some(ApprovalStatus::Rejected),
            _ => None,
        }
    }
}

/// One approval request and, once decided, who decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub decision_id: String,
    pub action: String,
    pub status: ApprovalStatus,
    pub requested_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("no approval request with id '{0}'")]
    NotFound(String),
    #[error("approval request '{id}' was already {status}")]
    AlreadyDecided { id: String, status: &'static str },
    #[error("an action cannot be approved with the token that requested it")]
    SelfApproval,
    #[error("approval store unavailable: {0}")]
    Unavailable(String),
}

/// Atomic approval operations.
#[async_trait::async_trait]
pub trait ApprovalStore: Send + Sync {
    /// Records a pending request (the decision id is fresh, so this never overwrites).
    async fn request(&self, approval: &Approval) -> Result<(), ApprovalError>;

    async fn get(&self, decision_id: &str) -> Result<Approval, ApprovalError>;

    /// Moves a pending request to `status`, recording `actor`; refuses when the
    /// request is not pending or `actor` is the one who requested it.
    async fn decide(
        &self,
        decision_id: &str,
        status: ApprovalStatus,
        actor: &str,
    ) -> Result<Approval, ApprovalError>;
}

/// Decision ids are UUIDs; anything else is refused before touching a store.
pub fn valid_id(id: &str) -> bool {
    id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}
