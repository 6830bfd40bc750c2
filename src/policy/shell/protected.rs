//! Where a command must not write (system trees, devices, credential stores,
//! policy-configured paths) and which files hold credentials, resolved
//! lexically from a shell argument, the script's `cd` and the working directory.

use crate::policy::paths::{normalize, Anchor, NormPath};

use super::expand::Arg;

/// Why a location is guarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guarded {
    /// A system tree (`/etc`, `/usr`, `/boot`, …).
    System,
    /// A device node other than the harmless ones (`/dev/null`, `/dev/tty`, …).
    Device,
    /// A credential store (`~/.ssh`, `~/.aws`, …).
    Credential,
    /// A path the policy file protects.
    Configured,
}

/// System trees whose every descendant is guarded against writes.
const SYSTEM_TREES: &[&[&str]] = &[
    &["etc"],
    &["boot"],
    &["usr"],
    &["bin"],
    &["sbin"],
    &["lib"],
    &["lib32"],
    &["lib64"],
    &["libx32"],
    &["var", "lib"],
    &["var", "spool", "cron"],
    &["proc"],
    &["sys"],
    &["System"],
    &["private", "etc"],
];

/// Device nodes any program may write.
const HARMLESS_DEVICES: &[&str] = &[
    "null", "stdout", "stderr", "stdin", "tty", "fd", "zero", "shm", "full", "random", "urandom",
    "tcp", "udp",
];

/// Credential stores relative to a home directory, guarded against writes.
const CREDENTIAL_STORES: &[&[&str]] = &[
    &[".ssh"],
    &[".aws"],
    &[".config", "gcloud"],
    &[".kube"],
    &[".docker", "config.json"],
    &[".netrc"],
    &[".git-credentials"],
    &[".gnupg"],
    &[".azure"],
    &[".password-store"],
];

/// Further files that hold secrets: reading them needs approval.
const SECRET_FILES: &[&[&str]] = &[
    &[".pypirc"],
    &[".npmrc"],
    &[".pgpass"],
    &[".my.cnf"],
    &[".vault-token"],
    &[".config", "gh"],
    &[".terraform.d", "credentials.tfrc.json"],
    &[".cargo", "credentials"],
    &[".cargo", "credentials.toml"],
    &[".bash_history"],
    &[".zsh_history"],
    &[".history"],
    &[".psql_history"],
    &[".mysql_history"],
    &[".python_history"],
    &[".node_repl_history"],
    &[".mozilla", "firefox"],
    &[".config", "google-chrome"],
    &[".config", "chromium"],
    &["Library", "Keychains"],
    &[".local", "share", "keyrings"],
    &[".config", "op"],
    &[".config", "hub"],
    &[".config", "doctl"],
    &[".config", "heroku"],
    &[".oci"],
    &[".s3cfg"],
    &[".boto"],
    &[".dockercfg"],
];

/// System files holding secrets.
const SYSTEM_SECRETS: &[&[&str]] = &[
    &["etc", "shadow"],
    &["etc", "gshadow"],
    &["etc", "shadow-"],
    &["etc", "security", "opasswd"],
    &["etc", "ssh", "ssh_host_rsa_key"],
    &["etc", "ssh", "ssh_host_ecdsa_key"],
    &["etc", "ssh", "ssh_host_ed25519_key"],
    &["run", "secrets"],
    &["var", "run", "secrets"],
    &["etc", "kubernetes", "admin.conf"],
    &["etc", "kubernetes", "pki"],
    &["etc", "rancher", "k3s", "k3s.yaml"],
    &["var", "lib", "rancher", "k3s", "server", "token"],
];

/// Files in `~/.ssh` that hold no secret.
const SSH_PUBLIC: &[&str] = &[
    "known_hosts",
    "known_hosts.old",
    "config",
    "authorized_keys",
];

/// Where a path argument points, with every reading an unknown variable allows.
pub(crate) struct Located {
    pub paths: Vec<NormPath>,
}

/// Resolves `arg` against the script's `cd` base and the working directory.
///
/// A dynamic argument yields the path it names if its unknown variables are
/// empty, and, when `..` climbs above a leading variable (`$TMPDIR/../etc`),
/// the absolute path the rest names from the root.
pub(crate) fn locate(arg: &Arg, base: Option<&str>, cwd: Option<&str>) -> Located {
    let mut texts: Vec<String> = Vec::new();
    if arg.dynamic {
        texts.extend(arg.if_empty.clone());
        texts.extend(climb_above_variable(&arg.value));
    } else {
        texts.push(arg.value.to_string());
    }
    let cwd_path = cwd.and_then(|c| normalize(c, None).ok());
    let paths = texts
        .iter()
        .filter_map(|t| {
            let joined;
            let text = match base {
                Some(b) if !t.starts_with('/') && !t.starts_with('~') && !t.starts_with('$') => {
                    joined = format!("{b}/{t}");
                    &joined
                }
                _ => t.as_str(),
            };
            let base_path = match (base, &cwd_path) {
                (Some(b), Some(c)) if b.starts_with('/') => normalize(b, Some(c)).ok(),
                _ => cwd_path.clone(),
            };
            normalize(text, base_path.as_ref().filter(|_| !text.starts_with('/')))
                .ok()
                .map(|p| anchor_home(p, cwd_path.as_ref()))
        })
        .collect();
    Located { paths }
}

/// Where a literal path (a file tool's target, not a shell word) points from `cwd`.
pub(crate) fn locate_literal(path: &str, cwd: Option<&str>) -> Option<NormPath> {
    locate(&Arg::literal(path), None, cwd)
        .paths
        .into_iter()
        .next()
}

/// `$X/../etc` → `/etc`: what the path names if `..` climbs out of `$X`.
pub(crate) fn climb_above_variable(value: &str) -> Option<String> {
    let rest = value.strip_prefix('$')?;
    let rest = if let Some(r) = rest.strip_prefix('{') {
        &r[r.find('}')? + 1..]
    } else {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        &rest[end..]
    };
    let mut depth = 0usize;
    for (i, part) in rest.split('/').enumerate() {
        match part {
            "" | "." => {}
            ".." if depth == 0 => {
                let tail: Vec<&str> = rest.split('/').skip(i + 1).collect();
                return Some(format!("/{}", tail.join("/")));
            }
            ".." => depth -= 1,
            _ => depth += 1,
        }
    }
    None
}

/// `~/x` seen from a working directory inside a home directory is that home's `x`.
fn anchor_home(path: NormPath, cwd: Option<&NormPath>) -> NormPath {
    if path.anchor != Anchor::Home {
        return path;
    }
    let Some(home) = cwd.and_then(home_of) else {
        return path;
    };
    let mut parts = home;
    parts.extend(path.parts);
    NormPath {
        anchor: Anchor::Root,
        parts,
        escaped: path.escaped,
    }
}

/// `/home/u`, `/Users/u` or `/root` when `cwd` lies inside it.
pub(crate) fn home_of(cwd: &NormPath) -> Option<Vec<String>> {
    if cwd.anchor != Anchor::Root {
        return None;
    }
    match cwd.parts.as_slice() {
        [area, user, ..] if area == "home" || area == "Users" => {
            Some(vec![area.clone(), user.clone()])
        }
        [root, ..] if root == "root" => Some(vec![root.clone()]),
        _ => None,
    }
}

/// The parts of `path` below a home directory, if it lies in one.
fn below_home(path: &NormPath) -> Option<&[String]> {
    match path.anchor {
        Anchor::Home => Some(&path.parts),
        Anchor::Root => match path.parts.as_slice() {
            [area, _, rest @ ..] if area == "home" || area == "Users" => Some(rest),
            [root, rest @ ..] if root == "root" => Some(rest),
            _ => None,
        },
        Anchor::Relative => None,
    }
}

fn starts_with(parts: &[String], prefix: &[&str]) -> bool {
    parts.len() >= prefix.len() && parts.iter().zip(prefix).all(|(a, b)| a == b)
}

/// Whether writing `path` touches a guarded location, and which.
pub(crate) fn write_guard(path: &NormPath, configured: &[NormPath]) -> Option<Guarded> {
    if configured.iter().any(|c| within(path, c)) {
        return Some(Guarded::Configured);
    }
    if path.anchor == Anchor::Root {
        match path.parts.as_slice() {
            [dev, name, ..] if dev == "dev" => {
                return (!HARMLESS_DEVICES.contains(&name.as_str())).then_some(Guarded::Device)
            }
            parts if SYSTEM_TREES.iter().any(|t| starts_with(parts, t)) => {
                return Some(Guarded::System)
            }
            _ => {}
        }
    }
    let home = below_home(path)?;
    CREDENTIAL_STORES
        .iter()
        .any(|s| starts_with(home, s))
        .then_some(Guarded::Credential)
}

/// Whether `path` is `pattern` or lies below it (`*` matches one component).
pub(crate) fn within(path: &NormPath, pattern: &NormPath) -> bool {
    let anchors = path.anchor == pattern.anchor
        || (pattern.anchor == Anchor::Home && below_home(path).is_some());
    if !anchors {
        return false;
    }
    let parts = if pattern.anchor == Anchor::Home {
        below_home(path).unwrap_or(&path.parts)
    } else {
        &path.parts
    };
    parts.len() >= pattern.parts.len()
        && parts
            .iter()
            .zip(&pattern.parts)
            .all(|(a, b)| b == "*" || a == b)
}

/// A file whose content is a credential: a store's private files, secret
/// dot-files, shell histories, `/etc/shadow`, `.env` files, private keys,
/// process environments.
pub(crate) fn holds_credentials(path: &NormPath) -> bool {
    let name = path.parts.last().map(String::as_str).unwrap_or_default();
    if is_env_file(name) || is_private_key_name(name) {
        return true;
    }
    if path.anchor == Anchor::Root {
        let parts = path.parts.as_slice();
        if SYSTEM_SECRETS.iter().any(|s| starts_with(parts, s)) {
            return true;
        }
        if let [proc_dir, _, environ] = parts {
            if proc_dir == "proc" && environ == "environ" {
                return true;
            }
        }
    }
    let Some(home) = below_home(path) else {
        return false;
    };
    if let [ssh, rest @ ..] = home {
        if ssh == ".ssh" {
            return match rest {
                [] => true,
                [file, ..] => !(file.ends_with(".pub") || SSH_PUBLIC.contains(&file.as_str())),
            };
        }
    }
    CREDENTIAL_STORES
        .iter()
        .chain(SECRET_FILES)
        .any(|s| starts_with(home, s))
}

/// `.env`, `.env.production`, but not `.env.example` and other templates.
fn is_env_file(name: &str) -> bool {
    if name == ".env" {
        return true;
    }
    let Some(suffix) = name.strip_prefix(".env.") else {
        return false;
    };
    !matches!(
        suffix,
        "example" | "sample" | "template" | "dist" | "defaults" | "schema" | "tpl" | "in"
    )
}

/// Private keys and credential files by name: `id_rsa*` (not `.pub`),
/// `*.key`, `*.p12`, `*.pfx`, `*.jks`, `*.keystore`, `*.ppk`, service-account
/// and `credentials.json` files, `.htpasswd`.
fn is_private_key_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let ssh_key = ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"]
        .iter()
        .any(|k| lower.starts_with(k))
        && !lower.ends_with(".pub");
    ssh_key
        || [".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk"]
            .iter()
            .any(|ext| lower.ends_with(ext) && lower.len() > ext.len())
        || (lower.starts_with("service-account") && lower.ends_with(".json"))
        || matches!(
            lower.as_str(),
            "credentials.json" | "client_secret.json" | ".htpasswd" | "master.key"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(value: &str, cwd: Option<&str>) -> Vec<String> {
        let arg = if value.contains('$') {
            Arg {
                value: value.into(),
                dynamic: true,
                ..Arg::default()
            }
        } else {
            Arg::literal(value)
        };
        locate(&arg, None, cwd)
            .paths
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn locates_relative_home_and_climbing_variables() {
        assert_eq!(loc("x/../../etc", Some("/home/u/p")), ["/home/u/etc"]);
        assert_eq!(
            loc("../../../etc/passwd", Some("/home/u/p")),
            ["/etc/passwd"]
        );
        assert_eq!(
            loc("~/.ssh/id_rsa", Some("/home/u/p")),
            ["/home/u/.ssh/id_rsa"]
        );
        assert_eq!(loc("~/.ssh/id_rsa", Some("/srv/app")), ["~/.ssh/id_rsa"]);
        assert_eq!(loc("$TMPDIR/../etc", None), ["/etc"]);
        assert_eq!(loc("${TMP}/../../etc/x", None), ["/etc/x"]);
        assert!(loc("$PROJECT/etc/app.conf", None).is_empty());
    }

    fn guard(p: &str) -> Option<Guarded> {
        write_guard(&normalize(p, None).expect("path"), &[])
    }

    #[test]
    fn write_guards() {
        assert_eq!(guard("/etc/passwd"), Some(Guarded::System));
        assert_eq!(guard("/usr/local/bin/x"), Some(Guarded::System));
        assert_eq!(guard("/var/lib/dpkg/status"), Some(Guarded::System));
        assert_eq!(guard("/dev/sda"), Some(Guarded::Device));
        assert_eq!(guard("~/.ssh/authorized_keys"), Some(Guarded::Credential));
        assert_eq!(guard("/root/.aws/credentials"), Some(Guarded::Credential));
        assert_eq!(
            guard("/home/u/.docker/config.json"),
            Some(Guarded::Credential)
        );
        for free in [
            "/dev/null",
            "/dev/stderr",
            "/dev/fd/3",
            "/tmp/x",
            "/var/log/app.log",
            "~/.bashrc",
            "~/.docker/daemon.json",
            "build/out",
        ] {
            assert_eq!(guard(free), None, "{free}");
        }
        let configured = [normalize("/srv/data", None).expect("path")];
        let p = normalize("/srv/data/db/x", None).expect("path");
        assert_eq!(write_guard(&p, &configured), Some(Guarded::Configured));
    }

    #[test]
    fn credential_files() {
        let holds = |p: &str| holds_credentials(&normalize(p, None).expect("path"));
        for yes in [
            "~/.ssh/id_rsa",
            "~/.ssh",
            "/home/u/.aws/credentials",
            "~/.config/gcloud/application_default_credentials.json",
            "/etc/shadow",
            ".env",
            "app/.env.production",
            "~/.bash_history",
            "/proc/1/environ",
            "keys/id_ed25519",
            "~/.kube/config",
        ] {
            assert!(holds(yes), "{yes}");
        }
        for no in [
            "~/.ssh/id_rsa.pub",
            "~/.ssh/known_hosts",
            "~/.ssh/config",
            ".env.example",
            "/etc/passwd",
            "~/.bashrc",
            "README.md",
        ] {
            assert!(!holds(no), "{no}");
        }
    }
}
