//! Agent tool calls → warden actions: which gate action a tool is, with which
//! context, or a verdict reached without the gate (tool lists, credential reads).
//!
//! The names are Claude Code's built-in tools; `warden hook json` uses the same
//! table, so any runtime that names its tools alike gets the same answers.

use serde_json::{json, Map, Value};

use crate::policy::paths::{Anchor, NormPath};
use crate::policy::shell::protected;
use crate::policy::{ActionType, Category, Decision, PolicyConfig, Risk};

/// Where Claude Code's `WebSearch` goes: the search runs as a server tool on
/// Anthropic's API, so that is the destination the allowlist must admit.
pub const WEB_SEARCH_HOST: &str = "api.anthropic.com";

/// What a tool call means to warden.
#[derive(Debug, Clone, PartialEq)]
pub enum Mapped {
    /// Ask the gate about `action` with `context` (the same request as `warden check`).
    Check { action: ActionType, context: Value },
    /// Decided here: a listed tool, or a read of a credential file.
    Decided(Decision),
    /// A tool warden has no rule for: no opinion, the runtime's own permissions apply.
    Pass,
}

/// The tool input is not what the tool takes: the caller fails closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tool '{tool}': {message}")]
pub struct MalformedInput {
    pub tool: String,
    pub message: String,
}

/// Maps one call of `tool` with `input`, run in `cwd`.
pub fn map(
    tool: &str,
    input: &Value,
    cwd: Option<&str>,
    policy: &PolicyConfig,
) -> Result<Mapped, MalformedInput> {
    if let Some(decision) = listed(tool, policy) {
        return Ok(Mapped::Decided(decision));
    }
    let fields = input.as_object().ok_or_else(|| MalformedInput {
        tool: shown(tool),
        message: "tool_input must be a JSON object".into(),
    })?;
    let field = Fields { tool, fields };
    let with_cwd = |mut context: Map<String, Value>| {
        if let Some(dir) = cwd {
            context.insert("cwd".into(), dir.into());
        }
        Value::Object(context)
    };
    let check = |action, context| Ok(Mapped::Check { action, context });
    match tool {
        "Bash" => {
            let command = field.required("command")?;
            let mut context = Map::new();
            context.insert("command".into(), command.into());
            check(ActionType::ExecuteCode, with_cwd(context))
        }
        "WebFetch" => check(
            ActionType::NetworkAccess,
            json!({ "url": field.required("url")? }),
        ),
        "WebSearch" => {
            field.required("query")?;
            check(
                ActionType::NetworkAccess,
                json!({ "host": WEB_SEARCH_HOST }),
            )
        }
        "Write" => write(&field, "file_path", field.optional("content")?, with_cwd),
        "Edit" => write(&field, "file_path", field.optional("new_string")?, with_cwd),
        "MultiEdit" => {
            let edits = fields
                .get("edits")
                .and_then(Value::as_array)
                .ok_or_else(|| field.bad("edits must be an array"))?;
            let mut content = String::new();
            for edit in edits {
                let text = edit
                    .get("new_string")
                    .and_then(Value::as_str)
                    .ok_or_else(|| field.bad("every edit needs a string new_string"))?;
                content.push_str(text);
                content.push('\n');
            }
            write(&field, "file_path", Some(&content), with_cwd)
        }
        "NotebookEdit" => write(
            &field,
            "notebook_path",
            field.optional("new_source")?,
            with_cwd,
        ),
        "Read" => Ok(read(&[field.required("file_path")?], cwd)),
        "Grep" => {
            let targets = [field.optional("path")?, field.optional("glob")?];
            Ok(read(
                &targets.into_iter().flatten().collect::<Vec<_>>(),
                cwd,
            ))
        }
        "Glob" => {
            let targets = [field.optional("path")?, Some(field.required("pattern")?)];
            Ok(read(
                &targets.into_iter().flatten().collect::<Vec<_>>(),
                cwd,
            ))
        }
        _ => Ok(Mapped::Pass),
    }
}

/// The policy file's `[hooks]` lists: exact names, or a prefix ending in `*`.
fn listed(tool: &str, policy: &PolicyConfig) -> Option<Decision> {
    let matches = |entry: &String| match entry.strip_suffix('*') {
        Some(prefix) => tool.starts_with(prefix),
        None => entry == tool,
    };
    if policy.hook_deny_tools.iter().any(matches) {
        return Some(Decision::deny(
            "hooks.deny_tools",
            Risk::High,
            format!(
                "Tool '{}' is denied by policy (hooks.deny_tools)",
                shown(tool)
            ),
        ));
    }
    if policy.hook_ask_tools.iter().any(matches) {
        return Some(Decision::approval(
            "hooks.ask_tools",
            Risk::Medium,
            format!(
                "Tool '{}' needs approval by policy (hooks.ask_tools)",
                shown(tool)
            ),
        ));
    }
    None
}

fn write(
    field: &Fields<'_>,
    path_key: &'static str,
    content: Option<&str>,
    with_cwd: impl Fn(Map<String, Value>) -> Value,
) -> Result<Mapped, MalformedInput> {
    let mut context = Map::new();
    context.insert("path".into(), field.required(path_key)?.into());
    if let Some(text) = content {
        context.insert("content".into(), text.into());
    }
    Ok(Mapped::Check {
        action: ActionType::WriteFile,
        context: with_cwd(context),
    })
}

/// Reading (or searching) a credential file needs approval; anything else passes.
fn read(targets: &[&str], cwd: Option<&str>) -> Mapped {
    for target in targets {
        let Some(path) = protected::locate_literal(target, cwd) else {
            continue;
        };
        if protected::holds_credentials(&path) || names_credentials(&path) {
            return Mapped::Decided(
                Decision::approval(
                    "read.credential_file",
                    Risk::Medium,
                    format!("Reading {path} needs approval: it holds credentials"),
                )
                .with_category(Category::CredentialAccess)
                .with_findings(vec![format!("read target: {path}")]),
            );
        }
    }
    Mapped::Pass
}

/// A glob's last component naming credential files (`**/.env`, `id_rsa*`).
fn names_credentials(path: &NormPath) -> bool {
    let Some(last) = path.parts.last() else {
        return false;
    };
    let literal = last.trim_end_matches('*');
    if literal.is_empty() || literal == last.as_str() {
        return false;
    }
    let probe = NormPath {
        anchor: Anchor::Relative,
        parts: vec![literal.to_string()],
        escaped: false,
    };
    protected::holds_credentials(&probe)
}

struct Fields<'a> {
    tool: &'a str,
    fields: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    fn required(&self, key: &str) -> Result<&'a str, MalformedInput> {
        self.optional(key)?
            .ok_or_else(|| self.bad(&format!("tool_input.{key} is required")))
    }

    fn optional(&self, key: &str) -> Result<Option<&'a str>, MalformedInput> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(self.bad(&format!("tool_input.{key} must be a string"))),
        }
    }

    fn bad(&self, message: &str) -> MalformedInput {
        MalformedInput {
            tool: shown(self.tool),
            message: message.to_string(),
        }
    }
}

/// A tool name as shown in a reason: names are short identifiers; anything
/// else is not echoed.
pub fn shown(tool: &str) -> String {
    let name_like = tool.len() <= 128
        && tool
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
    if name_like {
        tool.to_string()
    } else {
        format!("<{} bytes not shown>", tool.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CWD: &str = "/home/dev/project";

    fn m(tool: &str, input: Value) -> Mapped {
        map(tool, &input, Some(CWD), &PolicyConfig::default()).expect("maps")
    }

    fn action(mapped: &Mapped) -> Option<ActionType> {
        match mapped {
            Mapped::Check { action, .. } => Some(*action),
            _ => None,
        }
    }

    #[test]
    fn tool_table() {
        let cases = [
            (
                "Bash",
                json!({"command": "ls"}),
                Some(ActionType::ExecuteCode),
            ),
            (
                "WebFetch",
                json!({"url": "https://x.io", "prompt": "p"}),
                Some(ActionType::NetworkAccess),
            ),
            (
                "WebSearch",
                json!({"query": "rust"}),
                Some(ActionType::NetworkAccess),
            ),
            (
                "Write",
                json!({"file_path": "/a", "content": "x"}),
                Some(ActionType::WriteFile),
            ),
            (
                "Edit",
                json!({"file_path": "/a", "old_string": "a", "new_string": "b"}),
                Some(ActionType::WriteFile),
            ),
            (
                "MultiEdit",
                json!({"file_path": "/a", "edits": [{"old_string": "a", "new_string": "b"}]}),
                Some(ActionType::WriteFile),
            ),
            (
                "NotebookEdit",
                json!({"notebook_path": "/a.ipynb", "new_source": "x"}),
                Some(ActionType::WriteFile),
            ),
        ];
        for (tool, input, want) in cases {
            assert_eq!(action(&m(tool, input)), want, "{tool}");
        }
        let bash = m("Bash", json!({"command": "ls", "description": "list"}));
        assert_eq!(
            bash,
            Mapped::Check {
                action: ActionType::ExecuteCode,
                context: json!({"command": "ls", "cwd": CWD})
            }
        );
    }

    #[test]
    fn unknown_and_mcp_tools_pass_unless_listed() {
        assert_eq!(m("mcp__github__create_issue", json!({})), Mapped::Pass);
        assert_eq!(m("TodoWrite", json!({"todos": []})), Mapped::Pass);
        assert_eq!(
            m(
                "Read",
                json!({"file_path": "/home/dev/project/src/main.rs"})
            ),
            Mapped::Pass
        );
        let policy = PolicyConfig {
            hook_deny_tools: vec!["mcp__github__delete_*".into(), "Bash".into()],
            hook_ask_tools: vec!["mcp__slack__post_message".into()],
            ..PolicyConfig::default()
        };
        let decide = |tool: &str| match map(tool, &json!({"command": "ls"}), None, &policy) {
            Ok(Mapped::Decided(d)) => (d.allowed, d.requires_approval, d.rule),
            other => panic!("{tool}: {other:?}"),
        };
        assert_eq!(
            decide("mcp__github__delete_repository"),
            (false, false, "hooks.deny_tools".into())
        );
        assert_eq!(decide("Bash"), (false, false, "hooks.deny_tools".into()));
        assert_eq!(
            decide("mcp__slack__post_message"),
            (true, true, "hooks.ask_tools".into())
        );
        assert_eq!(
            map("mcp__github__get_issue", &json!({}), None, &policy),
            Ok(Mapped::Pass)
        );
    }

    #[test]
    fn credential_reads_ask() {
        for (tool, input) in [
            ("Read", json!({"file_path": "/home/dev/.ssh/id_ed25519"})),
            ("Read", json!({"file_path": "~/.aws/credentials"})),
            ("Read", json!({"file_path": ".env"})),
            ("Grep", json!({"pattern": "KEY", "path": "/home/dev/.aws"})),
            ("Grep", json!({"pattern": "KEY", "glob": ".env*"})),
            ("Glob", json!({"pattern": "**/.env"})),
            (
                "Glob",
                json!({"pattern": "id_rsa*", "path": "/home/dev/.ssh"}),
            ),
        ] {
            match m(tool, input.clone()) {
                Mapped::Decided(d) => {
                    assert!(d.requires_approval, "{tool} {input}");
                    assert_eq!(d.rule, "read.credential_file");
                }
                other => panic!("{tool} {input}: {other:?}"),
            }
        }
        for (tool, input) in [
            (
                "Read",
                json!({"file_path": "/home/dev/.ssh/id_ed25519.pub"}),
            ),
            ("Read", json!({"file_path": ".env.example"})),
            ("Grep", json!({"pattern": "password", "path": "src"})),
            ("Glob", json!({"pattern": "**/*.rs"})),
        ] {
            assert_eq!(m(tool, input.clone()), Mapped::Pass, "{tool} {input}");
        }
    }

    #[test]
    fn malformed_inputs_are_errors() {
        let policy = PolicyConfig::default();
        for (tool, input) in [
            ("Bash", json!({})),
            ("Bash", json!({"command": 3})),
            ("Bash", json!("ls")),
            ("Write", json!({"content": "x"})),
            ("MultiEdit", json!({"file_path": "/a", "edits": "x"})),
            ("MultiEdit", json!({"file_path": "/a", "edits": [{}]})),
            ("WebFetch", json!({"url": null})),
        ] {
            assert!(map(tool, &input, None, &policy).is_err(), "{tool} {input}");
        }
    }
}
