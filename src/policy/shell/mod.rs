//! Destructive-command detection for the policy gate: parses a shell
//! command (or SQL text) and reports every destructive or remote-execution
//! finding.

mod ast;
mod container;
mod dollar;
mod evasion_rules;
mod exfil;
mod expand;
mod feed;
mod fs_rules;
mod git_rules;
mod interp;
mod lexer;
mod net_rules;
mod parser;
mod paths;
pub(crate) mod protected;
mod remote;
mod sql;
mod sql_client;
mod state;
mod system_rules;
mod table;
mod table_destroyers;
mod table_system;
mod tool_rules;
mod walker;
mod wrappers;
mod write_rules;

#[cfg(test)]
mod tests_benign;
#[cfg(test)]
mod tests_destructive;
#[cfg(test)]
mod tests_interp;
#[cfg(test)]
mod tests_matrix;
#[cfg(test)]
mod tests_risk_classes;
#[cfg(test)]
mod tests_robustness;
#[cfg(test)]
mod tests_system;
#[cfg(test)]
mod tests_tools;

use std::sync::Arc;

use expand::Arg;

use crate::policy::config::ShellEgress;
use crate::policy::network::NetworkPolicy;
use crate::policy::paths::NormPath;

pub use crate::policy::decision::Category;

/// Combined nesting budget for parsing and analysis (subshells,
/// substitutions, `bash -c`, `eval`, …). Beyond it the command is reported
/// as `shell.too_complex`.
pub(crate) const MAX_DEPTH: usize = 32;
const MAX_FINDINGS: usize = 64;
const MAX_DESCRIPTION_CHARS: usize = 120;

/// Context for `analyze_command`.
#[derive(Debug, Clone)]
pub struct ShellOptions {
    /// Working directory; absolute paths outside it are "outside the working dir".
    pub cwd: Option<String>,
    /// Branches that must not be force-pushed or deleted.
    pub protected_branches: Vec<String>,
    /// Policy-file patterns, matched against each simple command's argv
    /// joined by ' ' after unwrapping.
    pub extra_patterns: Vec<regex::Regex>,
    /// Policy-file protected paths (absolute or `~/…`), beyond the built-in
    /// system and credential locations.
    pub protected_paths: Vec<NormPath>,
    /// The `network_access` allowlist that shell egress is held to.
    pub network: Arc<NetworkPolicy>,
    /// Whether any allowlist is configured (without one, public hosts pass).
    pub allowlist_configured: bool,
    /// Outcome for a public host outside the allowlist.
    pub shell_egress: ShellEgress,
}

impl Default for ShellOptions {
    fn default() -> Self {
        ShellOptions {
            cwd: None,
            protected_branches: ["main", "master", "production", "release"]
                .into_iter()
                .map(String::from)
                .collect(),
            extra_patterns: Vec::new(),
            protected_paths: Vec::new(),
            network: Arc::new(NetworkPolicy::default()),
            allowlist_configured: false,
            shell_egress: ShellEgress::default(),
        }
    }
}

/// What a finding asks the gate to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Needs a human's approval before it runs.
    Approval,
    /// Must not run.
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShellFinding {
    /// Stable rule id, e.g. `shell.rm_recursive_root` or `sql.drop`.
    pub rule: &'static str,
    /// Class of danger.
    pub category: Category,
    /// Deny, or send for approval.
    pub outcome: Outcome,
    /// Irreversible system-wide damage (`rm -rf /`, `mkfs`, disk writes, fork bombs).
    pub risk_critical: bool,
    /// What was seen, at most ~120 characters.
    pub description: String,
}

impl ShellFinding {
    /// A denial of `category`.
    pub(crate) fn new(
        rule: &'static str,
        category: Category,
        risk_critical: bool,
        description: impl AsRef<str>,
    ) -> Self {
        ShellFinding {
            rule,
            category,
            outcome: Outcome::Deny,
            risk_critical,
            description: shorten(description.as_ref()),
        }
    }

    pub(crate) fn destructive(
        rule: &'static str,
        risk_critical: bool,
        description: impl AsRef<str>,
    ) -> Self {
        Self::new(rule, Category::Destructive, risk_critical, description)
    }

    /// The same finding, sent for approval instead of denied.
    pub(crate) fn needs_approval(mut self) -> Self {
        self.outcome = Outcome::Approval;
        self
    }

    /// The same finding with another outcome.
    pub(crate) fn with_outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }
}

/// Single-line, whitespace-collapsed, truncated with an ellipsis.
fn shorten(text: &str) -> String {
    let mut out = String::new();
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > MAX_DESCRIPTION_CHARS {
        out = out.chars().take(MAX_DESCRIPTION_CHARS - 1).collect();
        out.push('…');
    }
    out
}

/// What a rule sees: one unwrapped simple command.
pub(crate) struct RuleCtx<'a> {
    /// Command name without its directory.
    pub name: &'a str,
    pub args: &'a [Arg<'a>],
    /// More arguments are appended at run time (`xargs`).
    pub appended: bool,
    pub opts: &'a ShellOptions,
    /// The working directory the command runs in.
    pub cwd: Option<&'a str>,
    /// A container or remote payload: paths are the other system's, so
    /// only the root, system directories and home count.
    pub foreign: bool,
    /// Directory the script `cd`-ed into, for relative paths (may itself be
    /// relative or `~`-based).
    pub base: Option<&'a str>,
    /// The whole unwrapped command, for descriptions.
    pub cmd: &'a [Arg<'a>],
}

impl RuleCtx<'_> {
    pub(crate) fn cwd(&self) -> Option<&str> {
        self.cwd
    }

    pub(crate) fn flag(&self, out: &mut Vec<ShellFinding>, rule: &'static str, critical: bool) {
        out.push(ShellFinding::destructive(
            rule,
            critical,
            wrappers::join(self.cmd),
        ));
    }

    /// Reports the whole command under `rule` with `category` and `outcome`.
    pub(crate) fn report(
        &self,
        out: &mut Vec<ShellFinding>,
        rule: &'static str,
        category: Category,
        outcome: Outcome,
    ) {
        out.push(
            ShellFinding::new(rule, category, false, wrappers::join(self.cmd))
                .with_outcome(outcome),
        );
    }
}

/// Parses `command` as a POSIX-ish shell and returns every destructive finding (empty = benign).
pub fn analyze_command(command: &str, opts: &ShellOptions) -> Vec<ShellFinding> {
    analyze_command_in(command, opts, opts.cwd.as_deref())
}

/// [`analyze_command`] run in working directory `cwd` (overrides `opts.cwd`).
pub fn analyze_command_in(
    command: &str,
    opts: &ShellOptions,
    cwd: Option<&str>,
) -> Vec<ShellFinding> {
    let mut walker = walker::Walker::new(opts, cwd);
    walker.run_text(command, 0);
    let mut findings = walker.finish();
    git_rules::combine(&mut findings);
    findings
}

/// [`analyze_command_in`] that also returns every simple command it saw,
/// unwrapped (`sudo env X=1 terraform apply` → `terraform`), nested ones
/// (`bash -c '…'`, `$(…)`) included, in the order the walker met them.
pub fn analyze_command_collect(
    command: &str,
    opts: &ShellOptions,
    cwd: Option<&str>,
) -> (Vec<ShellFinding>, Vec<SimpleCommand>) {
    let mut walker = walker::Walker::new(opts, cwd);
    walker.commands = Some(Vec::new());
    walker.run_text(command, 0);
    let commands = walker.commands.take().unwrap_or_default();
    let mut findings = walker.finish();
    git_rules::combine(&mut findings);
    (findings, commands)
}

/// Most simple commands reported by [`analyze_command_collect`].
pub const MAX_COMMANDS: usize = 1_000;

/// One simple command as the analyser saw it after unwrapping.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SimpleCommand {
    /// Basename of the program (`/usr/bin/terraform` → `terraform`).
    pub program: String,
    /// Its arguments, quotes removed.
    pub args: Vec<String>,
    /// Wrappers it was found behind (`sudo`, `env`, `timeout`, …), as written.
    pub wrappers: Vec<String>,
    /// Nesting depth: 0 at top level, +1 per `bash -c`, `$(…)`, `eval`, ….
    pub depth: usize,
}

impl SimpleCommand {
    fn new(program: &str, rest: &[Arg<'_>], wrappers: &[Arg<'_>], depth: usize) -> Self {
        Self {
            program: program.to_string(),
            args: rest.iter().map(|a| a.value.to_string()).collect(),
            wrappers: wrappers.iter().map(|a| a.value.to_string()).collect(),
            depth,
        }
    }
}

/// Analyses a SQL text (context.query, or the SQL inside psql -c / mysql -e / sqlite3 DB '…').
pub fn analyze_sql(sql: &str) -> Vec<ShellFinding> {
    let mut findings = sql::analyze(sql);
    dedup(&mut findings);
    findings
}

fn dedup(findings: &mut Vec<ShellFinding>) {
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert((f.rule, f.description.clone())));
    findings.truncate(MAX_FINDINGS);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_rm_rf_root() {
        let findings = analyze_command("rm -rf /", &Default::default());
        assert!(!findings.is_empty());
        assert_eq!(findings[0].category, Category::Destructive);
        assert_eq!(findings[0].outcome, Outcome::Deny);
        assert!(findings[0].risk_critical);
        assert!(findings[0].description.contains("rm"), "{findings:?}");
        assert_eq!(findings[0].rule, "shell.rm_recursive_root");
    }

    #[test]
    fn descriptions_are_short_single_lines() {
        let long = format!("rm -rf / {}", "x".repeat(500));
        let f = analyze_command(&long, &ShellOptions::default());
        assert!(f[0].description.chars().count() <= MAX_DESCRIPTION_CHARS);
        assert!(f[0].description.ends_with('…'));
        assert_eq!(shorten("a\n  b\tc"), "a b c");
    }

    #[test]
    fn extra_patterns_match_unwrapped_argv() {
        let opts = ShellOptions {
            extra_patterns: vec![regex::Regex::new(r"^systemctl restart ").unwrap()],
            ..ShellOptions::default()
        };
        for cmd in [
            "systemctl restart nginx",
            "sudo systemctl restart nginx",
            "bash -c 'systemctl \"restart\" db'",
        ] {
            let f = analyze_command(cmd, &opts);
            assert_eq!(f.len(), 1, "{cmd}");
            assert_eq!(f[0].rule, "policy.extra_pattern");
            assert_eq!(f[0].category, Category::Destructive);
        }
        assert!(analyze_command("systemctl status nginx", &opts).is_empty());
    }

    #[test]
    fn cwd_changes_outside_verdicts() {
        let opts = ShellOptions {
            cwd: Some("/home/u/proj".into()),
            ..ShellOptions::default()
        };
        assert!(analyze_command("rm -rf /home/u/proj/build", &opts).is_empty());
        assert!(analyze_command("rm -rf build ../proj/dist", &opts).is_empty());
        let f = analyze_command("rm -rf /home/u/other", &opts);
        assert_eq!(f[0].rule, "shell.rm_recursive_outside_cwd");
        let f = analyze_command("rm -rf ../..", &opts);
        assert_eq!(f[0].rule, "shell.rm_recursive_system");
    }

    #[test]
    fn approval_findings_keep_their_class() {
        let f = ShellFinding::new("x", Category::SystemChange, false, "y").needs_approval();
        assert_eq!(
            (f.category, f.outcome),
            (Category::SystemChange, Outcome::Approval)
        );
        assert!(Outcome::Deny > Outcome::Approval);
    }
}
