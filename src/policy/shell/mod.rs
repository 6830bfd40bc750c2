//! STUB shell analyser: a placeholder with the agreed API, to be replaced by the real one.
//!
//! `analyze_command` flags only the literal `rm -rf /`; `analyze_sql` flags text starting with `DROP`.

/// Options that tune the shell analyser.
pub struct ShellOptions {
    /// Working directory the command runs in, when known.
    pub cwd: Option<String>,
    /// Branches that must not be force-pushed or deleted.
    pub protected_branches: Vec<String>,
    /// Extra patterns that mark a command as destructive.
    pub extra_patterns: Vec<regex::Regex>,
}

impl Default for ShellOptions {
    fn default() -> Self {
        Self {
            cwd: None,
            protected_branches: ["main", "master", "production", "release"]
                .iter()
                .map(|b| (*b).to_string())
                .collect(),
            extra_patterns: Vec::new(),
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Severity {
    /// Destroys data or system state.
    Destructive,
    /// Downloads and runs remote code.
    RemoteExec,
}

/// One problem found in a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellFinding {
    /// Stable rule identifier, e.g. `shell.rm_root`.
    pub rule: &'static str,
    /// Finding category.
    pub severity: Severity,
    /// Whether the finding is critical (irreversible, system-wide).
    pub risk_critical: bool,
    /// Human-readable description.
    pub description: String,
}

/// Analyses a shell command (stub: flags only the literal `rm -rf /`).
pub fn analyze_command(command: &str, opts: &ShellOptions) -> Vec<ShellFinding> {
    let mut findings = Vec::new();
    if command.trim() == "rm -rf /" {
        findings.push(ShellFinding {
            rule: "shell.rm_root",
            severity: Severity::Destructive,
            risk_critical: true,
            description: "recursive deletion of the root directory".to_string(),
        });
    }
    for pattern in &opts.extra_patterns {
        if pattern.is_match(command) {
            findings.push(ShellFinding {
                rule: "shell.extra_pattern",
                severity: Severity::Destructive,
                risk_critical: false,
                description: format!("command matches destructive pattern '{}'", pattern.as_str()),
            });
        }
    }
    findings
}

/// Analyses SQL text (stub: flags text starting with `DROP`).
pub fn analyze_sql(sql: &str) -> Vec<ShellFinding> {
    if sql.trim_start().to_ascii_uppercase().starts_with("DROP") {
        vec![ShellFinding {
            rule: "sql.drop",
            severity: Severity::Destructive,
            risk_critical: true,
            description: "SQL DROP statement".to_string(),
        }]
    } else {
        Vec::new()
    }
}
