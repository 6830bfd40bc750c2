//! Network use by shell commands: the destinations network clients name
//! (held to the `network_access` allowlist), reverse and bind shells, and
//! which commands send data out (sinks for exfiltration).

use url::Url;

use crate::policy::config::ShellEgress;

use super::expand::Arg;
use super::wrappers::join;
use super::{Category, RuleCtx, ShellFinding, ShellOptions};

/// Rule id of every reverse or bind shell finding.
pub(crate) const REVERSE_SHELL: &str = "shell.reverse_shell";

/// Raw socket clients and relays.
pub(crate) fn is_socket_tool(name: &str) -> bool {
    matches!(
        name,
        "nc" | "ncat"
            | "netcat"
            | "nc.openbsd"
            | "nc.traditional"
            | "pwncat"
            | "cryptcat"
            | "telnet"
            | "socat"
    )
}

/// Whether a command is a network client that talks to a peer over a raw
/// stream (so a shell piped into or out of it is remote-controlled).
pub(crate) fn is_stream_client(name: &str, args: &[Arg<'_>]) -> bool {
    is_socket_tool(name)
        || (name == "openssl" && args.first().is_some_and(|a| a.value == "s_client"))
}

/// Applies the egress and reverse-shell rules to one command.
pub(crate) fn check(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    if let Some(what) = reverse_shell(ctx.name, ctx.args) {
        out.push(reverse_shell_finding(&format!("{what}: {}", join(ctx.cmd))));
    }
    for dest in destinations(ctx.name, ctx.args) {
        if let Some(f) = judge_destination(ctx.opts, &dest, &join(ctx.cmd)) {
            out.push(f);
        }
    }
}

pub(crate) fn reverse_shell_finding(description: &str) -> ShellFinding {
    ShellFinding::new(REVERSE_SHELL, Category::ReverseShell, true, description)
}

/// `nc -e`, `ncat --sh-exec`, `socat … EXEC:`, `xterm -display host:0`.
fn reverse_shell(name: &str, args: &[Arg<'_>]) -> Option<&'static str> {
    match name {
        "nc" | "ncat" | "netcat" | "nc.openbsd" | "nc.traditional" | "cryptcat" | "pwncat" => args
            .iter()
            .any(|a| {
                let v = a.text();
                matches!(v, "--exec" | "--sh-exec" | "--lua-exec")
                    || v.starts_with("--exec=")
                    || v.starts_with("--sh-exec=")
                    || (v.len() > 1
                        && v.starts_with('-')
                        && !v.starts_with("--")
                        && v[1..].contains(['e', 'c']))
            })
            .then_some("network listener or client that runs a program"),
        "socat" => {
            let lower: Vec<String> = args.iter().map(|a| a.value.to_ascii_lowercase()).collect();
            let runs = lower
                .iter()
                .any(|a| a.starts_with("exec:") || a.starts_with("system:"));
            let networked = lower.iter().any(|a| {
                ["tcp", "udp", "openssl", "ssl", "sctp", "socks"]
                    .iter()
                    .any(|p| a.starts_with(p))
            });
            (runs && networked).then_some("socat bridging a socket to a program")
        }
        // zsh's TCP module: `ztcp host port` then a shell on `$REPLY`.
        "ztcp" => args
            .iter()
            .any(|a| !a.value.starts_with('-'))
            .then_some("zsh TCP socket opened"),
        "xterm" => args
            .iter()
            .any(|a| a.value == "-display")
            .then_some("xterm sent to a remote display"),
        _ => None,
    }
}

/// Hosts or URLs a command connects to, as written.
pub(crate) fn destinations(name: &str, args: &[Arg<'_>]) -> Vec<String> {
    let literal = |a: &&Arg| !a.dynamic && !a.subst;
    let mut out: Vec<String> = Vec::new();
    match name {
        "curl" => {
            out.extend(positionals(args, CURL_VALUED).filter(literal).map(text));
            out.extend(values_of(args, &["--url", "-x", "--proxy", "--preproxy"]));
            // `--resolve host:port:ADDR` and `--connect-to h:p:HOST:PORT` pick the real peer.
            out.extend(
                values_of(args, &["--resolve", "--connect-to"])
                    .iter()
                    .filter_map(|v| override_target(v)),
            );
        }
        "wget" | "wget2" | "aria2c" | "axel" | "lynx" | "links" | "w3m" | "xh" | "http"
        | "https" | "httpie" => {
            out.extend(
                positionals(args, WGET_VALUED)
                    .filter(literal)
                    .map(text)
                    .map(|v| httpie_shorthand(&v).unwrap_or(v))
                    .filter(|v| looks_like_url(v) || name == "wget" || name.starts_with("http")),
            );
            out.retain(|v| !is_http_method(v) && !is_httpie_item(v));
        }
        n if is_socket_tool(n) => {
            if n == "socat" {
                out.extend(args.iter().filter_map(|a| socat_host(&a.value)));
            } else if !args.iter().any(|a| is_listen_flag(a.text())) {
                out.extend(
                    positionals(args, NC_VALUED)
                        .filter(literal)
                        .take(1)
                        .map(text),
                );
            }
        }
        "openssl" if args.first().is_some_and(|a| a.value == "s_client") => {
            out.extend(values_of(args, &["-connect"]));
        }
        "ssh" | "mosh" => {
            out.extend(
                positionals(args, SSH_VALUED)
                    .filter(literal)
                    .take(1)
                    .map(text),
            );
            out.extend(values_of(args, &["-J"]));
        }
        "scp" | "sftp" | "rsync" => {
            out.extend(
                positionals(args, SSH_VALUED)
                    .filter(literal)
                    .filter_map(|a| remote_host(&a.value)),
            );
        }
        "ftp" | "lftp" | "tftp" => {
            out.extend(
                positionals(args, &["-u", "-p", "-e"])
                    .filter(literal)
                    .take(1)
                    .map(text),
            );
        }
        "git" => out.extend(git_urls(args)),
        "pip" | "pip3" | "uv" => {
            out.extend(values_of(
                args,
                &[
                    "-i",
                    "--index-url",
                    "--extra-index-url",
                    "-f",
                    "--find-links",
                    "--trusted-host",
                    "--index",
                ],
            ));
            out.extend(
                positionals(args, &[])
                    .filter(literal)
                    .map(text)
                    .filter(|v| looks_like_url(v)),
            );
        }
        "npm" | "npx" | "yarn" | "pnpm" | "bun" => {
            out.extend(values_of(args, &["--registry"]));
            out.extend(
                positionals(args, &[])
                    .filter(literal)
                    .map(text)
                    .filter(|v| v.contains("://")),
            );
        }
        "docker" | "podman" | "nerdctl" => {
            // A remote daemon: `-H tcp://10.0.0.5:2375`.
            out.extend(
                values_of(args, &["-H", "--host"])
                    .into_iter()
                    .filter(|h| h.starts_with("tcp://") || h.starts_with("ssh://")),
            );
            let pos: Vec<&Arg> = positionals(
                args,
                &[
                    "-H",
                    "--host",
                    "--context",
                    "--config",
                    "--platform",
                    "-u",
                    "--username",
                    "-p",
                    "--password",
                ],
            )
            .collect();
            if let [verb, image, ..] = pos.as_slice() {
                if matches!(verb.text(), "pull" | "push") && literal(image) {
                    out.extend(image_registry(image.text()));
                }
                if verb.text() == "login" && literal(image) {
                    out.push(image.text().to_string());
                }
            }
        }
        "helm" => {
            let pos: Vec<&Arg> =
                positionals(args, &["-n", "--namespace", "--kube-context"]).collect();
            if let [repo, add, _, url, ..] = pos.as_slice() {
                if repo.text() == "repo" && add.text() == "add" && literal(url) {
                    out.push(url.text().to_string());
                }
            }
            out.extend(values_of(args, &["--repo"]));
        }
        "cargo" => out.extend(values_of(args, &["--git", "--index", "--registry-url"])),
        "aws" => out.extend(values_of(args, &["--endpoint-url"])),
        "ztcp" => out.extend(positionals(args, &[]).filter(literal).take(1).map(text)),
        _ => {}
    }
    out
}

fn text(a: &Arg<'_>) -> String {
    a.value.to_string()
}

/// curl options that take a value.
const CURL_VALUED: &[&str] = &[
    "-o",
    "--output",
    "-H",
    "--header",
    "-d",
    "--data",
    "--data-binary",
    "--data-raw",
    "--data-urlencode",
    "--data-ascii",
    "--json",
    "-F",
    "--form",
    "--form-string",
    "-X",
    "--request",
    "-u",
    "--user",
    "-A",
    "--user-agent",
    "-e",
    "--referer",
    "-T",
    "--upload-file",
    "-b",
    "--cookie",
    "-c",
    "--cookie-jar",
    "-K",
    "--config",
    "-w",
    "--write-out",
    "-m",
    "--max-time",
    "--connect-timeout",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "-E",
    "--cert",
    "--key",
    "--cacert",
    "--capath",
    "-r",
    "--range",
    "-C",
    "--continue-at",
    "-Y",
    "-y",
    "--limit-rate",
    "-D",
    "--dump-header",
    "--url",
    "-x",
    "--proxy",
    "-U",
    "--proxy-user",
    "--interface",
    "--resolve",
    "--connect-to",
    "--oauth2-bearer",
    "--aws-sigv4",
    "-z",
    "--time-cond",
    "-Q",
    "--quote",
    "--max-filesize",
    "--netrc-file",
    "--preproxy",
    "--unix-socket",
    "--abstract-unix-socket",
    "--dns-servers",
    "--variable",
    "--expand-url",
    "--trace",
    "--trace-ascii",
    "--stderr",
    "--output-dir",
    "-P",
    "--ftp-port",
    "--cert-type",
    "--key-type",
    "--pass",
    "--tlsuser",
    "--tlspassword",
    "--proto",
    "--proto-redir",
    "--max-redirs",
    "--keepalive-time",
    "--happy-eyeballs-timeout-ms",
    "--ciphers",
    "--noproxy",
    "--hostpubmd5",
    "--hostpubsha256",
    "--pubkey",
    "--mail-from",
    "--mail-rcpt",
    "--mail-auth",
    "--sasl-authzid",
    "--login-options",
    "--socks4",
    "--socks4a",
    "--socks5",
    "--socks5-hostname",
    "--haproxy-clientip",
    "--ech",
    "--ipfs-gateway",
];

/// wget / httpie / xh options that take a value.
const WGET_VALUED: &[&str] = &[
    "-O",
    "--output-document",
    "-o",
    "--output-file",
    "-a",
    "--append-output",
    "-P",
    "--directory-prefix",
    "-U",
    "--user-agent",
    "--header",
    "--post-data",
    "--post-file",
    "--body-data",
    "--body-file",
    "--method",
    "--user",
    "--password",
    "--http-user",
    "--http-password",
    "-t",
    "--tries",
    "-T",
    "--timeout",
    "-w",
    "--wait",
    "-e",
    "--execute",
    "-i",
    "--input-file",
    "-l",
    "--level",
    "-A",
    "--accept",
    "-R",
    "--reject",
    "-D",
    "--domains",
    "--load-cookies",
    "--save-cookies",
    "--ca-certificate",
    "--certificate",
    "--private-key",
    "-a",
    "--auth",
    "--session",
    "--verify",
    "--cert",
    "--cert-key",
    "--proxy",
    "-h",
];

const NC_VALUED: &[&str] = &[
    "-p",
    "-s",
    "-w",
    "-i",
    "-q",
    "-x",
    "-X",
    "-e",
    "-c",
    "-P",
    "-O",
    "-T",
    "-V",
    "-I",
    "-W",
    "-m",
    "--exec",
    "--sh-exec",
    "--lua-exec",
    "--proxy",
    "--proxy-type",
    "--source",
    "-g",
    "-G",
];

const SSH_VALUED: &[&str] = &[
    "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-P",
    "-Q", "-R", "-S", "-W", "-w", "-B",
];

/// Non-option arguments; `valued` options consume the next one.
fn positionals<'a, 'b>(
    args: &'a [Arg<'b>],
    valued: &'a [&str],
) -> impl Iterator<Item = &'a Arg<'b>> + 'a {
    let mut skip = false;
    let mut ended = false;
    args.iter().filter(move |a| {
        let v = a.text();
        if skip {
            skip = false;
            return false;
        }
        if ended {
            return true;
        }
        if v == "--" {
            ended = true;
            return false;
        }
        if v.len() > 1 && v.starts_with('-') {
            skip = valued.contains(&v);
            return false;
        }
        true
    })
}

/// Values of `-x VALUE` and `--long=VALUE` options named in `names`.
fn values_of(args: &[Arg<'_>], names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let v = a.text();
        if names.contains(&v) {
            if let Some(next) = args.get(i + 1).filter(|n| !n.dynamic) {
                out.push(next.value.to_string());
            }
        } else if let Some(value) = names
            .iter()
            .filter(|n| n.starts_with("--"))
            .find_map(|n| v.strip_prefix(*n).and_then(|r| r.strip_prefix('=')))
        {
            if !a.dynamic {
                out.push(value.to_string());
            }
        }
    }
    out
}

fn is_listen_flag(v: &str) -> bool {
    v == "--listen"
        || (v.len() > 1 && v.starts_with('-') && !v.starts_with("--") && v.contains('l'))
}

fn looks_like_url(v: &str) -> bool {
    v.contains("://") || v.starts_with("git+")
}

fn is_http_method(v: &str) -> bool {
    matches!(
        v,
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
    )
}

/// HTTPie's `:8000/path` and `:/path` mean localhost.
fn httpie_shorthand(v: &str) -> Option<String> {
    let rest = v.strip_prefix(':')?;
    (rest.is_empty() || rest.starts_with('/') || rest.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| format!("http://localhost:{rest}"))
        .map(|u| u.replace("localhost:/", "localhost/"))
}

/// httpie request items: `name=value`, `name:=json`, `Header:value`, `field@file`.
fn is_httpie_item(v: &str) -> bool {
    !v.contains("://")
        && (v.contains('=') || v.contains('@') || (v.contains(':') && !v.contains('.')))
}

/// `TCP:host:port`, `OPENSSL:host:port`, `TCP4-CONNECT:host:port` → host.
fn socat_host(address: &str) -> Option<String> {
    let (kind, rest) = address.split_once(':')?;
    let kind = kind.to_ascii_lowercase();
    if kind.contains("listen")
        || !["tcp", "udp", "openssl", "ssl", "sctp"]
            .iter()
            .any(|p| kind.starts_with(p))
    {
        return None;
    }
    let rest = rest.split(',').next().unwrap_or(rest);
    let host = match rest.rsplit_once(':') {
        Some((host, _port)) => host,
        None => rest,
    };
    (!host.is_empty()).then(|| host.to_string())
}

/// `user@host:path`, `host:path`, `rsync://host/x` → host.
fn remote_host(v: &str) -> Option<String> {
    if v.contains("://") {
        return Some(v.to_string());
    }
    let (host, _) = v.split_once(':')?;
    if host.is_empty() || host.contains('/') {
        return None;
    }
    Some(host.rsplit('@').next().unwrap_or(host).to_string())
}

/// URLs in `git clone|fetch|pull|push|ls-remote URL`, `remote add|set-url N URL`, `submodule add URL`.
fn git_urls(args: &[Arg<'_>]) -> Vec<String> {
    let pos: Vec<&Arg> = positionals(
        args,
        &[
            "-C",
            "-c",
            "--git-dir",
            "--work-tree",
            "-b",
            "--branch",
            "--depth",
            "-o",
            "--origin",
            "--reference",
            "--template",
            "-j",
            "--jobs",
            "--filter",
            "--separate-git-dir",
        ],
    )
    .collect();
    let candidates: &[&Arg] = match pos.as_slice() {
        [sub, rest @ ..]
            if matches!(
                sub.text(),
                "clone" | "fetch" | "pull" | "push" | "ls-remote"
            ) =>
        {
            rest.get(..1).unwrap_or_default()
        }
        [sub, verb, rest @ ..]
            if sub.text() == "remote" && matches!(verb.text(), "add" | "set-url") =>
        {
            rest.get(1..2).unwrap_or_default()
        }
        [sub, verb, rest @ ..] if sub.text() == "submodule" && verb.text() == "add" => {
            rest.get(..1).unwrap_or_default()
        }
        _ => &[],
    };
    candidates
        .iter()
        .filter(|a| !a.dynamic)
        .filter_map(|a| {
            let v = a.text();
            if v.contains("://") {
                Some(v.to_string())
            } else {
                scp_like_host(v)
            }
        })
        .collect()
}

/// `git@github.com:org/repo.git` → `github.com`.
fn scp_like_host(v: &str) -> Option<String> {
    let (left, _) = v.split_once(':')?;
    if left.contains('/') || left.is_empty() {
        return None;
    }
    let host = left.rsplit('@').next().unwrap_or(left);
    host.contains('.').then(|| host.to_string())
}

/// `registry.example.com:5000/team/app:1` → `registry.example.com:5000`.
fn image_registry(image: &str) -> Option<String> {
    let (first, _) = image.split_once('/')?;
    (first.contains('.') || first.contains(':') || first == "localhost").then(|| first.to_string())
}

/// `--resolve evil.example:80:169.254.169.254` → `169.254.169.254`;
/// `--connect-to ::10.0.0.1:80` → `10.0.0.1`.
fn override_target(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.split(':').collect();
    let target = match parts.as_slice() {
        [_, _, addr] => addr.trim_start_matches('+').trim_matches(['[', ']']),
        [_, _, host, _] => host,
        _ => return None,
    };
    (!target.is_empty() && target != "*").then(|| target.to_string())
}

/// Wildcard-DNS services answer with the IPv4 address written in the name
/// (`10.0.0.1.nip.io`, `10-0-0-1.sslip.io`, `app.169.254.169.254.xip.io`).
fn embedded_ip(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let stem = [
        "nip.io",
        "sslip.io",
        "xip.io",
        "traefik.me",
        "localtest.me",
        "lvh.me",
    ]
    .iter()
    .find_map(|suffix| host.strip_suffix(suffix)?.strip_suffix('.'))?;
    if stem.is_empty() {
        return None;
    }
    let labels: Vec<&str> = stem.split('.').collect();
    for window in labels.windows(4).rev() {
        let candidate = window.join(".");
        if candidate.parse::<std::net::Ipv4Addr>().is_ok() {
            return Some(candidate);
        }
    }
    labels
        .iter()
        .rev()
        .map(|l| l.rsplit('-').take(4).collect::<Vec<_>>())
        .filter(|p| p.len() == 4)
        .map(|mut p| {
            p.reverse();
            p.join(".")
        })
        .find(|c| c.parse::<std::net::Ipv4Addr>().is_ok())
}

/// The host a destination names: a URL's host, `user@host`, `host:port`.
pub(crate) fn host_of(dest: &str) -> Option<String> {
    let dest = dest.strip_prefix("git+").unwrap_or(dest);
    if dest.contains("://") {
        let url = Url::parse(dest).ok()?;
        return url.host_str().map(str::to_string);
    }
    let after_user = dest.rsplit('@').next().unwrap_or(dest);
    let mut host_port = after_user.split('/').next().unwrap_or(after_user);
    // `host:path` (scp-like) rather than `host:port`.
    if let Some((host, rest)) = host_port.split_once(':') {
        if !rest.bytes().all(|b| b.is_ascii_digit()) && !host_port.starts_with('[') {
            host_port = host;
        }
    }
    if host_port.is_empty() || host_port.starts_with('-') {
        return None;
    }
    // Bare `host:port` or a scheme-less URL: WHATWG parsing normalises IP encodings.
    let url = Url::parse(&format!("https://{host_port}/")).ok()?;
    url.host_str().map(str::to_string)
}

/// The finding for one destination, if the policy objects to it.
pub(crate) fn judge_destination(
    opts: &ShellOptions,
    dest: &str,
    seen: &str,
) -> Option<ShellFinding> {
    let host = host_of(dest)?;
    // `169.254.169.254.nip.io` resolves to the address it spells.
    let host = embedded_ip(&host).unwrap_or(host);
    let decision = opts.network.check_host(&host);
    if decision.allowed {
        return None;
    }
    let description = format!("{seen} ({})", decision.reason);
    match decision.rule.as_str() {
        "network.invalid_url" => None,
        "network.not_allowlisted" | "network.homoglyph" => {
            if !opts.allowlist_configured && decision.rule == "network.not_allowlisted" {
                return None;
            }
            let finding = ShellFinding::new(
                "shell.egress_not_allowlisted",
                Category::Egress,
                false,
                description,
            );
            match opts.shell_egress {
                ShellEgress::Allow => None,
                ShellEgress::Deny => Some(finding),
                ShellEgress::Approval => Some(finding.needs_approval()),
            }
        }
        "network.metadata" => Some(ShellFinding::new(
            "shell.egress_metadata",
            Category::Egress,
            true,
            description,
        )),
        _ => Some(ShellFinding::new(
            "shell.egress_private_address",
            Category::Egress,
            false,
            description,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_destinations() {
        let cases = [
            ("https://user:pw@Example.COM./x", Some("example.com.")),
            ("http://0x7f000001/", Some("127.0.0.1")),
            ("2130706433", Some("127.0.0.1")),
            ("git@github.com:org/repo.git", Some("github.com")),
            ("evil.com:4444", Some("evil.com")),
            ("[::1]:80", Some("[::1]")),
            ("http://[fd00:ec2::254]/", Some("[fd00:ec2::254]")),
            ("root@10.0.0.5", Some("10.0.0.5")),
            ("", None),
        ];
        for (dest, want) in cases {
            assert_eq!(host_of(dest).as_deref(), want, "{dest}");
        }
    }

    #[test]
    fn wildcard_dns_and_overrides() {
        assert_eq!(
            embedded_ip("169.254.169.254.nip.io").as_deref(),
            Some("169.254.169.254")
        );
        assert_eq!(
            embedded_ip("app.10.0.0.1.nip.io").as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(
            embedded_ip("app-10-0-0-1.sslip.io").as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(embedded_ip("nip.io"), None);
        assert_eq!(embedded_ip("example.com"), None);
        assert_eq!(
            override_target("evil.example:80:169.254.169.254").as_deref(),
            Some("169.254.169.254")
        );
        assert_eq!(
            override_target("::10.0.0.1:80").as_deref(),
            Some("10.0.0.1")
        );
    }

    #[test]
    fn socat_and_remote_hosts() {
        assert_eq!(socat_host("TCP:10.0.0.1:4444").as_deref(), Some("10.0.0.1"));
        assert_eq!(
            socat_host("OPENSSL:evil.com:443,verify=0").as_deref(),
            Some("evil.com")
        );
        assert_eq!(socat_host("TCP-LISTEN:8080,fork"), None);
        assert_eq!(socat_host("EXEC:/bin/sh"), None);
        assert_eq!(remote_host("u@h.example:/x").as_deref(), Some("h.example"));
        assert_eq!(remote_host("./local:file"), None);
        assert_eq!(
            image_registry("ghcr.io/o/app:1").as_deref(),
            Some("ghcr.io")
        );
        assert_eq!(image_registry("library/nginx"), None);
        assert_eq!(image_registry("nginx:1.25"), None);
    }
}
