//! Where the policy comes from: env toggles plus the optional policy file,
//! reloaded on SIGHUP and when the file changes. A bad file is refused with a
//! logged error and the policy in force keeps serving.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::policy::plugins::PluginSet;
use crate::policy::PolicyGate;
use crate::service::Warden;

/// How often the policy file's modification time is checked.
const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// Builds the gate from the environment settings and the policy file, if any.
pub fn load(config: &Config) -> Result<PolicyGate, String> {
    let mut policy = config.policy.clone();
    if let Some(path) = &config.policy_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("WARDEN_POLICY_FILE {}: {e}", path.display()))?;
        policy.apply_file(&text).map_err(|e| {
            // TOML errors span several lines (with a snippet); logs and the
            // start-up refusal want one.
            let reason = e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            format!("WARDEN_POLICY_FILE {}: {reason}", path.display())
        })?;
    }
    let plugin_paths = policy.plugins.paths.clone();
    let gate = PolicyGate::new(policy)
        .map_err(|e| format!("policy: {e}"))?
        .protect_own_files(&own_files(config))
        .recognise_env_secrets(
            config
                .redact_env_values
                .iter()
                .map(|(name, value)| (name.clone(), value.expose().clone()))
                .collect(),
            config.redact_env_names.clone(),
        );
    if plugin_paths.is_empty() {
        return Ok(gate);
    }
    let plugins = PluginSet::load(&plugin_paths).map_err(|e| format!("policy plugins: {e}"))?;
    for file in plugins.files() {
        tracing::info!(file = %file.path.display(), package = %file.package, hash = %file.sha256, "policy plugin loaded");
    }
    Ok(gate.with_plugins(Arc::new(plugins)))
}

/// Warden's own policy inputs as absolute paths: an agent must not rewrite them.
fn own_files(config: &Config) -> Vec<String> {
    let cwd = std::env::current_dir().ok();
    [config.policy_file.as_ref(), config.tokens_file.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|path| {
            let absolute = match &cwd {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path.clone(),
            };
            absolute.to_str().map(String::from)
        })
        .collect()
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Modification times of the policy file and of every file under the plugin
/// paths (the environment's and those of the policy in force): a change to
/// any of them, an added or a removed file triggers a reload.
fn fingerprint(config: &Config, warden: &Warden) -> Vec<(PathBuf, Option<SystemTime>)> {
    let mut seen = Vec::new();
    if let Some(path) = &config.policy_file {
        seen.push((path.clone(), modified(path)));
    }
    let gate = warden.gate();
    let mut roots = config.policy.plugins.paths.clone();
    roots.extend(gate.config().plugins.paths.iter().cloned());
    roots.sort();
    roots.dedup();
    for root in roots {
        list_files(&root, &mut seen, 0);
    }
    seen
}

fn list_files(path: &Path, out: &mut Vec<(PathBuf, Option<SystemTime>)>, depth: usize) {
    match std::fs::read_dir(path) {
        Ok(entries) if depth <= 8 => {
            let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            children.sort();
            for child in children {
                list_files(&child, out, depth + 1);
            }
        }
        _ => out.push((path.to_path_buf(), modified(path))),
    }
}

/// Reloads the policy (file and plugins) on SIGHUP or when a file changes, until `stop`.
pub async fn watch(config: Config, warden: Arc<Warden>, stop: CancellationToken) {
    if config.policy_file.is_none() && config.policy.plugins.paths.is_empty() {
        return;
    }
    let mut last_seen = fingerprint(&config, &warden);
    let mut hangup = hangup_signal();
    let mut tick = tokio::time::interval(POLL_INTERVAL);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = recv(&mut hangup) => {}
            _ = tick.tick() => {
                if fingerprint(&config, &warden) == last_seen {
                    continue;
                }
            }
        }
        reload(&config, &warden);
        last_seen = fingerprint(&config, &warden);
    }
}

/// One reload attempt: swap in the new gate, or keep the old one and say why.
pub fn reload(config: &Config, warden: &Warden) {
    match load(config) {
        Ok(gate) => {
            warden.replace_gate(gate);
            warden
                .metrics()
                .policy_reloads
                .with_label_values(&["ok"])
                .inc();
            tracing::info!("policy reloaded");
        }
        Err(e) => {
            warden
                .metrics()
                .policy_reloads
                .with_label_values(&["rejected"])
                .inc();
            tracing::error!(cause = %e, "policy reload refused; previous policy stays in force");
        }
    }
}

#[cfg(unix)]
fn hangup_signal() -> Option<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()
}

#[cfg(unix)]
async fn recv(signal: &mut Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
fn hangup_signal() -> Option<()> {
    None
}

#[cfg(not(unix))]
async fn recv(_signal: &mut Option<()>) {
    std::future::pending().await
}
