//! The generic hook protocol of `warden hook json`, for any agent runtime that
//! can run a command per tool call (schema: `schemas/hook.json`):
//!
//! - stdin: `{"tool": "Bash", "input": {...}, "cwd": "/abs/dir"?, "session_id": "..."?}`
//! - stdout, always: `{"decision": "allow" | "deny" | "ask", "reason", "category",
//!   "rule", "decision_id"}`, exit 0; input that cannot be read gets a `deny`
//!   and exit 2.
//!
//! Tool names and inputs follow Claude Code's (`tools` maps them), so one table
//! serves both protocols.

use serde_json::{json, Value};

use super::claude::Reply;
use super::{Hook, ToolCall, Verdict, BLOCKING_EXIT};

/// Answers one request read from stdin.
pub fn answer(hook: Result<&Hook, &str>, input: &[u8]) -> Reply {
    let request: Value = match serde_json::from_slice(input) {
        Ok(Value::Object(map)) => Value::Object(map),
        Ok(_) => return blocked("the request is not a JSON object"),
        Err(e) => {
            return blocked(&format!(
                "the request is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        }
    };
    let Some(tool) = request.get("tool").and_then(Value::as_str) else {
        return blocked("tool is missing or not a string");
    };
    let empty = json!({});
    let input = match request.get("input") {
        None | Some(Value::Null) => &empty,
        Some(value) => value,
    };
    let cwd = match request.get("cwd") {
        None | Some(Value::Null) => None,
        Some(Value::String(dir)) if dir.starts_with('/') => Some(dir.as_str()),
        Some(_) => return blocked("cwd must be an absolute path"),
    };
    let hook = match hook {
        Ok(hook) => hook,
        Err(config) => return blocked(&format!("warden is misconfigured: {config}")),
    };
    let call = ToolCall {
        tool,
        input,
        cwd,
        session_id: request.get("session_id").and_then(Value::as_str),
    };
    match hook.decide(&call) {
        Ok(verdict) => Reply {
            stdout: render(&verdict),
            stderr: String::new(),
            exit: 0,
        },
        Err(malformed) => blocked(&malformed.to_string()),
    }
}

fn blocked(message: &str) -> Reply {
    let verdict = Verdict::malformed(message);
    Reply {
        stdout: render(&verdict),
        stderr: verdict.explained(),
        exit: BLOCKING_EXIT,
    }
}

fn render(verdict: &Verdict) -> String {
    json!({
        "decision": verdict.answer.as_str(),
        "reason": verdict.reason,
        "category": verdict.category,
        "rule": verdict.rule,
        "decision_id": verdict.decision_id,
        "source": verdict.source.as_str(),
    })
    .to_string()
}
