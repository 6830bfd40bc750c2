//! The policy gate: validates an action's context and dispatches to the per-action policies.

use serde_json::Value;

use super::action::ActionType;
use super::config::PolicyConfig;
use super::context::Context;
use super::decision::{Decision, Risk};
use super::error::PolicyError;
use super::network::NetworkPolicy;
use super::paths::PathPolicy;
use super::write::WritePolicy;
use std::sync::Arc;

use super::decision::Category;
use super::plugins::PluginSet;
use super::shell::{self, Outcome, ShellFinding, ShellOptions, SimpleCommand};

/// Most paths accepted in one delete request.
pub const MAX_DELETE_PATHS: usize = 10_000;

/// Immutable, thread-safe policy gate built from a validated [`PolicyConfig`].
#[derive(Debug, Clone)]
pub struct PolicyGate {
    config: PolicyConfig,
    network: Arc<NetworkPolicy>,
    paths: PathPolicy,
    shell: ShellOptions,
    write: WritePolicy,
    /// Loaded Rego plugins, evaluated by [`PolicyGate::check_on`].
    plugins: Option<Arc<PluginSet>>,
}

impl PolicyGate {
    /// Compiles the allowlist, regexes and protected paths.
    pub fn new(cfg: PolicyConfig) -> Result<Self, PolicyError> {
        cfg.validate()?;
        let extra_patterns = cfg.compile_patterns()?;
        let network = Arc::new(
            NetworkPolicy::new(&cfg.network_allowlist)
                .map_err(|e| PolicyError::InvalidPolicy(format!("network.allowlist: {e}")))?,
        );
        let paths = PathPolicy::new(&cfg.protected_paths)
            .map_err(|e| PolicyError::InvalidPolicy(format!("paths.protected: {e}")))?;
        let shell = ShellOptions {
            cwd: None,
            protected_branches: cfg.protected_branches.clone(),
            extra_patterns,
            protected_paths: cfg
                .protected_paths
                .iter()
                .filter_map(|p| super::paths::normalize(p.trim(), None).ok())
                .collect(),
            network: Arc::clone(&network),
            allowlist_configured: !cfg.network_allowlist.is_empty(),
            shell_egress: cfg.shell_egress,
        };
        let write = WritePolicy::new(shell.protected_paths.clone());
        Ok(Self {
            config: cfg,
            network,
            paths,
            shell,
            write,
            plugins: None,
        })
    }

    /// Denies `write_file` to these absolute paths (the policy file, the tokens file).
    pub fn protect_own_files(mut self, files: &[String]) -> Self {
        self.write.protect_own_files(files);
        self
    }

    /// Lets `write_file` recognise the values and assignments of these env
    /// vars in new content, as the redactor does.
    pub fn recognise_env_secrets(
        mut self,
        values: Vec<(String, String)>,
        names: Vec<String>,
    ) -> Self {
        self.write.recognise_env(values, names);
        self
    }

    /// This gate with `plugins` evaluated on every [`PolicyGate::check_on`].
    pub fn with_plugins(mut self, plugins: Arc<PluginSet>) -> Self {
        self.plugins = Some(plugins);
        self
    }

    /// The loaded plugin set, if any.
    pub fn plugins(&self) -> Option<&Arc<PluginSet>> {
        self.plugins.as_ref()
    }

    /// Decides like [`PolicyGate::check`], then lets the loaded plugins
    /// tighten (or, where allowed, lift) the decision; `surface` is the
    /// caller's surface (`rest`, `nats`, `cli`) as plugins see it.
    pub fn check_on(
        &self,
        action: &str,
        context: &Value,
        surface: &str,
    ) -> Result<Decision, PolicyError> {
        let action: ActionType = action.parse()?;
        let Some(plugins) = &self.plugins else {
            return self.check_action(action, context);
        };
        let mut commands = Vec::new();
        let builtin = self.decide(action, context, Some(&mut commands))?;
        let input = super::plugins::input::build(
            action.as_str(),
            context,
            surface,
            &builtin,
            &commands,
            time::OffsetDateTime::now_utc(),
        );
        let verdict = plugins.evaluate(&input);
        Ok(super::plugins::combine::combine(
            builtin,
            verdict,
            &self.config.plugins,
        ))
    }

    /// The configuration this gate was built from.
    pub fn config(&self) -> &PolicyConfig {
        &self.config
    }

    /// Re-checks the address an allowed `host` resolved to, right before
    /// connecting (see [`NetworkPolicy::check_resolved`]).
    pub fn check_resolved_ip(&self, host: &str, ip: std::net::IpAddr) -> Decision {
        self.network.check_resolved(host, ip)
    }

    /// Parses `action` by name, then behaves like [`PolicyGate::check_action`].
    pub fn check(&self, action: &str, context: &Value) -> Result<Decision, PolicyError> {
        self.check_action(action.parse()?, context)
    }

    /// Decides whether `action` with `context` may run.
    ///
    /// Errors (never "allowed") when the context is not an object or a
    /// required field is missing or mistyped.
    pub fn check_action(
        &self,
        action: ActionType,
        context: &Value,
    ) -> Result<Decision, PolicyError> {
        self.decide(action, context, None)
    }

    /// [`PolicyGate::check_action`], collecting the shell's simple commands into `commands`.
    fn decide(
        &self,
        action: ActionType,
        context: &Value,
        commands: Option<&mut Vec<SimpleCommand>>,
    ) -> Result<Decision, PolicyError> {
        let ctx = Context::new(action, context)?;
        let (enabled, env) = self.config.toggle(action);
        if !enabled {
            return Ok(Decision::deny(
                "action.disabled",
                Risk::Medium,
                format!(
                    "{} disabled by policy ({env}=false)",
                    disabled_subject(action)
                ),
            ));
        }
        let decision = match action {
            ActionType::ExecuteCode => self.execute_code(&ctx, commands)?,
            ActionType::NetworkAccess => self.network_access(&ctx)?,
            ActionType::DeleteFiles => self.delete_files(&ctx)?,
            ActionType::WriteFile => self.write_file(&ctx)?,
            ActionType::Deploy => Decision::approval(
                "approval.required",
                Risk::High,
                "Deployments require human approval",
            ),
            ActionType::CreateBilling => Decision::approval(
                "approval.required",
                Risk::High,
                "Billing operations require human approval",
            ),
        };
        if decision.is_unconditional_allow() && self.config.approval_required.contains(&action) {
            return Ok(Decision::approval(
                "approval.required",
                decision.risk.max(Risk::Low),
                format!("Action '{action}' requires human approval (policy approval.required)"),
            )
            .with_findings(decision.findings));
        }
        Ok(decision)
    }

    fn execute_code(
        &self,
        ctx: &Context<'_>,
        commands: Option<&mut Vec<SimpleCommand>>,
    ) -> Result<Decision, PolicyError> {
        let command = ctx.required_str("command")?;
        if command.trim().is_empty() {
            return Err(ctx.invalid("command", "must not be empty".to_string()));
        }
        let cwd = ctx.optional_str("cwd")?;
        let query = ctx.optional_str("query")?;
        let mut findings = match commands {
            Some(seen) => {
                let (findings, simple) = shell::analyze_command_collect(command, &self.shell, cwd);
                *seen = simple;
                findings
            }
            None => shell::analyze_command_in(command, &self.shell, cwd),
        };
        if let Some(sql) = query {
            findings.extend(shell::analyze_sql(sql));
        }
        Ok(shell_decision(&findings))
    }

    fn network_access(&self, ctx: &Context<'_>) -> Result<Decision, PolicyError> {
        let url = ctx.optional_str("url")?;
        let host = ctx.optional_str("host")?;
        ctx.optional_port("port")?;
        if url.is_none() && host.is_none() {
            return Err(PolicyError::MissingField {
                action: ctx.action(),
                field: "url",
            });
        }
        let decisions = url
            .map(|u| self.network.check_url(u))
            .into_iter()
            .chain(host.map(|h| self.network.check_host(h)));
        let mut last = Decision::allow(Risk::Low);
        for decision in decisions {
            if !decision.allowed {
                return Ok(decision.with_category(Category::Egress));
            }
            last = decision;
        }
        Ok(last)
    }

    fn delete_files(&self, ctx: &Context<'_>) -> Result<Decision, PolicyError> {
        let mut targets = ctx.optional_str_array("paths")?.unwrap_or_default();
        if let Some(path) = ctx.optional_str("path")? {
            targets.push(path);
        }
        if targets.is_empty() {
            return Err(if ctx.has("paths") {
                ctx.invalid("paths", "must contain at least one path".to_string())
            } else {
                PolicyError::MissingField {
                    action: ctx.action(),
                    field: "paths",
                }
            });
        }
        if targets.len() > MAX_DELETE_PATHS {
            return Err(ctx.invalid(
                "paths",
                format!("at most {MAX_DELETE_PATHS} paths per request"),
            ));
        }
        let recursive = ctx.optional_bool("recursive")?.unwrap_or(false);
        let cwd = ctx
            .optional_str("cwd")?
            .map(PathPolicy::parse_cwd)
            .transpose()
            .map_err(|e| ctx.invalid("cwd", e))?;
        if let Some(denial) = self
            .paths
            .check(&targets, cwd.as_ref())
            .map_err(|e| ctx.invalid("paths", e))?
        {
            return Ok(denial.with_category(Category::Destructive));
        }
        if recursive && self.config.approve_recursive_delete {
            return Ok(Decision::approval(
                "approval.recursive_delete",
                Risk::Medium,
                "Recursive deletion requires human approval",
            )
            .with_category(Category::Destructive));
        }
        Ok(Decision::allow(Risk::Low))
    }
}

impl PolicyGate {
    fn write_file(&self, ctx: &Context<'_>) -> Result<Decision, PolicyError> {
        let path = ctx.required_str("path")?;
        super::paths::normalize(path, None).map_err(|e| ctx.invalid("path", e))?;
        let content = ctx.optional_str("content")?;
        let cwd = ctx.optional_str("cwd")?;
        if let Some(dir) = cwd {
            PathPolicy::parse_cwd(dir).map_err(|e| ctx.invalid("cwd", e))?;
        }
        Ok(self.write.check(path, content, cwd))
    }
}

fn disabled_subject(action: ActionType) -> &'static str {
    match action {
        ActionType::ExecuteCode => "Code execution is",
        ActionType::Deploy => "Deployments are",
        ActionType::CreateBilling => "Billing operations are",
        ActionType::DeleteFiles => "File deletion is",
        ActionType::NetworkAccess => "Network access is",
        ActionType::WriteFile => "File writing is",
    }
}

/// Decides on the most severe finding: any denial outweighs every approval;
/// among denials critical first, then destructive, then first seen.
fn shell_decision(findings: &[ShellFinding]) -> Decision {
    let worst = findings
        .iter()
        .enumerate()
        .max_by_key(|(i, f)| {
            (
                f.outcome,
                f.risk_critical,
                f.category == Category::Destructive,
                std::cmp::Reverse(*i),
            )
        })
        .map(|(_, f)| f);
    let Some(worst) = worst else {
        return Decision::allow(Risk::Low);
    };
    let reason = format!("{}: {}", worst.category.headline(), worst.description);
    let decision = match (worst.outcome, worst.risk_critical) {
        (Outcome::Deny, true) => Decision::deny(worst.rule, Risk::Critical, reason),
        (Outcome::Deny, false) => Decision::deny(worst.rule, Risk::High, reason),
        (Outcome::Approval, _) => Decision::approval(worst.rule, Risk::Medium, reason),
    };
    decision
        .with_category(worst.category)
        .with_findings(findings.iter().map(|f| f.description.clone()).collect())
}

#[cfg(test)]
#[path = "gate_tests.rs"]
mod tests;
