//! The hook's own settings (beside warden's [`Config`](crate::config::Config)):
//! where the central warden is, how long to wait for it, where the local audit
//! goes. Parsed by a pure function over a lookup; errors name the variable.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::ConfigError;

/// Default wait for the central warden before the local decision stands.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(200);
/// Default size at which the local audit file is rotated.
pub const DEFAULT_AUDIT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// Which central warden decides, if any.
#[derive(Clone, PartialEq, Eq)]
pub enum Central {
    /// `WARDEN_URL` (+ `WARDEN_TOKEN`): `POST {url}/api/v1/safety/check`.
    Rest {
        /// `host:port` of an `http://` base URL.
        authority: String,
        /// Path prefix of the base URL, without a trailing `/`.
        base_path: String,
        token: Option<String>,
    },
    /// `WARDEN_HOOK_CENTRAL=true` with `NATS_URL`: request on `safety.check`.
    Nats,
}

impl std::fmt::Debug for Central {
    // The token is a credential: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Central::Rest {
                authority,
                base_path,
                token,
            } => f
                .debug_struct("Rest")
                .field("authority", authority)
                .field("base_path", base_path)
                .field("token", &token.as_ref().map(|_| "<set>"))
                .finish(),
            Central::Nats => f.write_str("Nats"),
        }
    }
}

/// Everything `warden hook` reads beyond warden's usual configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookSettings {
    pub central: Option<Central>,
    pub timeout: Duration,
    /// `None` when no home directory is known and no file is configured.
    pub audit_file: Option<PathBuf>,
    pub audit_max_bytes: u64,
}

impl HookSettings {
    /// Parses the settings from `get` (the environment, `.env` filling gaps).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let token = get("WARDEN_TOKEN");
        let central = match (get("WARDEN_URL"), get("WARDEN_HOOK_CENTRAL")) {
            (Some(url), _) => Some(rest_target(&url, token)?),
            (None, Some(flag)) => match flag.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Some(Central::Nats),
                "false" | "0" | "no" | "off" => None,
                _ => return Err(bad("WARDEN_HOOK_CENTRAL", "must be true or false")),
            },
            (None, None) => None,
        };
        let timeout = match get("WARDEN_HOOK_TIMEOUT") {
            None => DEFAULT_TIMEOUT,
            Some(raw) => parse_timeout(&raw)?,
        };
        let audit_file = match get("WARDEN_HOOK_AUDIT_FILE") {
            Some(off) if off.trim().eq_ignore_ascii_case("off") => None,
            Some(path) => Some(PathBuf::from(path)),
            None => default_audit_file(&get),
        };
        let audit_max_bytes = match get("WARDEN_HOOK_AUDIT_MAX_BYTES") {
            None => DEFAULT_AUDIT_MAX_BYTES,
            Some(raw) => raw
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n >= 1024)
                .ok_or_else(|| {
                    bad(
                        "WARDEN_HOOK_AUDIT_MAX_BYTES",
                        "must be a whole number of bytes, at least 1024",
                    )
                })?,
        };
        Ok(Self {
            central,
            timeout,
            audit_file,
            audit_max_bytes,
        })
    }
}

/// `$XDG_STATE_HOME/warden/audit.jsonl`, else `~/.local/state/warden/audit.jsonl`.
fn default_audit_file(get: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    get("XDG_STATE_HOME")
        .map(|state| PathBuf::from(state).join("warden/audit.jsonl"))
        .or_else(|| {
            get("HOME").map(|home| PathBuf::from(home).join(".local/state/warden/audit.jsonl"))
        })
}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

/// `http://host:port/prefix` → the parts a plain HTTP/1.1 request needs.
fn rest_target(raw: &str, token: Option<String>) -> Result<Central, ConfigError> {
    let url = url::Url::parse(raw.trim()).map_err(|_| {
        bad(
            "WARDEN_URL",
            "is not a valid URL (e.g. http://warden.internal:8080)",
        )
    })?;
    if url.scheme() != "http" {
        return Err(bad(
            "WARDEN_URL",
            format!(
                "scheme '{}' is not supported: the hook speaks plain http (put TLS in front, or use NATS with WARDEN_HOOK_CENTRAL=true)",
                url.scheme()
            ),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "WARDEN_URL",
            "must not carry credentials; set WARDEN_TOKEN",
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| bad("WARDEN_URL", "has no host"))?;
    let port = url.port_or_known_default().unwrap_or(80);
    Ok(Central::Rest {
        authority: format!("{host}:{port}"),
        base_path: url.path().trim_end_matches('/').to_string(),
        token,
    })
}

/// `200ms`, `1s`, or a bare number of milliseconds; 1 ms to 60 s.
fn parse_timeout(raw: &str) -> Result<Duration, ConfigError> {
    let raw = raw.trim();
    let parsed = match raw.parse::<u64>() {
        Ok(ms) => Some(Duration::from_millis(ms)),
        Err(_) => humantime::parse_duration(raw).ok(),
    };
    parsed
        .filter(|d| *d >= Duration::from_millis(1) && *d <= Duration::from_secs(60))
        .ok_or_else(|| {
            bad(
                "WARDEN_HOOK_TIMEOUT",
                format!("'{raw}' is not a duration between 1ms and 60s (e.g. 200ms)"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<HookSettings, ConfigError> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        HookSettings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_are_local_with_a_home_audit_file() {
        let s = parse(&[("HOME", "/home/dev")]).expect("valid");
        assert_eq!(s.central, None);
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
        assert_eq!(
            s.audit_file,
            Some(PathBuf::from("/home/dev/.local/state/warden/audit.jsonl"))
        );
    }

    #[test]
    fn central_targets() {
        let s = parse(&[
            ("WARDEN_URL", "http://warden.internal:9090/base/"),
            ("WARDEN_TOKEN", "agent-token-0123456789"),
            ("WARDEN_HOOK_TIMEOUT", "50ms"),
        ])
        .expect("valid");
        assert_eq!(
            s.central,
            Some(Central::Rest {
                authority: "warden.internal:9090".into(),
                base_path: "/base".into(),
                token: Some("agent-token-0123456789".into()),
            })
        );
        assert_eq!(s.timeout, Duration::from_millis(50));
        assert!(!format!("{:?}", s.central).contains("0123456789"));
        let s = parse(&[
            ("WARDEN_HOOK_CENTRAL", "true"),
            ("WARDEN_HOOK_AUDIT_FILE", "off"),
        ])
        .expect("valid");
        assert_eq!(s.audit_file, None);
        assert_eq!(s.central, Some(Central::Nats));
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (pairs, variable) in [
            (vec![("WARDEN_URL", "https://w:1")], "WARDEN_URL"),
            (vec![("WARDEN_URL", "not a url")], "WARDEN_URL"),
            (vec![("WARDEN_URL", "http://u:p@w:1")], "WARDEN_URL"),
            (
                vec![("WARDEN_HOOK_CENTRAL", "maybe")],
                "WARDEN_HOOK_CENTRAL",
            ),
            (vec![("WARDEN_HOOK_TIMEOUT", "0")], "WARDEN_HOOK_TIMEOUT"),
            (vec![("WARDEN_HOOK_TIMEOUT", "soon")], "WARDEN_HOOK_TIMEOUT"),
            (
                vec![("WARDEN_HOOK_AUDIT_MAX_BYTES", "10")],
                "WARDEN_HOOK_AUDIT_MAX_BYTES",
            ),
        ] {
            let err = parse(&pairs).expect_err("invalid");
            assert_eq!(err.variable, variable);
            assert!(!err.to_string().contains("u:p"), "{err}");
        }
    }
}
