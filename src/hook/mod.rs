//! `warden hook`: warden inside a coding agent. One tool call in (Claude Code's
//! hook event, or the generic `{"tool", "input", "cwd"}`), one answer out
//! (allow / deny / ask), decided by the same gate as `warden check`.
//!
//! Local mode builds the gate straight from the configuration: no async
//! runtime, no network, one process per call. Central mode asks the team's
//! warden (REST or NATS) and falls back to the local decision after the
//! timeout. Either way the decision is appended, redacted, to a local JSONL
//! audit file.
//!
//! # Layout
//!
//! - `tools`: tool name + input → gate action and context (or a verdict).
//! - `claude`: Claude Code's hook protocol (`PreToolUse`, `PostToolUse`).
//! - `generic`: the generic JSON protocol of `warden hook json`.
//! - `central`: the central warden over HTTP or NATS, with a deadline.
//! - `audit`: the local JSONL audit file, rotated by size.
//! - `settings`: `WARDEN_URL`, `WARDEN_HOOK_*` → [`settings::HookSettings`].
//! - `install`: merging the hook into `.claude/settings.json` and taking it out.

pub mod audit;
pub mod central;
pub mod claude;
pub mod generic;
pub mod install;
pub mod settings;
pub mod tools;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::config::Config;
use crate::policy::{ActionType, Decision, PolicyGate};
use crate::redact::{Redactor, RedactorConfig};
use audit::AuditFile;
use settings::HookSettings;
use tools::{MalformedInput, Mapped};

/// Exit code that makes Claude Code block the call (and what `hook json` uses
/// for input it cannot read).
pub const BLOCKING_EXIT: u8 = 2;

/// The three answers a hook gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Allow,
    Deny,
    Ask,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Allow => "allow",
            Answer::Deny => "deny",
            Answer::Ask => "ask",
        }
    }
}

/// Who decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Local,
    Central,
    /// The central warden did not answer in time; the local decision stands.
    Fallback,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Local => "local",
            Source::Central => "central",
            Source::Fallback => "local_fallback",
        }
    }
}

/// A decision on one tool call, already redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub answer: Answer,
    pub reason: String,
    pub rule: String,
    pub category: Option<String>,
    pub findings: Vec<String>,
    /// Set when the central warden recorded the decision (approvals use it).
    pub decision_id: Option<String>,
    pub action: Option<ActionType>,
    pub source: Source,
}

impl Verdict {
    fn from_decision(decision: Decision, action: Option<ActionType>, source: Source) -> Self {
        Verdict {
            answer: answer(decision.allowed, decision.requires_approval),
            reason: decision.reason,
            rule: decision.rule,
            category: decision.category.map(|c| c.as_str().to_string()),
            findings: decision.findings,
            decision_id: None,
            action,
            source,
        }
    }

    /// A denial for input that cannot be judged: the hook fails closed.
    pub fn malformed(message: &str) -> Self {
        Verdict {
            answer: Answer::Deny,
            reason: format!("warden could not read this tool call, so it is blocked: {message}"),
            rule: "hook.malformed_input".into(),
            category: None,
            findings: Vec::new(),
            decision_id: None,
            action: None,
            source: Source::Local,
        }
    }

    /// The reason as shown to the agent or its user, naming warden and the rule.
    pub fn explained(&self) -> String {
        let mut text = format!("warden: {}", self.reason);
        let mut tags = vec![format!("rule {}", self.rule)];
        if let Some(category) = &self.category {
            tags.push(format!("category {category}"));
        }
        if let Some(id) = &self.decision_id {
            tags.push(format!("decision {id}"));
        }
        text.push_str(&format!(" [{}]", tags.join(", ")));
        text
    }
}

fn answer(allowed: bool, requires_approval: bool) -> Answer {
    match (allowed, requires_approval) {
        (false, _) => Answer::Deny,
        (true, true) => Answer::Ask,
        (true, false) => Answer::Allow,
    }
}

/// One tool call as any protocol delivers it.
#[derive(Debug, Clone, Copy)]
pub struct ToolCall<'a> {
    pub tool: &'a str,
    pub input: &'a Value,
    pub cwd: Option<&'a str>,
    pub session_id: Option<&'a str>,
}

/// The hook: a gate built from the configuration, optional central warden, audit file.
pub struct Hook {
    config: Config,
    gate: PolicyGate,
    settings: HookSettings,
    redactor: OnceLock<Redactor>,
    audit: Option<AuditFile>,
    agent: &'static str,
}

impl Hook {
    /// Reads the configuration as `warden serve` does (environment, `.env`,
    /// `WARDEN_POLICY_FILE`) plus the hook's own settings.
    pub fn from_env(agent: &'static str) -> Result<Self, String> {
        let config = Config::from_env().map_err(|e| e.to_string())?;
        let settings = HookSettings::from_lookup(env_lookup()).map_err(|e| e.to_string())?;
        Self::new(config, settings, agent)
    }

    pub fn new(
        config: Config,
        settings: HookSettings,
        agent: &'static str,
    ) -> Result<Self, String> {
        let gate = crate::policy_source::load(&config)?;
        let audit = settings
            .audit_file
            .clone()
            .map(|path| AuditFile::new(path, settings.audit_max_bytes));
        Ok(Hook {
            config,
            gate,
            settings,
            redactor: OnceLock::new(),
            audit,
            agent,
        })
    }

    /// The same hook without its audit file (`warden hook test` records nothing).
    pub fn without_audit(mut self) -> Self {
        self.audit = None;
        self
    }

    /// Where decisions are recorded, if anywhere.
    pub fn audit_path(&self) -> Option<&std::path::Path> {
        self.audit.as_ref().map(AuditFile::path)
    }

    fn redactor(&self) -> &Redactor {
        self.redactor.get_or_init(|| {
            Redactor::one_shot(RedactorConfig {
                hmac_key: self
                    .config
                    .redact_hmac_key
                    .as_ref()
                    .map(|k| k.expose().clone()),
                env_values: self
                    .config
                    .redact_env_values
                    .iter()
                    .map(|(name, value)| (name.clone(), value.expose().clone()))
                    .collect(),
            })
        })
    }

    fn redact(&self, text: &str) -> (String, Vec<String>) {
        let redacted = self
            .redactor()
            .redact_env_vars(text, &self.config.redact_env_names);
        let mut kinds: Vec<String> = Vec::new();
        for finding in &redacted.findings {
            if !kinds.iter().any(|k| *k == finding.kind) {
                kinds.push(finding.kind.to_string());
            }
        }
        (redacted.text.into_owned(), kinds)
    }

    /// Decides one tool call; an unreadable tool input is an error (fail closed).
    pub fn decide(&self, call: &ToolCall<'_>) -> Result<Verdict, MalformedInput> {
        let mapped = tools::map(call.tool, call.input, call.cwd, self.gate.config())?;
        let mut verdict = match mapped {
            Mapped::Pass => Verdict {
                answer: Answer::Allow,
                reason: format!("no warden rule for tool '{}'", tools::shown(call.tool)),
                rule: "hook.no_rule".into(),
                category: None,
                findings: Vec::new(),
                decision_id: None,
                action: None,
                source: Source::Local,
            },
            Mapped::Decided(decision) => Verdict::from_decision(decision, None, Source::Local),
            Mapped::Check { action, context } => self.check(action, context, call),
        };
        if verdict.source != Source::Central {
            verdict.reason = self.redact(&verdict.reason).0;
            verdict.findings = verdict.findings.iter().map(|f| self.redact(f).0).collect();
        }
        self.record(call, &verdict, None);
        Ok(verdict)
    }

    fn check(&self, action: ActionType, context: Value, call: &ToolCall<'_>) -> Verdict {
        let local = match self.gate.check_action(action, &context) {
            Ok(decision) => Verdict::from_decision(decision, Some(action), Source::Local),
            Err(err) => Verdict {
                action: Some(action),
                rule: format!("hook.{}", crate::error::ErrorCode::from(&err).as_str()),
                ..Verdict::malformed(&err.to_string())
            },
        };
        let Some(central) = &self.settings.central else {
            return local;
        };
        let mut request =
            json!({ "action": action.as_str(), "context": context, "agent": self.agent });
        if let Some(session) = call.session_id {
            request["run_id"] = session.into();
        }
        match central::check(central, &self.config.nats, &request, self.settings.timeout) {
            Ok(remote) => Verdict {
                answer: answer(remote.allowed, remote.requires_approval),
                reason: remote.reason,
                rule: remote.rule,
                category: remote.category,
                findings: remote.findings,
                decision_id: remote.decision_id,
                action: Some(action),
                source: Source::Central,
            },
            Err(why) => Verdict {
                reason: format!(
                    "{} (central warden unavailable: {why}; local decision)",
                    local.reason
                ),
                source: Source::Fallback,
                ..local
            },
        }
    }

    /// Secret kinds in a tool's output (`PostToolUse`), recorded in the audit.
    pub fn output_secrets(&self, call: &ToolCall<'_>, output: &str) -> Vec<String> {
        let kinds = self.redact(output).1;
        if !kinds.is_empty() {
            let verdict = Verdict {
                answer: Answer::Allow,
                reason: format!("tool output held secrets: {}", kinds.join(", ")),
                rule: "hook.output_secrets".into(),
                category: Some("credential_access".into()),
                findings: kinds
                    .iter()
                    .map(|k| format!("secret in output: {k}"))
                    .collect(),
                decision_id: None,
                action: None,
                source: Source::Local,
            };
            self.record(call, &verdict, Some("PostToolUse"));
        }
        kinds
    }

    /// Appends the decision to the audit file; a failure is said on stderr.
    fn record(&self, call: &ToolCall<'_>, verdict: &Verdict, event: Option<&str>) {
        let Some(audit) = &self.audit else {
            return;
        };
        let mut input = call.input.clone();
        self.redactor()
            .redact_json_value(&mut input, &self.config.redact_env_names);
        truncate(&mut input, 1024);
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let line = json!({
            "time": now,
            "agent": self.agent,
            "event": event.unwrap_or("PreToolUse"),
            "session_id": call.session_id,
            "tool": tools::shown(call.tool),
            "action": verdict.action.map(ActionType::as_str),
            "decision": verdict.answer.as_str(),
            "rule": verdict.rule,
            "category": verdict.category,
            "reason": verdict.reason,
            "findings": verdict.findings,
            "decision_id": verdict.decision_id,
            "source": verdict.source.as_str(),
            "cwd": call.cwd,
            "input": input,
        });
        if let Err(e) = audit.append(line.to_string().as_bytes()) {
            eprintln!(
                "warden hook: cannot append to the audit file {}: {e}",
                audit.path().display()
            );
        }
    }
}

/// Cuts long strings (after redaction) so one call cannot bloat the audit.
fn truncate(value: &mut Value, limit: usize) {
    match value {
        Value::String(s) if s.len() > limit => {
            let mut cut = limit;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            let dropped = s.len() - cut;
            s.truncate(cut);
            s.push_str(&format!("…[{dropped} bytes truncated]"));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| truncate(v, limit)),
        Value::Object(map) => map.values_mut().for_each(|v| truncate(v, limit)),
        _ => {}
    }
}

/// The process environment with `.env` filling gaps, as [`Config::from_env`] reads it.
fn env_lookup() -> impl Fn(&str) -> Option<String> {
    let mut vars: HashMap<String, String> = HashMap::new();
    if let Ok(iter) = dotenvy::from_path_iter(".env") {
        vars.extend(iter.flatten());
    }
    vars.extend(std::env::vars());
    move |name: &str| vars.get(name).cloned()
}
