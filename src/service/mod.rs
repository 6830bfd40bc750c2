//! The operations every surface serves: one request type, one response type and
//! one error type per operation, so REST, NATS and the CLI can never disagree.
//! Adapters parse their input once into a [`Request`] and hand it to
//! [`Warden::call`] (or a raw body to [`Warden::handle`], which does both).

mod approval;
mod budget;
mod call;
mod check;
mod publish;
mod redact;
mod requests;

use serde::de::DeserializeOwned;
use std::sync::{Arc, RwLock};
use tokio_util::task::TaskTracker;

pub use call::{Caller, Request, Response};
pub use requests::*;

use crate::approval::ApprovalStore;
use crate::audit::EventSink;
use crate::budget::BudgetTracker;
use crate::error::{from_body_error, ApiError, ErrorCode};
use crate::metrics::Metrics;
use crate::policy::PolicyGate;
use crate::redact::Redactor;

/// Which door a request came through (a metrics label and an audit field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Http,
    Nats,
    Cli,
    Stream,
}

impl Surface {
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Http => "http",
            Surface::Nats => "nats",
            Surface::Cli => "cli",
            Surface::Stream => "stream",
        }
    }
}

/// Every request/reply operation, with its NATS subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Check,
    Redact,
    BudgetCreate,
    BudgetSpend,
    BudgetGet,
    BudgetCanSpend,
    BudgetReserve,
    BudgetCommit,
    BudgetRelease,
}

impl Operation {
    pub const ALL: [Operation; 9] = [
        Operation::Check,
        Operation::Redact,
        Operation::BudgetCreate,
        Operation::BudgetSpend,
        Operation::BudgetGet,
        Operation::BudgetCanSpend,
        Operation::BudgetReserve,
        Operation::BudgetCommit,
        Operation::BudgetRelease,
    ];

    /// The request/reply subject this operation is served on.
    pub fn subject(self) -> &'static str {
        match self {
            Operation::Check => "safety.check",
            Operation::Redact => "safety.redact",
            Operation::BudgetCreate => "safety.budget.create",
            Operation::BudgetSpend => "safety.budget.spend",
            Operation::BudgetGet => "safety.budget.get",
            Operation::BudgetCanSpend => "safety.budget.can_spend",
            Operation::BudgetReserve => "safety.budget.reserve",
            Operation::BudgetCommit => "safety.budget.commit",
            Operation::BudgetRelease => "safety.budget.release",
        }
    }

    /// Short name for metrics labels.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Check => "check",
            Operation::Redact => "redact",
            Operation::BudgetCreate => "budget_create",
            Operation::BudgetSpend => "budget_spend",
            Operation::BudgetGet => "budget_get",
            Operation::BudgetCanSpend => "budget_can_spend",
            Operation::BudgetReserve => "budget_reserve",
            Operation::BudgetCommit => "budget_commit",
            Operation::BudgetRelease => "budget_release",
        }
    }
}

/// The service: policy gate, redactor, budgets, and where events go.
pub struct Warden {
    gate: RwLock<Arc<PolicyGate>>,
    redactor: Arc<Redactor>,
    redact_env_names: Vec<String>,
    budgets: BudgetTracker,
    approvals: Arc<dyn ApprovalStore>,
    events: Arc<dyn EventSink>,
    metrics: Arc<Metrics>,
    /// Work that follows a commit (publishing alerts from the outbox): it runs
    /// detached from the request, so neither a timeout nor a slow JetStream can
    /// cancel it or hold the answer back.
    after_commit: TaskTracker,
}

impl Warden {
    pub fn new(
        gate: PolicyGate,
        redactor: Redactor,
        redact_env_names: Vec<String>,
        budgets: BudgetTracker,
        approvals: Arc<dyn ApprovalStore>,
        events: Arc<dyn EventSink>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Warden {
            gate: RwLock::new(Arc::new(gate)),
            redactor: Arc::new(redactor),
            redact_env_names,
            budgets,
            approvals,
            events,
            metrics,
            after_commit: TaskTracker::new(),
        }
    }

    /// Waits up to `grace` for the work started after commits (shutdown, and
    /// the CLI before it exits); `false` when some was still running.
    pub async fn drain(&self, grace: std::time::Duration) -> bool {
        self.after_commit.close();
        let drained = tokio::time::timeout(grace, self.after_commit.wait())
            .await
            .is_ok();
        self.after_commit.reopen();
        drained
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    pub fn redactor(&self) -> &Arc<Redactor> {
        &self.redactor
    }

    pub fn budgets(&self) -> &BudgetTracker {
        &self.budgets
    }

    pub fn redact_env_names(&self) -> &[String] {
        &self.redact_env_names
    }

    /// The policy in force now; a reload swaps it for later requests.
    pub fn gate(&self) -> Arc<PolicyGate> {
        Arc::clone(&self.gate.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Replaces the policy in force (after a validated reload).
    pub fn replace_gate(&self, gate: PolicyGate) {
        *self.gate.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(gate);
    }

    /// Parses `body` as the request of `op`, runs it through [`Warden::call`]
    /// and returns the JSON answer (the NATS adapter's entry).
    pub async fn handle(
        &self,
        op: Operation,
        body: &[u8],
        caller: &Caller,
    ) -> Result<Vec<u8>, ApiError> {
        let request = match Request::parse(op, body) {
            Ok(request) => request,
            Err(err) => {
                self.count_error(op.name(), caller.surface, &err);
                return Err(err);
            }
        };
        self.call(request, caller).await?.to_json()
    }
}

/// Parses a request body; syntax errors are 400, wrong shapes 422, and a bad
/// `amount` or `limit` is 422 `invalid_amount` from Money's own typed error.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|cause| {
        let data_error = cause.classify() == serde_json::error::Category::Data;
        data_error
            .then(|| money_error(body))
            .flatten()
            .unwrap_or_else(|| from_body_error(cause))
    })
}

/// On the error path only: the [`MoneyError`](crate::budget::MoneyError) of
/// the body's amount fields, found by running Money's parser on them (serde's
/// own error keeps only text).
fn money_error(body: &[u8]) -> Option<ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["amount", "limit"]
        .iter()
        .find_map(|field| match value.get(field) {
            None | Some(serde_json::Value::Null) => None,
            Some(amount) => crate::budget::Money::from_json(amount)
                .err()
                .map(ApiError::from),
        })
}

/// The one log line of a failed request, in the caller's span: the code, the
/// client's message and the internal cause (which the client never sees).
fn log_error(op: &str, surface: Surface, err: &ApiError) {
    let (code, surface) = (err.code.as_str(), surface.as_str());
    let cause = err.source.as_ref().map(|c| c.to_string());
    let cause = cause.as_deref().unwrap_or("");
    match err.code {
        ErrorCode::Internal => {
            tracing::error!(op, surface, code, cause, message = %err.message, "request failed")
        }
        ErrorCode::StoreUnavailable | ErrorCode::Unavailable | ErrorCode::Timeout => {
            tracing::warn!(op, surface, code, cause, message = %err.message, "request failed")
        }
        _ => tracing::debug!(op, surface, code, message = %err.message, "request refused"),
    }
}
