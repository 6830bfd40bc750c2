//! Policy configuration: environment-style defaults plus a TOML policy file merged over them.

use serde::Deserialize;

use super::action::ActionType;
use super::error::PolicyError;
use super::network::NetworkPolicy;
use super::paths::PathPolicy;
use super::plugins::{PluginFailure, PluginsConfig};

/// Longest compiled program accepted for one user pattern (bytes).
pub const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Everything the gate needs to decide. Defaults mirror the documented env defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyConfig {
    /// `ENABLE_CODE_EXECUTION` (default true).
    pub enable_code_execution: bool,
    /// `ENABLE_NETWORK_ACCESS` (default true).
    pub enable_network_access: bool,
    /// `ENABLE_DEPLOYMENTS` (default false).
    pub enable_deployments: bool,
    /// `ENABLE_BILLING` (default false).
    pub enable_billing: bool,
    /// `ENABLE_FILE_DELETION` (default true).
    pub enable_file_deletion: bool,
    /// `ENABLE_FILE_WRITES` (default true).
    pub enable_file_writes: bool,
    /// Hosts that may be reached: exact names/IPs or `*.domain`. Empty denies all.
    pub network_allowlist: Vec<String>,
    /// Extra regexes that mark a shell command destructive.
    pub extra_destructive_patterns: Vec<String>,
    /// Extra paths (absolute or `~/…`) that must never be deleted.
    pub protected_paths: Vec<String>,
    /// Git branches the shell analyser protects.
    pub protected_branches: Vec<String>,
    /// Actions that need human approval even when otherwise allowed.
    pub approval_required: Vec<ActionType>,
    /// Whether recursive deletions need human approval.
    pub approve_recursive_delete: bool,
    /// What a shell command reaching a public host outside the allowlist gets.
    pub shell_egress: ShellEgress,
    /// Agent tools (hook tool names, e.g. `mcp__github__delete_repo`) always denied.
    pub hook_deny_tools: Vec<String>,
    /// Agent tools that always need approval (the agent runtime asks its user).
    pub hook_ask_tools: Vec<String>,
    /// Rego policy plugins (`[plugins]`, `WARDEN_POLICY_PLUGINS`).
    pub plugins: PluginsConfig,
}

/// Outcome for shell commands that name a public host outside the allowlist
/// (metadata, loopback and private targets are always denied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShellEgress {
    /// Send for human approval (default).
    #[default]
    Approval,
    /// Deny.
    Deny,
    /// Allow.
    Allow,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            enable_code_execution: true,
            enable_network_access: true,
            enable_deployments: false,
            enable_billing: false,
            enable_file_deletion: true,
            enable_file_writes: true,
            network_allowlist: Vec::new(),
            extra_destructive_patterns: Vec::new(),
            protected_paths: Vec::new(),
            protected_branches: ["main", "master", "production", "release"]
                .iter()
                .map(|b| (*b).to_string())
                .collect(),
            approval_required: vec![ActionType::Deploy, ActionType::CreateBilling],
            approve_recursive_delete: true,
            shell_egress: ShellEgress::default(),
            hook_deny_tools: Vec::new(),
            hook_ask_tools: Vec::new(),
            plugins: PluginsConfig::default(),
        }
    }
}

/// Whether an action type is enabled, and the env variable that controls it.
impl PolicyConfig {
    /// `(enabled, env variable name)` for `action`.
    pub fn toggle(&self, action: ActionType) -> (bool, &'static str) {
        match action {
            ActionType::ExecuteCode => (self.enable_code_execution, "ENABLE_CODE_EXECUTION"),
            ActionType::NetworkAccess => (self.enable_network_access, "ENABLE_NETWORK_ACCESS"),
            ActionType::Deploy => (self.enable_deployments, "ENABLE_DEPLOYMENTS"),
            ActionType::CreateBilling => (self.enable_billing, "ENABLE_BILLING"),
            ActionType::DeleteFiles => (self.enable_file_deletion, "ENABLE_FILE_DELETION"),
            ActionType::WriteFile => (self.enable_file_writes, "ENABLE_FILE_WRITES"),
        }
    }

    /// Merges a TOML policy file over the current settings.
    ///
    /// Every key present in the file replaces the current value (lists are
    /// replaced, not appended). On any error `self` is left unchanged and the
    /// error names the offending key.
    pub fn apply_file(&mut self, toml_text: &str) -> Result<(), PolicyError> {
        let file: PolicyFile = toml::from_str(toml_text).map_err(|e| {
            // The error's Display quotes the offending line, which may hold a
            // secret (a webhook secret, a token in a comment): keep only where
            // it is and what is wrong.
            let at = e
                .span()
                .and_then(|span| toml_text.get(..span.start))
                .map(|before| {
                    let line = before.matches('\n').count() + 1;
                    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!(
                        " at line {line}, column {column}{}",
                        toml_key_at(toml_text, line)
                    )
                })
                .unwrap_or_default();
            PolicyError::InvalidPolicy(format!(
                "policy file: TOML parse error{at}: {}",
                e.message().trim_end()
            ))
        })?;
        let mut next = self.clone();
        let a = file.actions;
        merge(&mut next.enable_code_execution, a.code_execution);
        merge(&mut next.enable_network_access, a.network_access);
        merge(&mut next.enable_deployments, a.deployments);
        merge(&mut next.enable_billing, a.billing);
        merge(&mut next.enable_file_deletion, a.file_deletion);
        merge(&mut next.enable_file_writes, a.file_writes);
        merge(&mut next.hook_deny_tools, file.hooks.deny_tools);
        merge(&mut next.hook_ask_tools, file.hooks.ask_tools);
        merge(&mut next.network_allowlist, file.network.allowlist);
        merge(&mut next.shell_egress, file.network.shell_egress);
        merge(
            &mut next.extra_destructive_patterns,
            file.shell.extra_destructive_patterns,
        );
        merge(&mut next.protected_branches, file.shell.protected_branches);
        merge(&mut next.protected_paths, file.paths.protected);
        merge(
            &mut next.approve_recursive_delete,
            file.approval.recursive_delete,
        );
        let p = file.plugins;
        if let Some(paths) = p.paths {
            next.plugins.paths = paths.into_iter().map(std::path::PathBuf::from).collect();
        }
        merge(&mut next.plugins.failure, p.plugin_failure);
        merge(&mut next.plugins.allow_overrides, p.allow_overrides);
        merge(&mut next.plugins.override_rules, p.override_rules);
        if let Some(names) = file.approval.required {
            next.approval_required = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    name.parse::<ActionType>().map_err(|_| {
                        PolicyError::InvalidPolicy(format!(
                            "policy file: approval.required[{i}]: unknown action '{name}' (valid actions: {})",
                            ActionType::valid_names()
                        ))
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Checks every list entry; errors name the key and index.
    pub fn validate(&self) -> Result<(), PolicyError> {
        self.compile_patterns()?;
        NetworkPolicy::new(&self.network_allowlist)
            .map_err(|e| PolicyError::InvalidPolicy(format!("network.allowlist: {e}")))?;
        PathPolicy::new(&self.protected_paths)
            .map_err(|e| PolicyError::InvalidPolicy(format!("paths.protected: {e}")))?;
        for (i, branch) in self.protected_branches.iter().enumerate() {
            if branch.trim().is_empty() {
                return Err(PolicyError::InvalidPolicy(format!(
                    "shell.protected_branches[{i}]: branch name must not be empty"
                )));
            }
        }
        for (key, tools) in [
            ("hooks.deny_tools", &self.hook_deny_tools),
            ("hooks.ask_tools", &self.hook_ask_tools),
        ] {
            for (i, tool) in tools.iter().enumerate() {
                if tool.trim().is_empty() {
                    return Err(PolicyError::InvalidPolicy(format!(
                        "{key}[{i}]: tool name must not be empty"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Compiles `extra_destructive_patterns` (size-limited; the regex engine is linear-time).
    pub fn compile_patterns(&self) -> Result<Vec<regex::Regex>, PolicyError> {
        self.extra_destructive_patterns
            .iter()
            .enumerate()
            .map(|(i, pattern)| {
                regex::RegexBuilder::new(pattern)
                    .size_limit(PATTERN_SIZE_LIMIT)
                    .build()
                    .map_err(|e| {
                        PolicyError::InvalidPolicy(format!(
                            "shell.extra_destructive_patterns[{i}]: invalid regex '{pattern}': {e}"
                        ))
                    })
            })
            .collect()
    }
}

fn merge<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

/// On-disk shape of the policy file; unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct PolicyFile {
    actions: ActionsSection,
    network: NetworkSection,
    shell: ShellSection,
    paths: PathsSection,
    approval: ApprovalSection,
    hooks: HooksSection,
    plugins: PluginsSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct PluginsSection {
    paths: Option<Vec<String>>,
    plugin_failure: Option<PluginFailure>,
    allow_overrides: Option<bool>,
    override_rules: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ActionsSection {
    code_execution: Option<bool>,
    network_access: Option<bool>,
    deployments: Option<bool>,
    billing: Option<bool>,
    file_deletion: Option<bool>,
    file_writes: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct NetworkSection {
    allowlist: Option<Vec<String>>,
    shell_egress: Option<ShellEgress>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ShellSection {
    extra_destructive_patterns: Option<Vec<String>>,
    protected_branches: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct PathsSection {
    protected: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ApprovalSection {
    required: Option<Vec<String>>,
    recursive_delete: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct HooksSection {
    deny_tools: Option<Vec<String>>,
    ask_tools: Option<Vec<String>>,
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;

/// ` (key table.name)` for a `name = …` on `line` (1-based) of a TOML text:
/// the key is named, its value never quoted.
fn toml_key_at(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let Some(current) = lines.get(line.saturating_sub(1)) else {
        return String::new();
    };
    let Some((key, _)) = current.split_once('=') else {
        return String::new();
    };
    let key = key.trim();
    if key.is_empty() || key.starts_with('#') {
        return String::new();
    }
    let table = lines[..line.saturating_sub(1)]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim());
    match table {
        Some(table) => format!(" (key {table}.{key})"),
        None => format!(" (key {key})"),
    }
}
