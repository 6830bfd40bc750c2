//! The one typed request path: every surface (REST, NATS, CLI) turns its input
//! into a [`Request`] once and hands it to [`Warden::call`], which runs it,
//! times it, counts and logs its error once, and answers a [`Response`] whose
//! JSON is exactly the operation's wire body.

use std::time::Instant;

use serde::Serialize;

use super::{
    log_error, parse, CanSpendRequest, CheckRequest, CheckResponse, CommitRequest,
    CreateBudgetRequest, Operation, RedactRequest, RedactResponse, ReleaseRequest, ReserveRequest,
    ReserveResponse, RunRequest, SpendRequest, Surface, Warden,
};
use crate::approval::Approval;
use crate::budget::{BudgetStatus, Money};
use crate::error::ApiError;

/// Who is asking and through which door: the token's name (never the token)
/// for audit and approvals, and the surface for metrics.
#[derive(Debug, Clone)]
pub struct Caller {
    pub surface: Surface,
    pub name: String,
}

impl Caller {
    pub fn new(surface: Surface, name: impl Into<String>) -> Self {
        Caller {
            surface,
            name: name.into(),
        }
    }
}

/// Every operation warden serves, parsed and typed.
#[derive(Debug)]
pub enum Request {
    Check(CheckRequest),
    Redact(RedactRequest),
    BudgetCreate(CreateBudgetRequest),
    BudgetSpend(SpendRequest),
    BudgetGet(RunRequest),
    BudgetCanSpend(CanSpendRequest),
    BudgetReserve(ReserveRequest),
    BudgetCommit(CommitRequest),
    BudgetRelease(ReleaseRequest),
    /// Admin: a new limit for a run.
    BudgetSetLimit {
        run_id: String,
        limit: Money,
    },
    /// Admin: close a tripped breaker.
    BudgetReset {
        run_id: String,
    },
    /// Where an approval request stands.
    ApprovalGet {
        decision_id: String,
    },
    /// Admin: approve or reject a pending request.
    ApprovalDecide {
        decision_id: String,
        approved: bool,
    },
}

impl Request {
    /// Names of every request, as the `op` metrics label.
    pub const NAMES: &'static [&'static str] = &[
        "check",
        "redact",
        "budget_create",
        "budget_spend",
        "budget_get",
        "budget_can_spend",
        "budget_reserve",
        "budget_commit",
        "budget_release",
        "budget_set_limit",
        "budget_reset",
        "approval_get",
        "approval_decide",
    ];

    /// Parses the JSON body of a request/reply operation (syntax errors 400, shapes 422).
    pub fn parse(op: Operation, body: &[u8]) -> Result<Request, ApiError> {
        Ok(match op {
            Operation::Check => Request::Check(parse(body)?),
            Operation::Redact => Request::Redact(parse(body)?),
            Operation::BudgetCreate => Request::BudgetCreate(parse(body)?),
            Operation::BudgetSpend => Request::BudgetSpend(parse(body)?),
            Operation::BudgetGet => Request::BudgetGet(parse(body)?),
            Operation::BudgetCanSpend => Request::BudgetCanSpend(parse(body)?),
            Operation::BudgetReserve => Request::BudgetReserve(parse(body)?),
            Operation::BudgetCommit => Request::BudgetCommit(parse(body)?),
            Operation::BudgetRelease => Request::BudgetRelease(parse(body)?),
        })
    }

    /// Short name for metrics labels and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Request::Check(_) => "check",
            Request::Redact(_) => "redact",
            Request::BudgetCreate(_) => "budget_create",
            Request::BudgetSpend(_) => "budget_spend",
            Request::BudgetGet(_) => "budget_get",
            Request::BudgetCanSpend(_) => "budget_can_spend",
            Request::BudgetReserve(_) => "budget_reserve",
            Request::BudgetCommit(_) => "budget_commit",
            Request::BudgetRelease(_) => "budget_release",
            Request::BudgetSetLimit { .. } => "budget_set_limit",
            Request::BudgetReset { .. } => "budget_reset",
            Request::ApprovalGet { .. } => "approval_get",
            Request::ApprovalDecide { .. } => "approval_decide",
        }
    }
}

/// The answer to a [`Request`]; serialises as the bare wire body of its operation.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Response {
    Decision(CheckResponse),
    Redacted(RedactResponse),
    Status(BudgetStatus),
    CanSpend(super::CanSpendResponse),
    Reserve(ReserveResponse),
    Approval(Approval),
}

impl Response {
    /// The JSON body.
    pub fn to_json(&self) -> Result<Vec<u8>, ApiError> {
        serde_json::to_vec(self).map_err(ApiError::internal)
    }
}

impl Warden {
    /// Runs one request for `caller`: the one path every surface takes.
    pub async fn call(&self, request: Request, caller: &Caller) -> Result<Response, ApiError> {
        let started = Instant::now();
        let op = request.name();
        let result = self.run(request, caller).await;
        self.metrics
            .request_duration
            .with_label_values(&[caller.surface.as_str(), op])
            .observe(started.elapsed().as_secs_f64());
        if let Err(err) = &result {
            self.count_error(op, caller.surface, err);
        }
        result
    }

    /// Counts and logs (once) a request that failed, including one whose body
    /// never parsed into a [`Request`].
    pub(crate) fn count_error(&self, op: &str, surface: Surface, err: &ApiError) {
        self.metrics
            .request_errors
            .with_label_values(&[surface.as_str(), err.code.as_str()])
            .inc();
        log_error(op, surface, err);
    }

    async fn run(&self, request: Request, caller: &Caller) -> Result<Response, ApiError> {
        let (surface, actor) = (caller.surface, caller.name.as_str());
        Ok(match request {
            Request::Check(r) => Response::Decision(self.check(r, surface, actor).await?),
            Request::Redact(r) => Response::Redacted(self.redact(r)),
            Request::BudgetCreate(r) => Response::Status(self.budget_create(r, surface).await?),
            Request::BudgetSpend(r) => Response::Status(self.budget_spend(r, surface).await?),
            Request::BudgetGet(r) => Response::Status(self.budget_get(r).await?),
            Request::BudgetCanSpend(r) => Response::CanSpend(self.budget_can_spend(r).await?),
            Request::BudgetReserve(r) => Response::Reserve(self.budget_reserve(r).await?),
            Request::BudgetCommit(r) => Response::Status(self.budget_commit(r, surface).await?),
            Request::BudgetRelease(r) => Response::Status(self.budget_release(r).await?),
            Request::BudgetSetLimit { run_id, limit } => Response::Status(
                self.budget_set_limit(&run_id, limit, actor, surface)
                    .await?,
            ),
            Request::BudgetReset { run_id } => {
                Response::Status(self.budget_reset(&run_id, actor, surface).await?)
            }
            Request::ApprovalGet { decision_id } => {
                Response::Approval(self.approval(&decision_id).await?)
            }
            Request::ApprovalDecide {
                decision_id,
                approved,
            } => Response::Approval(
                self.decide_approval(&decision_id, approved, actor, surface)
                    .await?,
            ),
        })
    }
}
