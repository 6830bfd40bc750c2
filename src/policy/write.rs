//! The `write_file` policy: where an agent may create or overwrite a file, and
//! whether the new content carries a live secret.
//!
//! The target goes through the same protected-location rules as a shell
//! redirection (`shell::protected`: system trees, devices, credential stores,
//! policy-configured paths), plus what only a file write can reach: `.git/`
//! internals (hooks and config run code on the next `git` command), warden's
//! own policy files, and the agent runtime's own settings. The content goes
//! through the redactor; a finding needs approval and is named by kind only.

use std::fmt;
use std::sync::{Arc, OnceLock};

use super::decision::{Category, Decision, Risk};
use super::paths::{normalize, Anchor, NormPath};
use super::shell::protected::{self, Guarded};
use crate::redact::{Redactor, RedactorConfig};

/// What the write policy knows beyond the policy file: warden's own files and
/// the secrets the redactor should recognise in content.
#[derive(Clone, Default)]
pub struct WritePolicy {
    configured: Vec<NormPath>,
    own_files: Vec<NormPath>,
    secrets: SecretScan,
}

/// Named env vars whose values and assignments count as secrets in content.
/// The redactor is compiled on first use: most checks never write a file.
#[derive(Clone, Default)]
struct SecretScan {
    env_values: Vec<(String, String)>,
    names: Vec<String>,
    redactor: Arc<OnceLock<Redactor>>,
}

impl fmt::Debug for WritePolicy {
    // The env values are secrets: print their count only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WritePolicy")
            .field("configured", &self.configured)
            .field("own_files", &self.own_files)
            .field("secret_names", &self.secrets.names)
            .field("secret_values", &self.secrets.env_values.len())
            .finish()
    }
}

impl WritePolicy {
    /// Guards `configured` (the policy's protected paths) beside the built-in locations.
    pub(crate) fn new(configured: Vec<NormPath>) -> Self {
        Self {
            configured,
            ..Self::default()
        }
    }

    /// Adds absolute paths no agent may write (the policy file, the tokens file).
    pub(crate) fn protect_own_files(&mut self, files: &[String]) {
        self.own_files
            .extend(files.iter().filter_map(|f| normalize(f, None).ok()));
    }

    /// Makes the values and assignments of these env vars count as secrets.
    pub(crate) fn recognise_env(&mut self, values: Vec<(String, String)>, names: Vec<String>) {
        self.secrets = SecretScan {
            env_values: values,
            names,
            redactor: Arc::new(OnceLock::new()),
        };
    }

    /// Decides a write of `content` (when known) to `raw_path` seen from `cwd`.
    pub(crate) fn check(
        &self,
        raw_path: &str,
        content: Option<&str>,
        cwd: Option<&str>,
    ) -> Decision {
        let path = resolve(raw_path, cwd);
        let kinds = content.map(|c| self.secrets.kinds(c)).unwrap_or_default();
        let decision = match path {
            Some(path) => self.path_decision(&path),
            None => Some(
                Decision::approval(
                    "write.path_unresolved",
                    Risk::Medium,
                    "File write target cannot be resolved (relative path climbing above an unknown directory)",
                )
                .with_category(Category::SystemChange),
            ),
        };
        match decision {
            Some(d) if !d.allowed => d,
            Some(d) => {
                let mut findings = d.findings.clone();
                findings.extend(kinds.iter().map(|k| format!("secret in content: {k}")));
                d.with_findings(findings)
            }
            None if !kinds.is_empty() => Decision::approval(
                "write.secret_in_content",
                Risk::High,
                format!(
                    "Writing a live secret into a file needs approval (found: {})",
                    kinds.join(", ")
                ),
            )
            .with_category(Category::CredentialAccess)
            .with_findings(
                kinds
                    .iter()
                    .map(|k| format!("secret in content: {k}"))
                    .collect(),
            ),
            None => Decision::allow(Risk::Low),
        }
    }

    /// The path's verdict, or `None` when the location is unremarkable.
    fn path_decision(&self, path: &NormPath) -> Option<Decision> {
        let shown = path.to_string();
        if let Some(guard) = protected::write_guard(path, &self.configured) {
            let (rule, risk, category, what) = match guard {
                Guarded::System => (
                    "write.system_path",
                    Risk::Critical,
                    Category::SystemChange,
                    "a system location",
                ),
                Guarded::Device => (
                    "write.device",
                    Risk::Critical,
                    Category::Destructive,
                    "a device",
                ),
                Guarded::Credential => (
                    "write.credential_store",
                    Risk::High,
                    Category::CredentialAccess,
                    "a credential store",
                ),
                Guarded::Configured => (
                    "write.protected_path",
                    Risk::High,
                    Category::Destructive,
                    "a path the policy protects",
                ),
            };
            return Some(
                Decision::deny(rule, risk, format!("Writing {shown} is denied: {what}"))
                    .with_category(category)
                    .with_findings(vec![format!("write target: {shown}")]),
            );
        }
        if self
            .own_files
            .iter()
            .any(|own| protected::within(path, own) || same_file_name_relative(path, own))
        {
            return Some(
                Decision::deny(
                    "write.warden_policy",
                    Risk::High,
                    format!("Writing {shown} is denied: it is warden's own policy"),
                )
                .with_category(Category::Evasion)
                .with_findings(vec![format!("write target: {shown}")]),
            );
        }
        if let Some(internal) = git_internal(path) {
            let (risk, category) = match internal {
                "hooks" | "config" => (Risk::Critical, Category::RemoteCode),
                _ => (Risk::High, Category::Destructive),
            };
            return Some(
                Decision::deny(
                    "write.git_internals",
                    risk,
                    format!("Writing {shown} is denied: .git/{internal} is repository internals (hooks and config run code on the next git command)"),
                )
                .with_category(category)
                .with_findings(vec![format!("write target: {shown}")]),
            );
        }
        if is_agent_settings(path) {
            return Some(
                Decision::approval(
                    "write.agent_settings",
                    Risk::High,
                    format!("Writing {shown} needs approval: it holds the agent's own permissions and hooks"),
                )
                .with_category(Category::Evasion)
                .with_findings(vec![format!("write target: {shown}")]),
            );
        }
        if protected::holds_credentials(path) {
            return Some(
                Decision::approval(
                    "write.credential_file",
                    Risk::Medium,
                    format!("Writing {shown} needs approval: the file holds credentials"),
                )
                .with_category(Category::CredentialAccess)
                .with_findings(vec![format!("write target: {shown}")]),
            );
        }
        None
    }
}

impl SecretScan {
    /// Distinct finding kinds in `content`, in order of first appearance.
    fn kinds(&self, content: &str) -> Vec<String> {
        let redactor = self.redactor.get_or_init(|| {
            Redactor::one_shot(RedactorConfig {
                hmac_key: None,
                env_values: self.env_values.clone(),
            })
        });
        let mut kinds: Vec<String> = Vec::new();
        for finding in redactor.redact_env_vars(content, &self.names).findings {
            if !kinds.iter().any(|k| *k == finding.kind) {
                kinds.push(finding.kind.into_owned());
            }
        }
        kinds
    }
}

/// The write target, resolved like a shell argument (`~` inside the home of
/// `cwd`); `None` when `..` climbs out of an unknown directory.
fn resolve(raw: &str, cwd: Option<&str>) -> Option<NormPath> {
    let path = protected::locate_literal(raw, cwd)?;
    (!path.escaped).then_some(path)
}

/// The `.git` subdirectory or file written (`hooks`, `config`, `HEAD`, …).
fn git_internal(path: &NormPath) -> Option<&str> {
    let at = path.parts.iter().position(|p| p == ".git")?;
    path.parts.get(at + 1).map(String::as_str)
}

/// `.claude/settings.json` and `.claude/settings.local.json`, anywhere.
fn is_agent_settings(path: &NormPath) -> bool {
    match path.parts.as_slice() {
        [.., dir, file] => {
            dir == ".claude" && matches!(file.as_str(), "settings.json" | "settings.local.json")
        }
        _ => false,
    }
}

/// A relative target with no working directory may be any file of that name:
/// it counts as warden's own file when it is that file's tail (fail closed).
fn same_file_name_relative(path: &NormPath, own: &NormPath) -> bool {
    path.anchor == Anchor::Relative && !path.parts.is_empty() && own.parts.ends_with(&path.parts)
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
