//! Claude Code's hook protocol, as documented in the Claude Code hooks
//! reference (code.claude.com/docs/en/hooks, followed as of Claude Code 2.0):
//!
//! - stdin: one JSON event with `session_id`, `transcript_path`, `cwd`,
//!   `permission_mode`, `hook_event_name`, `tool_name`, `tool_input`,
//!   `tool_use_id` (and `tool_response` on `PostToolUse`).
//! - `PreToolUse` answer on stdout, exit 0:
//!   `{"hookSpecificOutput": {"hookEventName": "PreToolUse",
//!   "permissionDecision": "deny" | "ask", "permissionDecisionReason": …}}`.
//!   A plain allow prints nothing, so Claude Code's own permission rules apply
//!   (an explicit `allow` would skip its prompt).
//! - `PostToolUse` feedback: `{"decision": "block", "reason": …,
//!   "hookSpecificOutput": {"hookEventName": "PostToolUse", "additionalContext": …}}`;
//!   the tool already ran, `block` only puts the reason in front of Claude.
//! - Exit code 2 is Claude Code's blocking error (stderr is shown to Claude):
//!   used for input warden cannot read and for a broken configuration, so the
//!   hook fails closed. The deny JSON is printed as well, for runtimes that read it.

use serde_json::{json, Value};

use super::{Answer, Hook, ToolCall, Verdict, BLOCKING_EXIT};

/// What the process prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub stdout: String,
    pub stderr: String,
    pub exit: u8,
}

impl Reply {
    fn silent() -> Self {
        Reply {
            stdout: String::new(),
            stderr: String::new(),
            exit: 0,
        }
    }

    /// Blocks the call: deny JSON on stdout, the reason on stderr, exit 2.
    pub fn blocked(message: &str) -> Self {
        let verdict = Verdict::malformed(message);
        Reply {
            stdout: pre_tool_use(&verdict),
            stderr: verdict.explained(),
            exit: BLOCKING_EXIT,
        }
    }
}

/// Answers one event read from stdin; `hook` is the configured hook, or why
/// it could not be built.
pub fn answer(hook: Result<&Hook, &str>, input: &[u8]) -> Reply {
    let event: Value = match serde_json::from_slice(input) {
        Ok(Value::Object(map)) => Value::Object(map),
        Ok(_) => return Reply::blocked("the hook event is not a JSON object"),
        Err(e) => {
            return Reply::blocked(&format!(
                "the hook event is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        }
    };
    let Some(name) = event.get("hook_event_name").and_then(Value::as_str) else {
        return Reply::blocked("hook_event_name is missing");
    };
    if name != "PreToolUse" && name != "PostToolUse" {
        return Reply::silent();
    }
    let Some(tool) = event.get("tool_name").and_then(Value::as_str) else {
        return Reply::blocked("tool_name is missing or not a string");
    };
    let Some(input) = event.get("tool_input") else {
        return Reply::blocked("tool_input is missing");
    };
    let cwd = match event.get("cwd") {
        None | Some(Value::Null) => None,
        Some(Value::String(dir)) if dir.starts_with('/') => Some(dir.as_str()),
        Some(_) => return Reply::blocked("cwd must be an absolute path"),
    };
    let hook = match hook {
        Ok(hook) => hook,
        Err(config) => return Reply::blocked(&format!("warden is misconfigured: {config}")),
    };
    let call = ToolCall {
        tool,
        input,
        cwd,
        session_id: event.get("session_id").and_then(Value::as_str),
    };
    if name == "PostToolUse" {
        return post_tool_use(hook, &call, event.get("tool_response"));
    }
    match hook.decide(&call) {
        Err(malformed) => Reply::blocked(&malformed.to_string()),
        Ok(verdict) if verdict.answer == Answer::Allow => Reply::silent(),
        Ok(verdict) => Reply {
            stdout: pre_tool_use(&verdict),
            stderr: String::new(),
            exit: 0,
        },
    }
}

fn pre_tool_use(verdict: &Verdict) -> String {
    json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": verdict.answer.as_str(),
            "permissionDecisionReason": verdict.explained(),
        }
    })
    .to_string()
}

/// A `Bash` output holding secrets: tell Claude (kinds only) not to pass them on.
fn post_tool_use(hook: &Hook, call: &ToolCall<'_>, response: Option<&Value>) -> Reply {
    if call.tool != "Bash" {
        return Reply::silent();
    }
    let text = match response {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(fields)) => ["stdout", "stderr"]
            .iter()
            .filter_map(|k| fields.get(*k).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => return Reply::silent(),
    };
    let kinds = hook.output_secrets(call, &text);
    if kinds.is_empty() {
        return Reply::silent();
    }
    let message = format!(
        "warden: the output of this command contains secrets ({}). Do not repeat, store, commit or send them; refer to them by name.",
        kinds.join(", ")
    );
    Reply {
        stdout: json!({
            "decision": "block",
            "reason": message,
            "hookSpecificOutput": {
                "hookEventName": "PostToolUse",
                "additionalContext": message,
            }
        })
        .to_string(),
        stderr: String::new(),
        exit: 0,
    }
}
