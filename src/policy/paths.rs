//! Delete-files policy: lexical path normalisation and protected-location matching.
//!
//! Paths are resolved without touching the filesystem (`/tmp/../etc` → `/etc`,
//! `~`/`$HOME` kept symbolic). A deletion is denied when the target *is*, is
//! *inside* (for subtree entries) or *contains* a protected location.

use std::fmt;

use super::decision::{Decision, Risk};

/// Where a normalised path is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Absolute (`/…`).
    Root,
    /// The (some) user's home directory (`~`, `~user`, `$HOME`).
    Home,
    /// Relative to an unknown working directory.
    Relative,
}

/// A lexically normalised path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormPath {
    /// Anchor of the path.
    pub anchor: Anchor,
    /// Components, none of them empty, `.` or `..`.
    pub parts: Vec<String>,
    /// A `..` climbed above a home or relative anchor (location unknown).
    pub escaped: bool,
}

impl fmt::Display for NormPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joined = self.parts.join("/");
        match (self.anchor, joined.is_empty()) {
            (Anchor::Root, _) => write!(f, "/{joined}"),
            (Anchor::Home, true) => f.write_str("~"),
            (Anchor::Home, false) => write!(f, "~/{joined}"),
            (Anchor::Relative, true) => f.write_str("."),
            (Anchor::Relative, false) => f.write_str(&joined),
        }
    }
}

/// Normalises `raw`, resolving a relative path against `cwd` when given.
pub fn normalize(raw: &str, cwd: Option<&NormPath>) -> Result<NormPath, String> {
    if raw.is_empty() {
        return Err("path must not be empty".to_string());
    }
    if raw.contains('\0') {
        return Err("path must not contain NUL bytes".to_string());
    }
    let (mut path, rest) = if let Some(rest) = raw.strip_prefix('/') {
        (start(Anchor::Root), rest)
    } else if let Some(rest) = home_rest(raw) {
        (start(Anchor::Home), rest)
    } else if let Some(base) = cwd {
        (base.clone(), raw)
    } else {
        (start(Anchor::Relative), raw)
    };
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if path.parts.pop().is_none() && path.anchor != Anchor::Root {
                    path.escaped = true;
                }
            }
            other => path.parts.push(other.to_string()),
        }
    }
    Ok(path)
}

fn start(anchor: Anchor) -> NormPath {
    NormPath {
        anchor,
        parts: Vec::new(),
        escaped: false,
    }
}

/// The remainder after a home prefix (`~`, `~user`, `$HOME`, `${HOME}`), if any.
fn home_rest(raw: &str) -> Option<&str> {
    for prefix in ["$HOME", "${HOME}"] {
        if let Some(rest) = raw.strip_prefix(prefix) {
            if rest.is_empty() || rest.starts_with('/') {
                return Some(rest);
            }
        }
    }
    let rest = raw.strip_prefix('~')?;
    // `~user/...`: another user's home is still a home directory.
    Some(rest.find('/').map_or("", |i| &rest[i..]))
}

/// Category of a protected location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    System,
    Home,
    Credentials,
    Configured,
}

impl Kind {
    fn rule(self) -> &'static str {
        match self {
            Kind::Root => "paths.root",
            Kind::System => "paths.system",
            Kind::Home => "paths.home",
            Kind::Credentials => "paths.credentials",
            Kind::Configured => "paths.protected",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Root => "the filesystem root",
            Kind::System => "the system directory",
            Kind::Home => "the home directory",
            Kind::Credentials => "the credential store",
            Kind::Configured => "the protected path",
        }
    }

    fn risk(self) -> Risk {
        match self {
            Kind::Configured => Risk::High,
            _ => Risk::Critical,
        }
    }
}

/// A protected location; a `*` component matches any single component.
#[derive(Debug, Clone)]
struct Pattern {
    path: NormPath,
    kind: Kind,
    /// Also protect everything below it.
    subtree: bool,
}

/// System trees whose every descendant is protected.
const SYSTEM_TREES: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/proc",
    "/sbin",
    "/sys",
    "/usr",
    "/var/lib",
    "/System",
    "/private/etc",
    "/private/var/db",
];
/// System directories protected themselves (their contents may be managed).
const SYSTEM_DIRS: &[&str] = &[
    "/var",
    "/opt",
    "/srv",
    "/run",
    "/tmp",
    "/var/tmp",
    "/var/log",
    "/mnt",
    "/media",
    "/home",
    "/Users",
    "/snap",
    "/nix",
    "/Applications",
    "/Library",
    "/private",
    "/Volumes",
];
/// Home directory roots.
const HOME_ROOTS: &[&str] = &["/home/*", "/Users/*", "/root", "~"];
/// Credential stores, relative to a home directory.
const CREDENTIALS: &[&str] = &[
    ".ssh",
    ".aws",
    ".gnupg",
    ".kube",
    ".docker/config.json",
    ".config/gcloud",
    ".netrc",
    ".azure",
    ".git-credentials",
    ".password-store",
    ".pypirc",
    ".npmrc",
    ".vault-token",
    ".config/gh",
    ".terraform.d/credentials.tfrc.json",
    ".cargo/credentials.toml",
    ".cargo/credentials",
];

/// Compiled delete-files policy.
#[derive(Debug, Clone)]
pub struct PathPolicy {
    patterns: Vec<Pattern>,
}

impl PathPolicy {
    /// Builds the policy with built-in locations plus `protected` (absolute or `~/…`).
    pub fn new(protected: &[String]) -> Result<Self, String> {
        let mut patterns = vec![Pattern {
            path: start(Anchor::Root),
            kind: Kind::Root,
            subtree: false,
        }];
        let mut add = |text: &str, kind: Kind, subtree: bool| {
            if let Ok(path) = normalize(text, None) {
                patterns.push(Pattern {
                    path,
                    kind,
                    subtree,
                });
            }
        };
        SYSTEM_TREES.iter().for_each(|p| add(p, Kind::System, true));
        SYSTEM_DIRS.iter().for_each(|p| add(p, Kind::System, false));
        HOME_ROOTS.iter().for_each(|p| add(p, Kind::Home, false));
        for home in HOME_ROOTS {
            for cred in CREDENTIALS {
                add(&format!("{home}/{cred}"), Kind::Credentials, true);
            }
        }
        for (i, raw) in protected.iter().enumerate() {
            let path = normalize(raw.trim(), None)
                .map_err(|e| format!("protected path {i} ('{raw}'): {e}"))?;
            if path.anchor == Anchor::Relative || path.escaped {
                return Err(format!(
                    "protected path {i} ('{raw}') must be absolute or start with '~/'"
                ));
            }
            patterns.push(Pattern {
                path,
                kind: Kind::Configured,
                subtree: true,
            });
        }
        Ok(Self { patterns })
    }

    /// Validates a working directory (must be absolute or home-relative).
    pub fn parse_cwd(raw: &str) -> Result<NormPath, String> {
        let cwd = normalize(raw, None)?;
        if cwd.anchor == Anchor::Relative || cwd.escaped {
            return Err(format!("'{raw}' must be an absolute path"));
        }
        Ok(cwd)
    }

    /// Denial for the first protected target among `paths`, with every problem
    /// as findings; `Ok(None)` when all targets may be deleted.
    pub fn check(
        &self,
        paths: &[&str],
        cwd: Option<&NormPath>,
    ) -> Result<Option<Decision>, String> {
        let mut first: Option<Decision> = None;
        let mut findings = Vec::new();
        for raw in paths {
            let target = normalize(raw, cwd).map_err(|e| format!("'{raw}': {e}"))?;
            if let Some(denial) = self.check_one(raw, &target) {
                findings.push(denial.reason.clone());
                first.get_or_insert(denial);
            }
        }
        Ok(first.map(|d| d.with_findings(findings)))
    }

    fn check_one(&self, raw: &str, target: &NormPath) -> Option<Decision> {
        let shown = describe(raw, target);
        if target.escaped || (target.anchor == Anchor::Relative && target.parts.is_empty()) {
            return Some(Decision::deny(
                "paths.unresolved",
                Risk::High,
                format!(
                    "Deletion of {shown} is denied: the location cannot be resolved \
                     (it leaves its home or working directory, or is the working directory itself)"
                ),
            ));
        }
        self.patterns.iter().find_map(|pattern| {
            let relation = relation(target, pattern)?;
            Some(Decision::deny(
                pattern.kind.rule(),
                pattern.kind.risk(),
                format!(
                    "Deletion of {shown} is denied: {relation} {} '{}'",
                    pattern.kind.label(),
                    pattern.path
                ),
            ))
        })
    }
}

fn describe(raw: &str, target: &NormPath) -> String {
    let norm = target.to_string();
    if norm == raw {
        format!("'{raw}'")
    } else {
        format!("'{raw}' (resolves to '{norm}')")
    }
}

/// How `target` relates to `pattern`, if it touches it.
fn relation(target: &NormPath, pattern: &Pattern) -> Option<&'static str> {
    let anchors_match = target.anchor == pattern.path.anchor
        // A relative path may well be run from a home directory.
        || (target.anchor == Anchor::Relative
            && pattern.path.anchor == Anchor::Home
            && pattern.kind == Kind::Credentials);
    if !anchors_match {
        return None;
    }
    let (t, p) = (&target.parts, &pattern.path.parts);
    if !t.iter().zip(p.iter()).all(|(a, b)| component_matches(a, b)) {
        return None;
    }
    let globbed = t.iter().any(|c| c.contains(['*', '?', '[']));
    match t.len().cmp(&p.len()) {
        std::cmp::Ordering::Equal if globbed => Some("its pattern matches"),
        std::cmp::Ordering::Equal => Some("it is"),
        std::cmp::Ordering::Less => Some("it contains"),
        std::cmp::Ordering::Greater if pattern.subtree => Some("it is inside"),
        std::cmp::Ordering::Greater => None,
    }
}

/// `*` in the pattern, or any glob metacharacter in the target, matches anything.
fn component_matches(target: &str, pattern: &str) -> bool {
    pattern == "*" || target == pattern || target.contains(['*', '?', '['])
}

#[cfg(test)]
#[path = "paths_tests.rs"]
mod tests;
