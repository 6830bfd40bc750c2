//! Credential access and exfiltration: which commands read a file holding
//! credentials (or dump the environment), and which send data to the network.

use super::expand::Arg;
use super::net_rules::is_stream_client;
use super::protected::{holds_credentials, locate};
use super::wrappers::is_opt;
use super::write_rules::Place;

/// Programs that name a credential file without printing it: they use a
/// key (`ssh -i`), test or list it, change its mode, or take a kubeconfig.
const USES_WITHOUT_READING: &[&str] = &[
    "chmod",
    "chown",
    "chgrp",
    "ls",
    "stat",
    "file",
    "test",
    "[",
    "[[",
    "mkdir",
    "touch",
    "rm",
    "rmdir",
    "shred",
    "unlink",
    "ssh",
    "ssh-add",
    "ssh-keygen",
    "ssh-copy-id",
    "ssh-agent",
    "kubectl",
    "helm",
    "k9s",
    "terraform",
    "tofu",
    "docker",
    "podman",
    "git",
    "export",
    "source",
    ".",
    "echo",
    "printf",
    "cd",
    "pushd",
    "realpath",
    "readlink",
    "dirname",
    "basename",
    "which",
    "type",
    "ln",
    "chattr",
    "lsattr",
    "du",
    "wc",
    "find",
    "tee",
    "install",
    "sops",
    "ansible-playbook",
    "ansible",
    "vault",
    "op",
    "direnv",
    "dotenv",
    "docker-compose",
    "compose",
    "npm",
    "yarn",
    "pnpm",
    "env",
    "set",
    "declare",
    "local",
    "readonly",
    "unset",
];

/// Options whose value is a key or config file a tool uses, not reads out.
fn key_options(name: &str) -> &'static [&'static str] {
    match name {
        "scp" | "sftp" | "rsync" => &["-i", "-F", "-o", "-J", "-e", "--rsh", "-P", "-S"],
        "curl" => &[
            "-E",
            "--cert",
            "--key",
            "--cacert",
            "--netrc-file",
            "-K",
            "--config",
        ],
        // Key generation writes these.
        "openssl" => &["-keyout", "-out", "-signkey"],
        _ => &[
            "--kubeconfig",
            "--env-file",
            "--identity",
            "--private-key",
            "--config",
            "--key-file",
            "--credential-file",
            "--cred-file",
        ],
    }
}

/// A credential file `args` read, described for the reason.
pub(crate) fn credential_read(name: &str, args: &[Arg<'_>], place: &Place) -> Option<String> {
    if USES_WITHOUT_READING.contains(&name) {
        return None;
    }
    let key_options = key_options(name);
    let mut skip = false;
    let last = args.iter().rposition(|a| !is_opt(a.text()));
    for (i, a) in args.iter().enumerate() {
        let v = a.text();
        if skip {
            skip = false;
            continue;
        }
        if key_options.contains(&v) {
            skip = true;
            continue;
        }
        // Copies read their sources, not their destination.
        if matches!(name, "cp" | "mv" | "rsync" | "scp") && Some(i) == last {
            continue;
        }
        for candidate in read_paths(name, a) {
            if names_credentials(candidate, a, place) {
                return Some(candidate.to_string());
            }
        }
    }
    None
}

/// The file arguments an argument reads: itself, `@file` data, `if=file`, `--post-file=file`.
fn read_paths<'a>(name: &str, a: &'a Arg<'_>) -> Vec<&'a str> {
    let v = a.text();
    let mut out = Vec::new();
    if let Some(file) = v
        .split_once('@')
        .map(|(_, f)| f)
        .filter(|f| !f.is_empty() && *f != "-")
    {
        if matches!(name, "curl" | "http" | "https" | "xh" | "httpie") {
            out.push(file.split(';').next().unwrap_or(file));
        }
    }
    // `socat FILE:~/.ssh/id_rsa …`, `curl file:///etc/shadow`.
    let lower = v
        .get(..v.len().min(6))
        .unwrap_or_default()
        .to_ascii_lowercase();
    for prefix in ["file:", "open:", "gopen:"] {
        if lower.starts_with(prefix) && name != "curl" {
            out.push(&v[prefix.len()..]);
        }
    }
    if let Some(path) = v.strip_prefix("file://") {
        out.push(path);
    }
    for prefix in [
        "if=",
        "--post-file=",
        "--body-file=",
        "--upload-file=",
        "--key-file=",
    ] {
        if let Some(file) = v.strip_prefix(prefix) {
            out.push(file);
        }
    }
    if !is_opt(v) {
        out.push(v);
    }
    out
}

fn names_credentials(candidate: &str, original: &Arg<'_>, place: &Place) -> bool {
    let arg = Arg {
        value: candidate.to_string().into(),
        ..original.clone()
    };
    locate(&arg, place.base, place.cwd)
        .paths
        .iter()
        .any(holds_credentials)
}

/// Whether a command prints secrets it does not take from a file: the
/// whole environment (`env`, `printenv`, `set`), the shell history, or a
/// token a credential helper or cloud CLI hands out. Harmless alone (and
/// everyday: `gcloud auth print-access-token | docker login …`), exfiltration
/// when the same command sends data out.
pub(crate) fn prints_secrets(name: &str, args: &[Arg<'_>]) -> bool {
    let words: Vec<&str> = args
        .iter()
        .map(|a| a.text())
        .filter(|v| !is_opt(v))
        .collect();
    let has = |sub: &[&str]| words.windows(sub.len()).any(|w| w == sub);
    match name {
        "env" => args.iter().all(|a| is_opt(a.text())),
        "printenv" => {
            args.iter().all(|a| is_opt(a.text())) || args.iter().any(|a| is_secret_name(a.text()))
        }
        // `echo $AWS_SECRET_ACCESS_KEY | curl -d @- …`
        "echo" | "printf" => args.iter().any(|a| {
            a.dynamic
                && a.text()
                    .split('$')
                    .skip(1)
                    .any(|v| is_secret_name(v.trim_start_matches('{')))
        }),
        "set" | "declare" | "typeset" => args.is_empty() || args.iter().all(|a| a.value == "-p"),
        "export" => args.iter().all(|a| a.value == "-p"),
        "history" | "fc" => true,
        "aws" => {
            has(&["configure", "get"])
                || has(&["configure", "export-credentials"])
                || has(&["sts", "get-session-token"])
        }
        "gcloud" => {
            has(&["print-access-token"])
                || has(&["print-identity-token"])
                || has(&["print-refresh-token"])
        }
        "az" => has(&["get-access-token"]),
        "gh" | "glab" => has(&["auth", "token"]),
        "kubectl" | "oc" => {
            has(&["config", "view"]) && args.iter().any(|a| a.value == "--raw")
                || (has(&["get", "secret"])
                    || has(&["get", "secrets"])
                    || has(&["describe", "secret"]))
                || has(&["create", "token"])
        }
        "git" => has(&["credential", "fill"]),
        "security" => {
            has(&["find-generic-password"])
                || has(&["find-internet-password"])
                || has(&["dump-keychain"])
        }
        "vault" => has(&["read"]) || has(&["kv", "get"]) || has(&["token", "lookup"]),
        "op" => has(&["read"]) || has(&["item", "get"]),
        "pass" | "gopass" => has(&["show"]) || words.len() == 1,
        "secret-tool" => has(&["lookup"]),
        "gpg" | "gpg2" => args.iter().any(|a| a.value.starts_with("--export-secret")),
        n => n.starts_with("docker-credential-") && has(&["get"]),
    }
}

/// A variable name that by convention holds a secret (`GITHUB_TOKEN`,
/// `AWS_SECRET_ACCESS_KEY`, `DB_PASSWORD`, `OPENAI_API_KEY`).
fn is_secret_name(text: &str) -> bool {
    let name: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "ACCESS_KEY",
    ]
    .iter()
    .any(|marker| name.contains(marker))
}

/// Whether a command sends data to the network: uploads, raw sockets, copies
/// to a remote, mail, DNS lookups of computed names.
pub(crate) fn is_sink(name: &str, args: &[Arg<'_>], appended: bool) -> bool {
    let has = |names: &[&str]| {
        args.iter().any(|a| {
            let v = a.text();
            names.iter().any(|n| {
                v == *n
                    || (n.starts_with("--") && v.starts_with(n) && v[n.len()..].starts_with('='))
            })
        })
    };
    // `xargs curl …/?d={}` puts piped data into the request as much as `$(…)` does.
    let computed = appended || args.iter().any(|a| a.subst);
    match name {
        "curl" => {
            computed
                || has(&[
                    "-d",
                    "--data",
                    "--data-binary",
                    "--data-raw",
                    "--data-urlencode",
                    "--data-ascii",
                    "--json",
                    "-F",
                    "--form",
                    "-T",
                    "--upload-file",
                ])
                || args.iter().any(|a| {
                    let v = a.text();
                    v.len() > 2 && v.starts_with("-d") && !v.starts_with("--")
                })
        }
        "wget" | "wget2" => {
            computed
                || has(&[
                    "--post-file",
                    "--post-data",
                    "--body-file",
                    "--body-data",
                    "--method",
                ])
        }
        "http" | "https" | "xh" | "httpie" => true,
        "ssh" | "scp" | "sftp" | "rsync" | "ftp" | "lftp" | "tftp" | "mail" | "mailx"
        | "sendmail" | "mutt" | "rclone" => true,
        "dig" | "nslookup" | "host" | "ping" => computed,
        "aws" => {
            args.iter().any(|a| a.value.starts_with("s3://"))
                && args
                    .iter()
                    .any(|a| matches!(a.text(), "cp" | "sync" | "mv"))
        }
        "gsutil" => args.iter().any(|a| a.value.starts_with("gs://")),
        _ => is_stream_client(name, args),
    }
}
