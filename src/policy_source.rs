//! Where the policy comes from: env toggles plus the optional policy file,
//! reloaded on SIGHUP and when the file changes. A bad file is refused with a
//! logged error and the policy in force keeps serving.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::config::Config;
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
    let gate = PolicyGate::new(policy).map_err(|e| format!("policy: {e}"))?;
    Ok(gate
        .protect_own_files(&own_files(config))
        .recognise_env_secrets(
            config.redact_env_values.clone(),
            config.redact_env_names.clone(),
        ))
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

/// Reloads the policy on SIGHUP or when the file changes, until `stop`.
pub async fn watch(config: Config, warden: Arc<Warden>, stop: CancellationToken) {
    let Some(path) = config.policy_file.clone() else {
        return;
    };
    let mut last_seen = modified(&path);
    let mut hangup = hangup_signal();
    let mut tick = tokio::time::interval(POLL_INTERVAL);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = recv(&mut hangup) => {}
            _ = tick.tick() => {
                let now = modified(&path);
                if now == last_seen {
                    continue;
                }
                last_seen = now;
            }
        }
        reload(&config, &warden);
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
