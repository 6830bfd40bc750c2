//! Approvals in Redis: one hash per request (`warden:approval:{id}`), decided by
//! a Lua script so two admins cannot both decide the same request.

use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::Script;

use super::{Approval, ApprovalError, ApprovalStatus, ApprovalStore, APPROVAL_TTL};

const CALL_TIMEOUT: Duration = Duration::from_secs(2);

/// KEYS[1] = the request; ARGV = status, actor. Replies the error name or "ok".
const DECIDE: &str = r#"
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'not_found' end
if status ~= 'pending' then return status end
if redis.call('HGET', KEYS[1], 'requested_by') == ARGV[2] then return 'self' end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'decided_by', ARGV[2])
return 'ok'
"#;

pub struct RedisApprovals {
    conn: ConnectionManager,
    decide: Script,
}

fn key(id: &str) -> String {
    format!("warden:approval:{{{id}}}")
}

fn unavailable(err: &redis::RedisError) -> ApprovalError {
    ApprovalError::Unavailable(format!("redis {}", err.category()))
}

async fn timed<T>(
    work: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> Result<T, ApprovalError> {
    match tokio::time::timeout(CALL_TIMEOUT, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(unavailable(&e)),
        Err(_) => Err(ApprovalError::Unavailable("redis call timed out".into())),
    }
}

impl RedisApprovals {
    /// Connects (multiplexed, reconnecting); errors never include the URL.
    pub async fn connect(url: &str) -> Result<Self, ApprovalError> {
        let client = redis::Client::open(url)
            .map_err(|_| ApprovalError::Unavailable("invalid redis URL".into()))?;
        let conn = timed(client.get_connection_manager()).await?;
        Ok(RedisApprovals {
            conn,
            decide: Script::new(DECIDE),
        })
    }
}

#[async_trait::async_trait]
impl ApprovalStore for RedisApprovals {
    async fn request(&self, approval: &Approval) -> Result<(), ApprovalError> {
        let mut conn = self.conn.clone();
        let key = key(&approval.decision_id);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset_multiple(
                &key,
                &[
                    ("action", approval.action.as_str()),
                    ("status", approval.status.as_str()),
                    ("requested_by", approval.requested_by.as_str()),
                ],
            )
            .ignore()
            .pexpire(&key, APPROVAL_TTL.as_millis() as i64)
            .ignore();
        timed(pipe.query_async::<()>(&mut conn)).await
    }

    async fn get(&self, decision_id: &str) -> Result<Approval, ApprovalError> {
        let mut conn = self.conn.clone();
        let mut command = redis::cmd("HGETALL");
        command.arg(key(decision_id));
        let fields: std::collections::HashMap<String, String> =
            timed(command.query_async(&mut conn)).await?;
        let status = fields
            .get("status")
            .and_then(|s| ApprovalStatus::parse(s))
            .ok_or_else(|| ApprovalError::NotFound(decision_id.to_string()))?;
        Ok(Approval {
            decision_id: decision_id.to_string(),
            action: fields.get("action").cloned().unwrap_or_default(),
            status,
            requested_by: fields.get("requested_by").cloned().unwrap_or_default(),
            decided_by: fields.get("decided_by").cloned(),
        })
    }

    async fn decide(
        &self,
        decision_id: &str,
        status: ApprovalStatus,
        actor: &str,
    ) -> Result<Approval, ApprovalError> {
        let mut conn = self.conn.clone();
        let mut invocation = self.decide.key(key(decision_id));
        invocation.arg(status.as_str()).arg(actor);
        let outcome: String = timed(invocation.invoke_async(&mut conn)).await?;
        match outcome.as_str() {
            "ok" => self.get(decision_id).await,
            "not_found" => Err(ApprovalError::NotFound(decision_id.to_string())),
            "self" => Err(ApprovalError::SelfApproval),
            other => Err(ApprovalError::AlreadyDecided {
                id: decision_id.to_string(),
                status: ApprovalStatus::parse(other)
                    .unwrap_or(ApprovalStatus::Pending)
                    .as_str(),
            }),
        }
    }
}
