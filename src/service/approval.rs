//! Approval operations: record a request when a decision needs a human, let an
//! admin (never the requester) approve or reject it, and audit both.

use serde::Serialize;

use super::{Surface, Warden};
use crate::approval::{valid_id, Approval, ApprovalStatus};
use crate::audit::AUDIT_SUBJECT_PREFIX;
use crate::error::{ApiError, ErrorCode};

#[derive(Serialize)]
struct ApprovalEvent<'a> {
    id: String,
    #[serde(with = "time::serde::rfc3339")]
    time: time::OffsetDateTime,
    kind: &'static str,
    event: &'static str,
    surface: &'a str,
    actor: &'a str,
    approval: &'a Approval,
}

impl Warden {
    pub(super) async fn request_approval(
        &self,
        decision_id: &str,
        action: &str,
        actor: &str,
        surface: Surface,
    ) -> Result<(), ApiError> {
        let approval = Approval {
            decision_id: decision_id.to_string(),
            action: action.to_string(),
            status: ApprovalStatus::Pending,
            requested_by: actor.to_string(),
            decided_by: None,
        };
        self.approvals.request(&approval).await?;
        self.audit_approval("requested", surface, actor, &approval)
            .await;
        Ok(())
    }

    /// The current state of an approval request.
    pub async fn approval(&self, decision_id: &str) -> Result<Approval, ApiError> {
        check_id(decision_id)?;
        Ok(self.approvals.get(decision_id).await?)
    }

    /// Approves or rejects a pending request; the requester's own token cannot.
    pub async fn decide_approval(
        &self,
        decision_id: &str,
        approved: bool,
        actor: &str,
        surface: Surface,
    ) -> Result<Approval, ApiError> {
        check_id(decision_id)?;
        let status = if approved {
            ApprovalStatus::Approved
        } else {
            ApprovalStatus::Rejected
        };
        let approval = self.approvals.decide(decision_id, status, actor).await?;
        self.audit_approval(status.as_str(), surface, actor, &approval)
            .await;
        Ok(approval)
    }

    async fn audit_approval(
        &self,
        event: &'static str,
        surface: Surface,
        actor: &str,
        approval: &Approval,
    ) {
        let event = ApprovalEvent {
            id: uuid::Uuid::now_v7().to_string(),
            time: time::OffsetDateTime::now_utc(),
            kind: "approval",
            event,
            surface: surface.as_str(),
            actor,
            approval,
        };
        if let Ok(payload) = serde_json::to_vec(&event) {
            let subject = format!("{AUDIT_SUBJECT_PREFIX}.approval");
            // Approval audit is best effort here: the approval itself is already stored.
            let _ = self
                .publisher()
                .audit(subject, event.id.clone(), payload, "approval")
                .await;
        }
    }
}

fn check_id(decision_id: &str) -> Result<(), ApiError> {
    if valid_id(decision_id) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidField,
            "decision_id must be the UUID from a check's answer",
        ))
    }
}
