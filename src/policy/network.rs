//! Network-access policy: WHATWG URL parsing, SSRF defences and the host allowlist.
//!
//! Order of checks for a URL: shape (length, whitespace/backslash), scheme,
//! userinfo, restricted IPs and special hostnames, punycode/homoglyph hosts,
//! then the allowlist. Restricted addresses, special hostnames and punycode
//! hosts pass only with an *exact* allowlist entry, never via a wildcard.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv6Addr};

use url::{Host, Url};

use super::decision::{Decision, Risk};
use super::ip::{classify, Restricted};

/// Longest URL or host accepted, in bytes.
pub const MAX_URL_LEN: usize = 8192;

/// Hostnames that resolve to metadata services or loopback by convention.
const METADATA_HOSTS: [&str; 3] = ["metadata.google.internal", "metadata.goog", "metadata"];

/// A host as the URL parser sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedHost {
    /// Lowercase ASCII (punycode) domain, one trailing dot removed.
    Domain(String),
    /// IP literal, however it was spelled.
    Ip(IpAddr),
}

impl ParsedHost {
    /// Canonical text used for matching and in reasons.
    pub fn key(&self) -> String {
        match self {
            ParsedHost::Domain(d) => d.clone(),
            ParsedHost::Ip(ip) => ip.to_string(),
        }
    }

    fn from_url_host(host: Host<&str>) -> Self {
        match host {
            Host::Domain(d) => {
                let d = d.to_ascii_lowercase();
                let d = d.strip_suffix('.').map(str::to_string).unwrap_or(d);
                ParsedHost::Domain(d)
            }
            Host::Ipv4(v4) => ParsedHost::Ip(IpAddr::V4(v4)),
            Host::Ipv6(v6) => ParsedHost::Ip(IpAddr::V6(v6)),
        }
    }
}

/// Parses a bare `host` or `host:port` (IPv6 with or without brackets).
fn parse_bare_host(raw: &str) -> Result<ParsedHost, String> {
    if let Ok(v6) = raw.parse::<Ipv6Addr>() {
        return Ok(ParsedHost::Ip(IpAddr::V6(v6)));
    }
    if raw.is_empty() || raw.contains(['/', '?', '#', '@', '\\', '%']) {
        return Err(format!("'{raw}' is not a valid host name"));
    }
    let url = Url::parse(&format!("https://{raw}/")).map_err(|e| format!("'{raw}': {e}"))?;
    url.host()
        .map(ParsedHost::from_url_host)
        .ok_or_else(|| format!("'{raw}' has no host"))
}

/// Text that a human or another parser might read differently from WHATWG.
fn ambiguous_text(raw: &str) -> bool {
    raw.chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

/// One compiled allowlist entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Exact(String),
    /// `*.suffix`: matches hosts ending in `.suffix` (label boundary).
    Wildcard(String),
}

fn parse_entry(raw: &str) -> Result<Entry, String> {
    let entry = raw.trim();
    if entry.is_empty() {
        return Err("empty entry".to_string());
    }
    if ambiguous_text(entry) {
        return Err(format!(
            "'{entry}' contains whitespace or control characters"
        ));
    }
    if let Some(suffix) = entry.strip_prefix("*.") {
        if suffix.contains('*') {
            return Err(format!("'{entry}': only one leading '*.' is allowed"));
        }
        return match parse_bare_host(suffix)? {
            ParsedHost::Domain(d) if !d.is_empty() && !d.contains(':') && d != "." => {
                Ok(Entry::Wildcard(d))
            }
            _ => Err(format!("'{entry}': wildcards apply to domain names only")),
        };
    }
    if entry.contains('*') {
        return Err(format!(
            "'{entry}': wildcards must be written as '*.domain' (a bare '*' is not allowed)"
        ));
    }
    let unbracketed = entry
        .strip_prefix('[')
        .and_then(|e| e.strip_suffix(']'))
        .unwrap_or(entry);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(Entry::Exact(ip.to_string()));
    }
    // IPv6 literals were handled above, so any ':' here introduces a port.
    if entry.contains(':') {
        return Err(format!(
            "'{entry}': allowlist entries must not include a port"
        ));
    }
    let host = parse_bare_host(entry)?;
    Ok(Entry::Exact(host.key()))
}

/// The compiled network policy: an immutable allowlist.
#[derive(Debug, Clone, Default)]
pub struct NetworkPolicy {
    exact: HashSet<String>,
    wildcards: Vec<String>,
}

impl NetworkPolicy {
    /// Compiles allowlist entries; an invalid entry yields a message naming it.
    pub fn new(entries: &[String]) -> Result<Self, String> {
        let mut policy = Self::default();
        for (i, raw) in entries.iter().enumerate() {
            match parse_entry(raw) {
                Ok(Entry::Exact(h)) => {
                    policy.exact.insert(h);
                }
                Ok(Entry::Wildcard(s)) => policy.wildcards.push(s),
                Err(msg) => return Err(format!("network allowlist entry {i}: {msg}")),
            }
        }
        Ok(policy)
    }

    fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.wildcards.is_empty()
    }

    fn exactly_listed(&self, host: &str) -> bool {
        self.exact.contains(host)
    }

    /// The longest wildcard suffix matching `host` at a label boundary.
    fn wildcard_suffix(&self, host: &str) -> Option<&str> {
        self.wildcards
            .iter()
            .filter(|suffix| {
                host.len() > suffix.len() + 1
                    && host.ends_with(suffix.as_str())
                    && host.as_bytes().get(host.len() - suffix.len() - 1) == Some(&b'.')
            })
            .max_by_key(|suffix| suffix.len())
            .map(String::as_str)
    }

    /// Checks a full URL (a scheme-less value is read as `https://<value>`).
    pub fn check_url(&self, raw: &str) -> Decision {
        if let Some(denial) = shape_denial(raw) {
            return denial;
        }
        let effective = match Url::parse(raw) {
            Ok(url) if is_host_port(raw, &url) => format!("https://{raw}"),
            Ok(_) => raw.to_string(),
            Err(url::ParseError::RelativeUrlWithoutBase) if !raw.starts_with('/') => {
                format!("https://{raw}")
            }
            Err(e) => return invalid(format!("'{raw}' is not a valid URL: {e}")),
        };
        let url = match Url::parse(&effective) {
            Ok(url) => url,
            Err(e) => return invalid(format!("'{raw}' is not a valid URL: {e}")),
        };
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return Decision::deny(
                "network.scheme",
                Risk::High,
                format!(
                    "Scheme '{scheme}' is not allowed; only http and https URLs may be fetched"
                ),
            );
        }
        let Some(host) = url.host().map(ParsedHost::from_url_host) else {
            return invalid(format!("URL '{raw}' has no host"));
        };
        if has_userinfo(&effective, &url) {
            return Decision::deny(
                "network.userinfo",
                Risk::High,
                format!(
                    "URL contains credentials or an '@' before the host; the real host is '{}'",
                    host.key()
                ),
            );
        }
        self.check_parsed(&host)
    }

    /// Checks a bare `host` / `host:port` value.
    pub fn check_host(&self, raw: &str) -> Decision {
        if let Some(denial) = shape_denial(raw) {
            return denial;
        }
        if raw.contains('@') {
            let real = Url::parse(&format!("https://{raw}/"))
                .ok()
                .and_then(|u| u.host().map(|h| ParsedHost::from_url_host(h).key()))
                .unwrap_or_else(|| "unknown".to_string());
            return Decision::deny(
                "network.userinfo",
                Risk::High,
                format!("Host contains credentials or an '@'; the real host is '{real}'"),
            );
        }
        match parse_bare_host(raw) {
            Ok(host) => self.check_parsed(&host),
            Err(msg) => invalid(format!("Invalid host: {msg}")),
        }
    }

    /// Re-checks an address that an allowed host resolved to (DNS rebinding
    /// defence for the component that actually connects): restricted addresses
    /// pass only when that IP, or `host` itself, is exactly allowlisted.
    pub fn check_resolved(&self, host: &str, ip: IpAddr) -> Decision {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if self.exactly_listed(&ip.to_string()) || self.exactly_listed(&host) {
            return Decision::allow(Risk::Low);
        }
        match classify(ip) {
            Some(kind) => Decision::deny(
                kind.rule(),
                Risk::High,
                format!(
                    "Host '{host}' resolved to {ip}, which is {}; refusing to connect",
                    kind.label()
                ),
            ),
            None => Decision::allow(Risk::Low),
        }
    }

    /// Applies address, special-name, homoglyph and allowlist checks.
    pub fn check_parsed(&self, host: &ParsedHost) -> Decision {
        let key = host.key();
        if self.exactly_listed(&key) {
            return Decision::allow(Risk::Low);
        }
        if let Some(kind) = restricted_kind(host) {
            let risk = if kind == Restricted::Metadata {
                Risk::Critical
            } else {
                Risk::High
            };
            return Decision::deny(
                kind.rule(),
                risk,
                format!(
                    "Host '{key}' is {} and is not explicitly allowlisted",
                    kind.label()
                ),
            );
        }
        if let ParsedHost::Domain(domain) = host {
            // Punycode labels the operator spelled inside a wildcard suffix are
            // trusted; any other `xn--` label needs an exact entry.
            let wildcard = self.wildcard_suffix(domain);
            let own_labels = match wildcard {
                Some(suffix) => domain
                    .get(..domain.len().saturating_sub(suffix.len() + 1))
                    .unwrap_or(domain),
                None => domain.as_str(),
            };
            if own_labels.split('.').any(|label| label.starts_with("xn--")) {
                let unicode = url::quirks::domain_to_unicode(domain);
                return Decision::deny(
                    "network.homoglyph",
                    Risk::High,
                    format!(
                        "Host '{key}' (displayed as '{unicode}') is an internationalised (punycode) \
                         name that may impersonate another domain (homoglyph); only an exact \
                         allowlist entry can permit it"
                    ),
                );
            }
            if wildcard.is_some() {
                return Decision::allow(Risk::Low);
            }
        }
        if self.is_empty() {
            return Decision::deny(
                "network.not_allowlisted",
                Risk::Medium,
                format!("Host '{key}' is not allowed: the network allowlist is empty"),
            );
        }
        Decision::deny(
            "network.not_allowlisted",
            Risk::Medium,
            format!("Host '{key}' is not in the network allowlist"),
        )
    }
}

fn invalid(reason: String) -> Decision {
    Decision::deny("network.invalid_url", Risk::Medium, reason)
}

fn shape_denial(raw: &str) -> Option<Decision> {
    if raw.is_empty() {
        return Some(invalid("URL or host is empty".to_string()));
    }
    if raw.len() > MAX_URL_LEN {
        return Some(invalid(format!("URL or host exceeds {MAX_URL_LEN} bytes")));
    }
    if ambiguous_text(raw) {
        return Some(invalid(
            "URL or host contains whitespace, control characters or backslashes, which \
             URL parsers interpret inconsistently"
                .to_string(),
        ));
    }
    None
}

/// `localhost:8080` parses as scheme `localhost`; detect that `host:port` shape.
fn is_host_port(raw: &str, url: &Url) -> bool {
    !raw.contains("://")
        && !matches!(url.scheme(), "http" | "https")
        && raw
            .split_once(':')
            .is_some_and(|(_, rest)| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// Any userinfo, including an empty one (`http://@host`, `http://:@host`).
/// `text` is the string that was parsed into `url` (http/https only).
fn has_userinfo(text: &str, url: &Url) -> bool {
    if !url.username().is_empty() || url.password().is_some() {
        return true;
    }
    let after_scheme = text.get(url.scheme().len() + 1..).unwrap_or(text);
    let authority = after_scheme
        .trim_start_matches('/')
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    authority.contains('@')
}

fn restricted_kind(host: &ParsedHost) -> Option<Restricted> {
    match host {
        ParsedHost::Ip(ip) => classify(*ip),
        ParsedHost::Domain(d) => {
            if d == "localhost" || d.ends_with(".localhost") {
                Some(Restricted::Loopback)
            } else if METADATA_HOSTS.contains(&d.as_str()) {
                Some(Restricted::Metadata)
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "network_tests.rs"]
mod tests;
