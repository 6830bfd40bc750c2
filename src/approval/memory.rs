//! In-memory approvals (tests and Redis-less dev runs).

use std::collections::HashMap;

use tokio::sync::Mutex;

use super::{Approval, ApprovalError, ApprovalStatus, ApprovalStore};

#[derive(Default)]
pub struct MemoryApprovals {
    requests: Mutex<HashMap<String, Approval>>,
}

impl MemoryApprovals {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait::async_trait]
impl ApprovalStore for MemoryApprovals {
    async fn request(&self, approval: &Approval) -> Result<(), ApprovalError> {
        let mut requests = self.requests.lock().await;
        requests
            .entry(approval.decision_id.clone())
            .or_insert_with(|| approval.clone());
        Ok(())
    }

    async fn get(&self, decision_id: &str) -> Result<Approval, ApprovalError> {
        let requests = self.requests.lock().await;
        requests
            .get(decision_id)
            .cloned()
            .ok_or_else(|| ApprovalError::NotFound(decision_id.to_string()))
    }

    async fn decide(
        &self,
        decision_id: &str,
        status: ApprovalStatus,
        actor: &str,
    ) -> Result<Approval, ApprovalError> {
        let mut requests = self.requests.lock().await;
        let approval = requests
            .get_mut(decision_id)
            .ok_or_else(|| ApprovalError::NotFound(decision_id.to_string()))?;
        if approval.status != ApprovalStatus::Pending {
            return Err(ApprovalError::AlreadyDecided {
                id: decision_id.to_string(),
                status: approval.status.as_str(),
            });
        }
        if approval.requested_by == actor {
            return Err(ApprovalError::SelfApproval);
        }
        approval.status = status;
        approval.decided_by = Some(actor.to_string());
        Ok(approval.clone())
    }
}
