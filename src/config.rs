//! Typed configuration: environment (and an optional `.env` file) → [`Config`],
//! parsed by a pure function over a lookup so tests never touch the process env.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::{parse_tokens_file, ApiToken, Role, TokenSet};
use crate::budget::{BudgetSettings, Money};
use crate::policy::{ActionType, PolicyConfig};
use crate::secret::Secret;

/// A bad configuration value: names the variable, says what was wrong, never echoes secrets.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

/// `WARDEN_POLICY_PLUGINS`: one or more existing directories or files, `:`-separated.
fn plugin_paths(raw: &str) -> Result<Vec<PathBuf>, ConfigError> {
    let paths: Vec<PathBuf> = raw
        .split(':')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect();
    if paths.is_empty() {
        return Err(bad("WARDEN_POLICY_PLUGINS", "names no directory"));
    }
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        return Err(bad(
            "WARDEN_POLICY_PLUGINS",
            format!("{}: no such file or directory", missing.display()),
        ));
    }
    Ok(paths)
}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

/// Log output format of `RUST_LOG`-filtered tracing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Plain,
    Json,
}

/// Where budgets live: Redis in production, memory for a Redis-less dev run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Redis,
    Memory,
}

/// Connection options for NATS, passed straight to async-nats.
#[derive(Clone, Default)]
pub struct NatsSettings {
    /// May carry `user:password@` or a token: shown only through [`NatsSettings::display_url`].
    pub url: Secret<String>,
    pub creds_file: Option<PathBuf>,
    pub user: Option<String>,
    pub password: Option<Secret<String>>,
    pub token: Option<Secret<String>>,
    pub tls_ca: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
}

impl std::fmt::Debug for NatsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsSettings")
            .field("url", &self.display_url())
            .field("creds_file", &self.creds_file)
            .field("user", &self.user)
            .field("password", &self.password)
            .field("token", &self.token)
            .field("tls_ca", &self.tls_ca)
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .finish()
    }
}

impl NatsSettings {
    /// The server URL(s) without any `user:pass@` or `token@`, fit for logs and errors.
    pub fn display_url(&self) -> String {
        self.url
            .expose()
            .split(',')
            .map(redact_userinfo)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Drops any `user:pass@` (or `token@`) from one URL before it is shown.
fn redact_userinfo(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}***@{}", &url[..scheme_end + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// Everything warden needs to start, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub http_addr: SocketAddr,
    pub nats: NatsSettings,
    /// Full Redis URL (may carry a password).
    pub redis_url: Secret<String>,
    pub store: StoreKind,
    pub policy: PolicyConfig,
    pub policy_file: Option<PathBuf>,
    pub budget: BudgetSettings,
    pub log_format: LogFormat,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// How long an HTTP client may take to send a request's head (slow-loris guard).
    pub http_header_timeout: Duration,
    pub shutdown_grace: Duration,
    /// How long `serve` waits for NATS and Redis to answer at start.
    pub startup_wait: Duration,
    /// Names of env vars whose current values are redacted wherever they appear.
    pub redact_env_names: Vec<String>,
    /// Their values, captured at start (never logged).
    pub redact_env_values: Vec<(String, Secret<String>)>,
    pub redact_hmac_key: Option<Secret<Vec<u8>>>,
    /// REST bearer tokens; empty = protected mode (loopback only).
    pub api_tokens: TokenSet,
    pub tokens_file: Option<PathBuf>,
    /// Serve `/metrics` without a token even when tokens are configured.
    pub metrics_public: bool,
    /// Where warden keeps local state (`WARDEN_DATA_DIR`).
    pub data_dir: PathBuf,
    /// The audit spool file (`WARDEN_AUDIT_SPOOL`, default `<data dir>/audit.spool`).
    pub audit_spool: PathBuf,
    /// Most bytes the spool holds waiting for JetStream.
    pub audit_spool_max_bytes: u64,
    /// Refuse decisions while the spool is full (instead of losing their audit).
    pub audit_fail_closed: bool,
}

/// Default limit of the audit spool: 256 MiB, about a million decisions.
pub const DEFAULT_AUDIT_SPOOL_MAX_BYTES: u64 = 256 << 20;

/// The variable names warden reads (documented in README's configuration table).
pub const DEFAULT_REDACT_ENV_NAMES: &[&str] = &[
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "DATABASE_URL",
    "SECRET_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "GITHUB_TOKEN",
    "REDIS_PASSWORD",
    "NATS_PASSWORD",
    "NATS_TOKEN",
];

impl Config {
    /// Reads the process environment, with `.env` (if present) filling gaps.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut vars: HashMap<String, String> = HashMap::new();
        if let Ok(iter) = dotenvy::from_path_iter(".env") {
            for (key, value) in iter.flatten() {
                vars.insert(key, value);
            }
        }
        vars.extend(std::env::vars());
        let mut config = Self::from_lookup(|name| vars.get(name).cloned())?;
        if let Some(path) = config.tokens_file.clone() {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                bad(
                    "WARDEN_TOKENS_FILE",
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            let tokens = parse_tokens_file(&text).map_err(|e| bad("WARDEN_TOKENS_FILE", e))?;
            config.api_tokens.extend(tokens);
        }
        config.check_exposure()?;
        Ok(config)
    }

    /// Protected mode: without tokens, warden only listens on loopback.
    pub fn check_exposure(&self) -> Result<(), ConfigError> {
        if self.api_tokens.is_empty() && !self.http_addr.ip().is_loopback() {
            return Err(bad(
                "WARDEN_API_TOKENS",
                format!(
                    "no API tokens configured; refusing to listen on {} (protected mode). \
                     Set WARDEN_API_TOKENS / WARDEN_TOKENS_FILE or bind a loopback address",
                    self.http_addr
                ),
            ));
        }
        Ok(())
    }

    /// Pure parser: `lookup(name)` returns the raw value of a variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let http_addr = match get("WARDEN_HTTP_ADDR") {
            Some(raw) => raw.trim().parse().map_err(|_| {
                bad(
                    "WARDEN_HTTP_ADDR",
                    format!("'{raw}' is not a socket address like 127.0.0.1:8080"),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };

        let nats = NatsSettings {
            url: Secret::new(get("NATS_URL").unwrap_or_else(|| "nats://127.0.0.1:4222".into())),
            creds_file: get("NATS_CREDS").map(PathBuf::from),
            user: get("NATS_USER"),
            password: get("NATS_PASSWORD").map(Secret::new),
            token: get("NATS_TOKEN").map(Secret::new),
            tls_ca: get("NATS_TLS_CA").map(PathBuf::from),
            tls_cert: get("NATS_TLS_CERT").map(PathBuf::from),
            tls_key: get("NATS_TLS_KEY").map(PathBuf::from),
        };
        if !nats.url.expose().contains("://") {
            return Err(bad("NATS_URL", "expected a URL like nats://127.0.0.1:4222"));
        }

        let redis_url = redis_url(&get)?;
        let store = match get("WARDEN_STORE").as_deref().map(str::trim) {
            None | Some("redis") => StoreKind::Redis,
            Some("memory") => StoreKind::Memory,
            Some(other) => {
                return Err(bad(
                    "WARDEN_STORE",
                    format!("'{other}' is not one of: redis, memory"),
                ))
            }
        };

        let mut policy = PolicyConfig::default();
        let toggles: [(&'static str, &mut bool); 6] = [
            ("ENABLE_CODE_EXECUTION", &mut policy.enable_code_execution),
            ("ENABLE_NETWORK_ACCESS", &mut policy.enable_network_access),
            ("ENABLE_DEPLOYMENTS", &mut policy.enable_deployments),
            ("ENABLE_BILLING", &mut policy.enable_billing),
            ("ENABLE_FILE_DELETION", &mut policy.enable_file_deletion),
            ("ENABLE_FILE_WRITES", &mut policy.enable_file_writes),
        ];
        for (name, slot) in toggles {
            if let Some(raw) = get(name) {
                *slot = parse_bool(name, &raw)?;
            }
        }
        if let Some(raw) = get("NETWORK_ALLOWLIST") {
            policy.network_allowlist = split_list(&raw);
        }
        if let Some(raw) = get("WARDEN_APPROVAL_REQUIRED") {
            policy.approval_required = split_list(&raw)
                .iter()
                .map(|name| {
                    name.parse::<ActionType>()
                        .map_err(|e| bad("WARDEN_APPROVAL_REQUIRED", e.to_string()))
                })
                .collect::<Result<_, _>>()?;
        }
        let policy_file = get("WARDEN_POLICY_FILE").map(PathBuf::from);
        if let Some(raw) = get("WARDEN_POLICY_PLUGINS") {
            policy.plugins.paths = plugin_paths(&raw)?;
        }

        let budget = budget_settings(&get)?;

        let log_format = match get("WARDEN_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("plain") | Some("text") => LogFormat::Plain,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(bad(
                    "WARDEN_LOG_FORMAT",
                    format!("'{other}' is not one of: plain, json"),
                ))
            }
        };

        let max_body_bytes = parse_num(
            "WARDEN_MAX_BODY_BYTES",
            get("WARDEN_MAX_BODY_BYTES"),
            1 << 20,
        )?;
        if max_body_bytes == 0 {
            return Err(bad("WARDEN_MAX_BODY_BYTES", "must be positive"));
        }
        let request_timeout = parse_duration(
            "WARDEN_REQUEST_TIMEOUT",
            get("WARDEN_REQUEST_TIMEOUT"),
            Duration::from_secs(10),
        )?;
        let http_header_timeout = parse_duration(
            "WARDEN_HTTP_HEADER_TIMEOUT",
            get("WARDEN_HTTP_HEADER_TIMEOUT"),
            Duration::from_secs(10),
        )?;
        if http_header_timeout.is_zero() {
            return Err(bad("WARDEN_HTTP_HEADER_TIMEOUT", "must be positive"));
        }
        let shutdown_grace = parse_duration(
            "WARDEN_SHUTDOWN_GRACE",
            get("WARDEN_SHUTDOWN_GRACE"),
            Duration::from_secs(10),
        )?;

        let startup_wait = parse_duration(
            "WARDEN_STARTUP_WAIT",
            get("WARDEN_STARTUP_WAIT"),
            Duration::from_secs(30),
        )?;

        let redact_env_names = match get("WARDEN_REDACT_ENV_VARS") {
            Some(raw) => split_list(&raw),
            None => DEFAULT_REDACT_ENV_NAMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        let redact_env_values = redact_env_names
            .iter()
            .filter_map(|name| lookup(name).map(|value| (name.clone(), value)))
            .filter(|(_, value)| value.len() >= 8)
            .map(|(name, value)| (name, Secret::new(value)))
            .collect();
        let redact_hmac_key = get("WARDEN_REDACT_HMAC_KEY").map(|k| Secret::new(k.into_bytes()));
        if redact_hmac_key
            .as_ref()
            .is_some_and(|k| k.expose().len() < 16)
        {
            return Err(bad(
                "WARDEN_REDACT_HMAC_KEY",
                "must be at least 16 bytes long",
            ));
        }

        let mut env_tokens =
            tokens_from("WARDEN_API_TOKENS", get("WARDEN_API_TOKENS"), Role::Agent)?;
        env_tokens.extend(tokens_from(
            "WARDEN_ADMIN_TOKENS",
            get("WARDEN_ADMIN_TOKENS"),
            Role::Admin,
        )?);
        let metrics_public = match get("WARDEN_METRICS_PUBLIC") {
            Some(raw) => parse_bool("WARDEN_METRICS_PUBLIC", &raw)?,
            None => false,
        };

        let data_dir = PathBuf::from(get("WARDEN_DATA_DIR").unwrap_or_else(|| "./.warden".into()));
        let audit_spool = get("WARDEN_AUDIT_SPOOL")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("audit.spool"));
        let audit_spool_max_bytes: u64 = parse_num(
            "WARDEN_AUDIT_SPOOL_MAX_BYTES",
            get("WARDEN_AUDIT_SPOOL_MAX_BYTES"),
            DEFAULT_AUDIT_SPOOL_MAX_BYTES,
        )?;
        if audit_spool_max_bytes < 4096 {
            return Err(bad(
                "WARDEN_AUDIT_SPOOL_MAX_BYTES",
                "must be at least 4096 (one audit event can be a few KiB)",
            ));
        }
        let audit_fail_closed = match get("WARDEN_AUDIT_FAIL_CLOSED") {
            Some(raw) => parse_bool("WARDEN_AUDIT_FAIL_CLOSED", &raw)?,
            None => true,
        };

        Ok(Config {
            data_dir,
            audit_spool,
            audit_spool_max_bytes,
            audit_fail_closed,
            api_tokens: TokenSet::new(env_tokens),
            tokens_file: get("WARDEN_TOKENS_FILE").map(PathBuf::from),
            metrics_public,
            http_addr,
            nats,
            redis_url,
            store,
            policy,
            policy_file,
            budget,
            log_format,
            max_body_bytes,
            request_timeout,
            http_header_timeout,
            shutdown_grace,
            startup_wait,
            redact_env_names,
            redact_env_values,
            redact_hmac_key,
        })
    }
}

fn redis_url(get: &impl Fn(&str) -> Option<String>) -> Result<Secret<String>, ConfigError> {
    if let Some(url) = get("REDIS_URL") {
        if !(url.starts_with("redis://")
            || url.starts_with("rediss://")
            || url.starts_with("unix://"))
        {
            return Err(bad(
                "REDIS_URL",
                "expected a URL starting with redis://, rediss:// or unix://",
            ));
        }
        return Ok(Secret::new(url));
    }
    let host = get("REDIS_HOST").unwrap_or_else(|| "127.0.0.1".into());
    if host.contains(['/', '@', ' ']) {
        return Err(bad("REDIS_HOST", format!("'{host}' is not a host name")));
    }
    let port: u16 = parse_num("REDIS_PORT", get("REDIS_PORT"), 6379)?;
    let db: u32 = parse_num("REDIS_DB", get("REDIS_DB"), 0)?;
    let auth = match get("REDIS_PASSWORD") {
        Some(password) => format!(":{}@", url_escape(&password)),
        None => String::new(),
    };
    Ok(Secret::new(format!("redis://{auth}{host}:{port}/{db}")))
}

fn budget_settings(get: &impl Fn(&str) -> Option<String>) -> Result<BudgetSettings, ConfigError> {
    let mut settings = BudgetSettings::default();
    let money = |name: &'static str, raw: String| -> Result<Money, ConfigError> {
        Money::parse_positive(raw.trim()).map_err(|e| bad(name, e.to_string()))
    };
    if let Some(raw) = get("DEFAULT_RUN_BUDGET") {
        settings.default_run_budget = money("DEFAULT_RUN_BUDGET", raw)?;
    }
    if let Some(raw) = get("MAX_RUN_BUDGET") {
        settings.max_run_budget = money("MAX_RUN_BUDGET", raw)?;
    }
    if settings.default_run_budget > settings.max_run_budget {
        return Err(bad(
            "DEFAULT_RUN_BUDGET",
            format!(
                "{} is above MAX_RUN_BUDGET ({})",
                settings.default_run_budget, settings.max_run_budget
            ),
        ));
    }
    settings.ttl = parse_duration("BUDGET_TTL", get("BUDGET_TTL"), settings.ttl)?;
    if let Some(raw) = get("BUDGET_ALERT_THRESHOLDS") {
        let mut thresholds = Vec::new();
        for item in split_list(&raw) {
            let percent: u32 = item.trim_end_matches('%').parse().map_err(|_| {
                bad(
                    "BUDGET_ALERT_THRESHOLDS",
                    format!("'{item}' is not a whole percentage"),
                )
            })?;
            if percent == 0 || percent > 1000 {
                return Err(bad(
                    "BUDGET_ALERT_THRESHOLDS",
                    format!("{percent}% is outside 1..=1000"),
                ));
            }
            thresholds.push(percent);
        }
        thresholds.sort_unstable();
        thresholds.dedup();
        settings.alert_thresholds = thresholds;
    }
    Ok(settings)
}

/// Comma-separated tokens of one role, named `<role>-<n>` for audit.
fn tokens_from(
    name: &'static str,
    raw: Option<String>,
    role: Role,
) -> Result<Vec<ApiToken>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    split_list(&raw)
        .iter()
        .enumerate()
        .map(|(index, secret)| {
            if secret.len() < 16 {
                return Err(bad(
                    name,
                    format!("token {} is shorter than 16 characters", index + 1),
                ));
            }
            Ok(ApiToken::new(
                format!("{}-{}", role.as_str(), index + 1),
                role,
                secret,
            ))
        })
        .collect()
}

fn parse_bool(name: &'static str, raw: &str) -> Result<bool, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(bad(
            name,
            format!("'{other}' is not a boolean (true/false)"),
        )),
    }
}

fn parse_num<T: std::str::FromStr>(
    name: &'static str,
    raw: Option<String>,
    default: T,
) -> Result<T, ConfigError> {
    match raw {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| bad(name, format!("'{}' is not a valid number", raw.trim()))),
    }
}

fn parse_duration(
    name: &'static str,
    raw: Option<String>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match raw {
        None => Ok(default),
        Some(raw) => humantime::parse_duration(raw.trim()).map_err(|_| {
            bad(
                name,
                format!("'{}' is not a duration like 30s, 5m or 30days", raw.trim()),
            )
        }),
    }
}

fn split_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Percent-encodes a password for use in a redis:// URL.
fn url_escape(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_match_the_contract() {
        let cfg = parse(&[]).expect("empty env is valid");
        assert_eq!(cfg.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(cfg.nats.url.expose(), "nats://127.0.0.1:4222");
        assert_eq!(cfg.redis_url.expose(), "redis://127.0.0.1:6379/0");
        assert!(cfg.policy.enable_code_execution);
        assert!(cfg.policy.enable_network_access);
        assert!(!cfg.policy.enable_deployments);
        assert!(!cfg.policy.enable_billing);
        assert!(cfg.policy.enable_file_deletion);
        assert_eq!(cfg.budget.default_run_budget.to_string(), "10.0");
        assert_eq!(cfg.budget.max_run_budget.to_string(), "100.0");
        assert_eq!(cfg.budget.alert_thresholds, vec![50, 80, 100]);
        assert_eq!(cfg.store, StoreKind::Redis);
        assert_eq!(cfg.audit_spool, PathBuf::from("./.warden/audit.spool"));
        assert_eq!(cfg.audit_spool_max_bytes, DEFAULT_AUDIT_SPOOL_MAX_BYTES);
        assert!(cfg.audit_fail_closed);
    }

    #[test]
    fn the_spool_lives_in_the_data_dir_unless_placed_elsewhere() {
        let cfg = parse(&[("WARDEN_DATA_DIR", "/var/lib/warden")]).expect("valid");
        assert_eq!(
            cfg.audit_spool,
            PathBuf::from("/var/lib/warden/audit.spool")
        );
        let cfg = parse(&[
            ("WARDEN_DATA_DIR", "/var/lib/warden"),
            ("WARDEN_AUDIT_SPOOL", "/spool/a"),
            ("WARDEN_AUDIT_FAIL_CLOSED", "false"),
        ])
        .expect("valid");
        assert_eq!(cfg.audit_spool, PathBuf::from("/spool/a"));
        assert!(!cfg.audit_fail_closed);
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases: &[(&str, &str)] = &[
            ("WARDEN_HTTP_ADDR", "localhost"),
            ("NATS_URL", "127.0.0.1:4222"),
            ("REDIS_PORT", "sixty"),
            ("REDIS_DB", "-1"),
            ("REDIS_URL", "http://x"),
            ("ENABLE_DEPLOYMENTS", "maybe"),
            ("DEFAULT_RUN_BUDGET", "-5"),
            ("MAX_RUN_BUDGET", "abc"),
            ("BUDGET_TTL", "forever"),
            ("BUDGET_ALERT_THRESHOLDS", "50,eighty"),
            ("WARDEN_STORE", "postgres"),
            ("WARDEN_LOG_FORMAT", "xml"),
            ("WARDEN_REQUEST_TIMEOUT", "10"),
            ("WARDEN_HTTP_HEADER_TIMEOUT", "0s"),
            ("WARDEN_MAX_BODY_BYTES", "0"),
            ("WARDEN_APPROVAL_REQUIRED", "launch_missiles"),
            ("WARDEN_REDACT_HMAC_KEY", "short"),
            ("WARDEN_AUDIT_SPOOL_MAX_BYTES", "lots"),
            ("WARDEN_AUDIT_SPOOL_MAX_BYTES", "100"),
            ("WARDEN_AUDIT_FAIL_CLOSED", "sometimes"),
        ];
        for (name, value) in cases {
            let err = parse(&[(name, value)]).expect_err(name);
            assert_eq!(err.variable, *name, "{name}={value}: {err}");
            assert!(!err.to_string().contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn protected_mode_refuses_public_addresses_without_tokens() {
        let cfg = parse(&[("WARDEN_HTTP_ADDR", "0.0.0.0:8080")]).expect("parses");
        let err = cfg.check_exposure().expect_err("no tokens on 0.0.0.0");
        assert_eq!(err.variable, "WARDEN_API_TOKENS");
        let cfg = parse(&[
            ("WARDEN_HTTP_ADDR", "0.0.0.0:8080"),
            ("WARDEN_API_TOKENS", "agent-token-0123456789"),
        ])
        .expect("parses");
        assert!(cfg.check_exposure().is_ok());
        assert!(parse(&[]).expect("defaults").check_exposure().is_ok());
    }

    #[test]
    fn short_tokens_are_refused_without_echoing_them() {
        let err = parse(&[("WARDEN_ADMIN_TOKENS", "tiny-secret")]).expect_err("short");
        assert_eq!(err.variable, "WARDEN_ADMIN_TOKENS");
        assert!(!err.to_string().contains("tiny-secret"));
    }

    #[test]
    fn default_budget_above_max_is_refused() {
        let err = parse(&[("DEFAULT_RUN_BUDGET", "200"), ("MAX_RUN_BUDGET", "100")])
            .expect_err("default above max");
        assert_eq!(err.variable, "DEFAULT_RUN_BUDGET");
    }

    #[test]
    fn redis_parts_build_a_url_with_an_escaped_password() {
        let cfg = parse(&[
            ("REDIS_HOST", "cache.internal"),
            ("REDIS_PORT", "6380"),
            ("REDIS_DB", "2"),
            ("REDIS_PASSWORD", "p@ss word"),
        ])
        .expect("valid");
        assert_eq!(
            cfg.redis_url.expose(),
            "redis://:p%40ss%20word@cache.internal:6380/2"
        );
        assert!(!format!("{:?}", cfg.nats).contains("p@ss"));
    }

    #[test]
    fn toggles_lists_and_thresholds_parse() {
        let cfg = parse(&[
            ("ENABLE_DEPLOYMENTS", "TRUE"),
            ("ENABLE_CODE_EXECUTION", "0"),
            ("NETWORK_ALLOWLIST", " api.openai.com, *.github.com ,"),
            ("BUDGET_ALERT_THRESHOLDS", "90%, 25, 90"),
            ("BUDGET_TTL", "7days"),
            ("WARDEN_STORE", "memory"),
        ])
        .expect("valid");
        assert!(cfg.policy.enable_deployments);
        assert!(!cfg.policy.enable_code_execution);
        assert_eq!(
            cfg.policy.network_allowlist,
            vec!["api.openai.com", "*.github.com"]
        );
        assert_eq!(cfg.budget.alert_thresholds, vec![25, 90]);
        assert_eq!(cfg.budget.ttl, Duration::from_secs(7 * 86_400));
        assert_eq!(cfg.store, StoreKind::Memory);
    }

    #[test]
    fn named_env_values_are_captured_for_redaction() {
        let cfg = parse(&[
            ("WARDEN_REDACT_ENV_VARS", "MY_TOKEN,SHORT"),
            ("MY_TOKEN", "abcdefgh12345"),
            ("SHORT", "abc"),
        ])
        .expect("valid");
        assert_eq!(cfg.redact_env_names, vec!["MY_TOKEN", "SHORT"]);
        assert_eq!(
            cfg.redact_env_values,
            vec![(
                "MY_TOKEN".to_string(),
                Secret::new("abcdefgh12345".to_string())
            )]
        );
    }

    #[test]
    fn debug_of_a_config_full_of_secrets_shows_none_of_them() {
        let secrets = [
            "redis-pass-Zq81xW",
            "nats-pass-Kd92hT",
            "nats-token-Pm47cR",
            "url-user-pass-Hv63",
            "agent-token-Aa0123456789",
            "admin-token-Bb0123456789",
            "hmac-key-Cc0123456789",
            "openai-sk-Dd0123456789",
            "database-url-pass-Ee01",
        ];
        let cfg = parse(&[
            ("REDIS_PASSWORD", secrets[0]),
            ("NATS_USER", "warden"),
            ("NATS_PASSWORD", secrets[1]),
            ("NATS_TOKEN", secrets[2]),
            (
                "NATS_URL",
                &format!("nats://warden:{}@nats.internal:4222", secrets[3]),
            ),
            ("WARDEN_API_TOKENS", secrets[4]),
            ("WARDEN_ADMIN_TOKENS", secrets[5]),
            ("WARDEN_REDACT_HMAC_KEY", secrets[6]),
            ("OPENAI_API_KEY", secrets[7]),
            (
                "DATABASE_URL",
                &format!("postgres://app:{}@db/app", secrets[8]),
            ),
        ])
        .expect("valid");
        for shown in [format!("{cfg:?}"), format!("{cfg:#?}")] {
            for secret in secrets {
                assert!(!shown.contains(secret), "{secret} in {shown}");
            }
            assert!(
                shown.contains("nats.internal:4222"),
                "the host stays visible"
            );
        }
        // With a full REDIS_URL as well.
        let cfg = parse(&[(
            "REDIS_URL",
            &format!("redis://:{}@cache:6379/0", secrets[0]),
        )])
        .expect("valid");
        assert!(!format!("{cfg:?}").contains(secrets[0]));
    }
}
