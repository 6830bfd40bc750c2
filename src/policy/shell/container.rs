//! Commands run inside containers, pods and namespaces (`docker exec|run`,
//! `docker compose exec|run`, podman, nerdctl, `kubectl exec|debug … --`,
//! `nsenter`, `lxc exec`): where the payload starts and which host
//! directories it can reach through bind mounts.

use super::expand::Arg;
use super::paths::{classify, PathClass};
use super::wrappers::option_value;

/// The command a container tool runs.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Payload {
    /// Index of the payload command in the tool's arguments (may be past
    /// the end when only an `--entrypoint` runs).
    pub start: usize,
    /// `--entrypoint X`: X runs with the payload as its arguments.
    pub entrypoint: Option<String>,
    /// Protected host directories bind-mounted: (host, container path).
    pub mounts: Vec<(String, String)>,
    /// `--privileged`.
    pub privileged: bool,
}

impl Payload {
    /// The host root (or a system directory) is mounted and the container
    /// is privileged: it can do anything to the host.
    pub(crate) fn privileged_host(&self) -> bool {
        self.privileged && !self.mounts.is_empty()
    }
}

const ENGINE_SHORT: &str = "Hcl";
const ENGINE_LONG: &[&str] = &[
    "host",
    "context",
    "config",
    "log-level",
    "tlscacert",
    "tlscert",
    "tlskey",
];
const RUN_SHORT: &str = "aceEhlmpuvw";
const RUN_LONG: &[&str] = &[
    "add-host",
    "annotation",
    "attach",
    "blkio-weight",
    "cap-add",
    "cap-drop",
    "cgroup-parent",
    "cgroupns",
    "cidfile",
    "cpu-period",
    "cpu-quota",
    "cpu-shares",
    "cpus",
    "cpuset-cpus",
    "cpuset-mems",
    "detach-keys",
    "device",
    "dns",
    "dns-option",
    "dns-search",
    "domainname",
    "entrypoint",
    "env",
    "env-file",
    "expose",
    "gpus",
    "group-add",
    "health-cmd",
    "health-interval",
    "health-retries",
    "health-timeout",
    "hostname",
    "index",
    "ip",
    "ip6",
    "ipc",
    "isolation",
    "label",
    "label-file",
    "link",
    "log-driver",
    "log-opt",
    "mac-address",
    "memory",
    "memory-swap",
    "mount",
    "name",
    "network",
    "network-alias",
    "pid",
    "pids-limit",
    "platform",
    "publish",
    "pull",
    "restart",
    "runtime",
    "security-opt",
    "shm-size",
    "stop-signal",
    "stop-timeout",
    "storage-opt",
    "sysctl",
    "tmpfs",
    "ulimit",
    "user",
    "userns",
    "uts",
    "volume",
    "volume-driver",
    "volumes-from",
    "workdir",
];
const COMPOSE_SHORT: &str = "fp";
const COMPOSE_LONG: &[&str] = &[
    "file",
    "project-name",
    "profile",
    "env-file",
    "project-directory",
    "ansi",
    "progress",
    "parallel",
];

/// The payload of a container tool invocation, if it runs one.
pub(crate) fn payload(name: &str, args: &[Arg<'_>]) -> Option<Payload> {
    match name {
        "docker" | "podman" | "nerdctl" => engine(args),
        "docker-compose" | "podman-compose" => compose(args, 0),
        "kubectl" | "oc" => kubectl(args),
        "nsenter" => nsenter(args),
        "lxc" | "incus" => lxc(args),
        _ => None,
    }
}

fn engine(args: &[Arg<'_>]) -> Option<Payload> {
    let mut i = skip(args, 0, ENGINE_SHORT, ENGINE_LONG);
    if args.get(i)?.value == "container" {
        i += 1;
    }
    match args.get(i)?.text() {
        "exec" | "run" => run_like(args, i + 1),
        "compose" => compose(args, i + 1),
        _ => None,
    }
}

fn compose(args: &[Arg<'_>], i: usize) -> Option<Payload> {
    let i = skip(args, i, COMPOSE_SHORT, COMPOSE_LONG);
    match args.get(i)?.text() {
        "exec" | "run" => run_like(args, i + 1),
        _ => None,
    }
}

/// `[OPTIONS] IMAGE|CONTAINER|SERVICE [COMMAND …]`.
fn run_like(args: &[Arg<'_>], mut i: usize) -> Option<Payload> {
    let mut p = Payload::default();
    while let Some(a) = args.get(i) {
        let v = a.text();
        if v == "--" {
            i += 1;
            break;
        }
        if !(v.len() > 1 && v.starts_with('-')) {
            break;
        }
        let (opt, inline) = match v.split_once('=') {
            Some((o, val)) if v.starts_with("--") => (o, Some(val)),
            _ => (v, None),
        };
        let valued = match opt.strip_prefix("--") {
            Some(long) => RUN_LONG.contains(&long),
            None => opt.len() == 2 && RUN_SHORT.contains(&opt[1..]),
        };
        // `-v/:/x`: a valued short option with its value attached.
        let attached = opt
            .strip_prefix('-')
            .filter(|o| !o.starts_with('-') && o.len() > 1)
            .and_then(|o| {
                let c = o.chars().next()?;
                (c.is_ascii() && RUN_SHORT.contains(c)).then(|| &o[1..])
            });
        let value = inline.or(attached);
        let value = match value {
            Some(val) => Some(val.to_string()),
            None if valued => {
                i += 1;
                args.get(i).map(|a| a.value.to_string())
            }
            None => None,
        };
        match (opt, value) {
            ("-v" | "--volume", Some(val)) => add_mount(&mut p, volume_spec(&val)),
            (o, Some(val)) if o.starts_with("-v") && !o.starts_with("--") => {
                add_mount(&mut p, volume_spec(&val));
            }
            ("--mount", Some(val)) => add_mount(&mut p, mount_spec(&val)),
            ("--entrypoint", Some(val)) => p.entrypoint = Some(val),
            ("--privileged", _) => p.privileged = true,
            _ => {}
        }
        i += 1;
    }
    // The container or image name, then the payload.
    p.start = i + 1;
    (p.start < args.len() || p.entrypoint.is_some()).then_some(p)
}

/// `HOST:CONTAINER[:opts]`.
fn volume_spec(v: &str) -> Option<(String, String)> {
    let mut parts = v.split(':');
    let host = parts.next()?;
    let dest = parts.next()?;
    Some((host.to_string(), dest.to_string()))
}

/// `type=bind,source=/,target=/host`.
fn mount_spec(v: &str) -> Option<(String, String)> {
    let (mut src, mut dst) = (None, None);
    for kv in v.split(',') {
        match kv.split_once('=') {
            Some(("source" | "src", s)) => src = Some(s),
            Some(("target" | "dst" | "destination", d)) => dst = Some(d),
            _ => {}
        }
    }
    Some((src?.to_string(), dst?.to_string()))
}

fn add_mount(p: &mut Payload, spec: Option<(String, String)>) {
    let Some((host, dest)) = spec else {
        return;
    };
    let protected = matches!(
        classify(&host, None),
        PathClass::Root | PathClass::SystemTop | PathClass::SystemChild | PathClass::Home
    );
    if protected && dest.starts_with('/') && dest.len() > 1 && p.mounts.len() < 16 {
        p.mounts
            .push((host, dest.trim_end_matches('/').to_string()));
    }
}

/// `kubectl exec|debug|run … -- CMD`.
fn kubectl(args: &[Arg<'_>]) -> Option<Payload> {
    let sub = args
        .iter()
        .position(|a| matches!(a.text(), "exec" | "debug" | "run" | "attach") || a.value == "--")?;
    let dash = sub + args[sub..].iter().position(|a| a.value == "--")?;
    (dash > sub && dash + 1 < args.len()).then(|| Payload {
        start: dash + 1,
        ..Payload::default()
    })
}

fn nsenter(args: &[Arg<'_>]) -> Option<Payload> {
    let start = skip(args, 0, "tSG", &["target", "setuid", "setgid"]);
    (start < args.len()).then(|| Payload {
        start,
        ..Payload::default()
    })
}

/// `lxc exec NAME [--] CMD`.
fn lxc(args: &[Arg<'_>]) -> Option<Payload> {
    if args.first()?.value != "exec" {
        return None;
    }
    let start = match args.iter().position(|a| a.value == "--") {
        Some(d) => d + 1,
        None => skip(args, 1, "", &["env", "cwd", "user", "group", "mode"]) + 1,
    };
    (start < args.len()).then(|| Payload {
        start,
        ..Payload::default()
    })
}

/// Shell text a remote-login tool runs: `vagrant ssh -c CMD`, `gcloud
/// compute ssh HOST --command CMD`.
pub(crate) fn remote_command(name: &str, args: &[Arg<'_>]) -> Option<String> {
    let first = args.first()?.text();
    match name {
        "vagrant" if first == "ssh" => option_value(args, "-c", "--command"),
        "gcloud"
            if args
                .windows(2)
                .any(|w| w[0].value == "compute" && w[1].value == "ssh") =>
        {
            option_value(args, "--command", "--command")
        }
        _ => None,
    }
}

fn skip(args: &[Arg<'_>], i: usize, short: &str, long: &[&str]) -> usize {
    super::wrappers::skip_opts(args, i, short, long)
}

/// Rewrites container paths under a protected bind mount to the host path
/// they reach (`/host/etc` with `-v /:/host` → `/etc`), also inside script
/// text (`sh -c 'rm -rf /host'`).
pub(crate) fn remap(text: &str, mounts: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (host, dest) in mounts {
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(k) = rest.find(dest.as_str()) {
            let before = rest[..k].chars().last();
            let after = rest[k + dest.len()..].chars().next();
            let starts = before.is_none_or(|c| c.is_whitespace() || "'\"=:".contains(c));
            let ends = after.is_none_or(|c| c.is_whitespace() || "/'\";&|)".contains(c));
            result.push_str(&rest[..k]);
            if starts && ends {
                let host = host.trim_end_matches('/');
                let tail_slash = after == Some('/');
                result.push_str(if host.is_empty() && !tail_slash {
                    "/"
                } else {
                    host
                });
            } else {
                result.push_str(dest);
            }
            rest = &rest[k + dest.len()..];
        }
        result.push_str(rest);
        out = result;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &str) -> Vec<Arg<'_>> {
        s.split_whitespace().map(Arg::literal).collect()
    }

    fn start(name: &str, args: &str) -> Option<String> {
        let a = lits(args);
        payload(name, &a).map(|p| {
            a.get(p.start..)
                .unwrap_or_default()
                .iter()
                .map(|x| x.text())
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    #[test]
    fn payload_starts() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("docker", "exec -it api rm -rf /", Some("rm -rf /")),
            ("docker", "exec -u root -w /app api ls", Some("ls")),
            ("docker", "-H tcp://x exec api ls", Some("ls")),
            ("docker", "container exec api ls", Some("ls")),
            (
                "docker",
                "run --rm -v /:/x alpine rm -rf /x",
                Some("rm -rf /x"),
            ),
            ("docker", "run --rm --name=a -e A=1 alpine sh", Some("sh")),
            ("docker", "run -d nginx", None),
            ("docker", "ps -a", None),
            ("docker", "compose exec db psql", Some("psql")),
            (
                "docker",
                "compose -f a.yml run --rm -e X=1 web ls",
                Some("ls"),
            ),
            ("docker-compose", "exec -T db psql", Some("psql")),
            ("podman", "exec c ls", Some("ls")),
            (
                "kubectl",
                "exec -it web-1 -c app -- ls /srv",
                Some("ls /srv"),
            ),
            (
                "kubectl",
                "-n prod exec web-1 -- rm -rf /",
                Some("rm -rf /"),
            ),
            (
                "kubectl",
                "debug node/n1 -it --image=busybox -- sh",
                Some("sh"),
            ),
            ("kubectl", "exec web-1 ls", None),
            ("kubectl", "get pods", None),
            ("nsenter", "-t 1 -m -u -i -n -p rm -rf /", Some("rm -rf /")),
            ("nsenter", "--target 1 --mount -- ls", Some("ls")),
            ("lxc", "exec c1 -- rm -rf /", Some("rm -rf /")),
            ("lxc", "exec c1 ls", Some("ls")),
            ("lxc", "list", None),
        ];
        for (name, args, want) in cases {
            assert_eq!(start(name, args).as_deref(), *want, "{name} {args}");
        }
    }

    #[test]
    fn remote_logins() {
        let a = [
            Arg::literal("ssh"),
            Arg::literal("web"),
            Arg::literal("-c"),
            Arg::literal("rm -rf /"),
        ];
        assert_eq!(remote_command("vagrant", &a).as_deref(), Some("rm -rf /"));
        let g = lits("compute ssh vm-1 --zone z --command=uptime");
        assert_eq!(remote_command("gcloud", &g).as_deref(), Some("uptime"));
        assert_eq!(
            remote_command("gcloud", &lits("compute instances list")),
            None
        );
        assert_eq!(remote_command("vagrant", &lits("up")), None);
    }

    #[test]
    fn mounts_and_remapping() {
        let a = lits(
            "run --privileged -v /:/host -v ./src:/src --mount type=bind,src=/etc,dst=/e alpine sh",
        );
        let p = payload("docker", &a).unwrap();
        assert!(p.privileged_host());
        assert_eq!(
            p.mounts,
            vec![
                ("/".to_string(), "/host".to_string()),
                ("/etc".to_string(), "/e".to_string())
            ]
        );
        assert_eq!(remap("/host", &p.mounts), "/");
        assert_eq!(remap("/host/", &p.mounts), "/");
        assert_eq!(remap("/host/etc", &p.mounts), "/etc");
        assert_eq!(remap("rm -rf '/host/usr'", &p.mounts), "rm -rf '/usr'");
        assert_eq!(remap("/hostname", &p.mounts), "/hostname");
        assert_eq!(remap("/e/passwd", &p.mounts), "/etc/passwd");
        assert_eq!(remap("/src/build", &p.mounts), "/src/build");
        let odd = lits("run -é -v/:/h -ü x");
        assert_eq!(payload("docker", &odd).map(|p| p.mounts.len()), None);
    }
}
