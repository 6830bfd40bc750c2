//! Peels command wrappers (`sudo`, `env`, `xargs`, `timeout`, `nice`, …),
//! container and remote runners (`docker exec`, `kubectl exec --`, `ssh`)
//! and shell keywords off an argument vector to find the command that runs.

use super::ast::is_assignment_text;
use super::container;
use super::expand::Arg;
use super::feed;
use super::{Category, ShellFinding};

#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Unwrapped {
    /// Index of the real command in the argument vector.
    pub start: usize,
    /// Arguments are appended at run time (`xargs`): targets are unknown.
    pub appended: bool,
    /// Nothing runs from this argv itself (`command -v`, `for …`).
    pub no_exec: bool,
    /// Shell text that a wrapper runs (`env -S`, `su -c`, `ssh host cmd`, `watch`).
    pub scripts: Vec<String>,
    /// The command runs in another filesystem (container, remote host,
    /// chroot): its paths are not relative to the working directory.
    pub foreign: bool,
    /// Findings about the wrappers themselves (`docker run --privileged -v /:/h`).
    pub findings: Vec<ShellFinding>,
}

/// Final path component without a Windows `.exe` suffix: `/usr/bin/rm` →
/// `rm`, `C:\msys64\usr\bin\rm.exe` → `rm`.
pub(crate) fn basename(value: &str) -> &str {
    let name = value.rsplit(['/', '\\']).next().unwrap_or(value);
    match name
        .len()
        .checked_sub(4)
        .and_then(|i| name.get(i..).map(|ext| (i, ext)))
    {
        Some((i, ext)) if i > 0 && ext.eq_ignore_ascii_case(".exe") => &name[..i],
        _ => name,
    }
}

/// An option argument (`-x`, `--long`), not `-` alone.
pub(crate) fn is_opt(v: &str) -> bool {
    v.len() > 1 && v.starts_with('-')
}

pub(crate) fn join(args: &[Arg<'_>]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&a.value);
    }
    out
}

/// Skips options from `i` on and returns the index of the first operand.
/// `short_val` lists short options taking a value; `long_val` long ones.
pub(crate) fn skip_opts(
    args: &[Arg<'_>],
    mut i: usize,
    short_val: &str,
    long_val: &[&str],
) -> usize {
    while let Some(a) = args.get(i) {
        let v = a.text();
        if v == "--" {
            return i + 1;
        }
        if let Some(long) = v.strip_prefix("--") {
            i += if !long.contains('=') && long_val.contains(&long) {
                2
            } else {
                1
            };
        } else if v.len() > 1 && v.starts_with('-') {
            let flags = &v[1..];
            let mut step = 1;
            for (k, c) in flags.char_indices() {
                if short_val.contains(c) {
                    if k + c.len_utf8() == flags.len() {
                        step = 2;
                    }
                    break;
                }
            }
            i += step;
        } else {
            return i;
        }
    }
    i
}

/// Whether a short option letter or long option appears before the first operand.
pub(crate) fn has_flag(args: &[Arg<'_>], short: char, long: &str) -> bool {
    args.iter()
        .take_while(|a| a.value.starts_with('-') && a.value != "--")
        .any(|a| {
            let v = a.text();
            match v.strip_prefix("--") {
                Some(l) => !long.is_empty() && (l == long || l.starts_with(&format!("{long}="))),
                None => v[1..].contains(short),
            }
        })
}

pub(crate) fn unwrap(args: &[Arg<'_>]) -> Unwrapped {
    let mut u = Unwrapped::default();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if is_assignment_text(&a.value) {
            i += 1;
            continue;
        }
        let rest = &args[i + 1..];
        let after = |n: usize| i + 1 + n;
        let next = match basename(&a.value) {
            "sudo" => after(skip_opts(
                rest,
                0,
                "CDghpRrTtUu",
                &[
                    "user",
                    "group",
                    "host",
                    "prompt",
                    "role",
                    "type",
                    "other-user",
                    "chdir",
                    "chroot",
                    "close-from",
                    "command-timeout",
                ],
            )),
            "doas" => after(skip_opts(rest, 0, "uC", &[])),
            "pkexec" => after(skip_opts(rest, 0, "", &["user"])),
            "env" => match env_split(rest) {
                Ok(n) => after(n),
                Err(script) => {
                    u.scripts.push(script);
                    u.no_exec = true;
                    break;
                }
            },
            "xargs" => {
                u.appended = true;
                after(skip_opts(
                    rest,
                    0,
                    "adEILnPs",
                    &[
                        "arg-file",
                        "delimiter",
                        "max-args",
                        "max-procs",
                        "max-chars",
                        "max-lines",
                        "process-slot-var",
                    ],
                ))
            }
            "parallel" => {
                let n = skip_opts(
                    rest,
                    0,
                    "jSadI",
                    &["jobs", "sshlogin", "arg-file", "delimiter"],
                );
                match feed::parallel_inline(rest.get(n..).unwrap_or_default()) {
                    Some(scripts) => {
                        u.scripts.extend(scripts);
                        u.no_exec = true;
                        break;
                    }
                    None => {
                        u.appended = true;
                        after(n)
                    }
                }
            }
            "sem" => after(skip_opts(rest, 0, "j", &["jobs", "id"])),
            "timeout" => after(skip_opts(rest, 0, "sk", &["signal", "kill-after"]) + 1),
            "nice" => after(skip_opts(rest, 0, "n", &["adjustment"])),
            "ionice" => after(skip_opts(
                rest,
                0,
                "cnpPu",
                &["class", "classdata", "pid", "pgid", "uid"],
            )),
            "stdbuf" => after(skip_opts(rest, 0, "ioe", &["input", "output", "error"])),
            "time" => after(skip_opts(rest, 0, "fo", &["format", "output"])),
            "exec" => after(skip_opts(rest, 0, "a", &[])),
            "chrt" | "taskset" | "chroot" => {
                u.foreign |= basename(&a.value) == "chroot";
                after(skip_opts(rest, 0, "", &["cpu-list", "userspec", "groups"]) + 1)
            }
            // `bundle exec rake …`, `poetry run python …`, `npx prisma …`.
            "bundle" | "poetry" | "pipenv" | "pdm" | "uv" | "hatch"
                if rest
                    .first()
                    .is_some_and(|r| matches!(r.text(), "exec" | "run")) =>
            {
                after(skip_opts(rest, 1, "", &["with", "python", "env"]))
            }
            "npx" | "bunx" | "pnpx" => after(skip_opts(rest, 0, "p", &["package", "call"])),
            name @ ("vagrant" | "gcloud") => {
                if let Some(cmd) = container::remote_command(name, rest) {
                    u.scripts.push(cmd);
                    u.foreign = true;
                    u.no_exec = true;
                }
                break;
            }
            name @ ("docker" | "podman" | "nerdctl" | "docker-compose" | "podman-compose"
            | "kubectl" | "oc" | "nsenter" | "lxc" | "incus") => {
                let Some(p) = container::payload(name, rest) else {
                    break;
                };
                u.foreign = true;
                if p.privileged_host() {
                    u.findings.push(
                        ShellFinding::new(
                            "container.privileged_host_mount",
                            Category::SystemChange,
                            false,
                            join(args),
                        )
                        .needs_approval(),
                    );
                }
                if p.mounts.is_empty() && p.entrypoint.is_none() {
                    after(p.start)
                } else {
                    // Host paths reached through the mounts: analyse the
                    // payload with them spelled as host paths.
                    let payload = rest.get(p.start..).unwrap_or_default();
                    let words = p.entrypoint.iter().cloned().chain(
                        payload
                            .iter()
                            .map(|a| container::remap(&a.value, &p.mounts)),
                    );
                    u.scripts.push(quote_all(words));
                    u.no_exec = true;
                    break;
                }
            }
            "nohup" | "setsid" | "unbuffer" | "builtin" | "busybox" | "catchsegv"
            | "caffeinate" => after(skip_opts(rest, 0, "", &[])),
            "command" => {
                if has_flag(rest, 'v', "") || has_flag(rest, 'V', "") {
                    u.no_exec = true;
                    break;
                }
                after(skip_opts(rest, 0, "", &[]))
            }
            "flock" => {
                let n = skip_opts(
                    rest,
                    0,
                    "wEc",
                    &["timeout", "conflict-exit-code", "command"],
                );
                if let Some(cmd) = option_value(rest, "-c", "--command") {
                    u.scripts.push(cmd);
                    u.no_exec = true;
                    break;
                }
                after(n + 1)
            }
            "su" | "runuser" => {
                if let Some(cmd) = option_value(rest, "-c", "--command") {
                    u.scripts.push(cmd);
                    u.no_exec = true;
                    break;
                }
                // `runuser -u user -- cmd`; plain `su user` runs nothing here.
                match rest.iter().position(|a| a.value == "--") {
                    Some(n) if has_flag(rest, 'u', "user") => after(n + 1),
                    _ => {
                        u.no_exec = true;
                        break;
                    }
                }
            }
            "watch" => {
                let n = skip_opts(rest, 0, "ndq", &["interval", "differences", "equexit"]);
                u.scripts.push(join(&rest[n.min(rest.len())..]));
                u.no_exec = true;
                break;
            }
            "ssh" => {
                u.foreign = true;
                let n = skip_opts(rest, 0, "BbcDEeFIiJLlmOoPpQRSWw", &[]);
                if let Some(cmd) = rest.get(n + 1..).filter(|r| !r.is_empty()) {
                    u.scripts.push(join(cmd));
                }
                u.no_exec = true;
                break;
            }
            "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "{" | "(" => i + 1,
            "for" | "case" | "select" | "function" | "in" | "fi" | "done" | "esac" | "}" | ")" => {
                u.no_exec = true;
                break;
            }
            _ => break,
        };
        i = next.max(i + 1);
    }
    u.start = i.min(args.len());
    u
}

/// Shell text that runs exactly these words (each single-quoted).
pub(crate) fn quote_all(words: impl Iterator<Item = String>) -> String {
    let mut out = String::new();
    for w in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        out.push_str(&w.replace('\'', "'\\''"));
        out.push('\'');
    }
    out
}

/// `env` options; `Err` carries the command string of `env -S '…'`.
fn env_split(rest: &[Arg<'_>]) -> Result<usize, String> {
    let mut j = 0;
    while let Some(a) = rest.get(j) {
        let v = a.text();
        let split = match v {
            "-S" | "--split-string" => Some(
                rest.get(j + 1)
                    .map(|a| a.value.to_string())
                    .unwrap_or_default(),
            ),
            _ if v.starts_with("--split-string=") => Some(v["--split-string=".len()..].to_string()),
            _ if v.starts_with("-S") => Some(v[2..].to_string()),
            _ => None,
        };
        if let Some(mut script) = split {
            let skip = if v == "-S" || v == "--split-string" {
                2
            } else {
                1
            };
            for a in rest.iter().skip(j + skip) {
                script.push(' ');
                script.push_str(&a.value);
            }
            return Err(script);
        }
        match v {
            "--" => return Ok(j + 1),
            // `env -` is `env -i`: an empty environment, then the command.
            "-" => j += 1,
            "-u" | "-C" | "-P" | "--unset" | "--chdir" => j += 2,
            _ if v.len() > 1 && v.starts_with('-') => j += 1,
            _ => return Ok(j),
        }
    }
    Ok(j)
}

/// Value of `-c X`, `-cX`, `--command X` or `--command=X`.
pub(crate) fn option_value(args: &[Arg<'_>], short: &str, long: &str) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = a.text();
        if v == short || v == long {
            return it.next().map(|a| a.value.to_string());
        }
        if let Some(val) = v.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
            return Some(val.to_string());
        }
        if short.len() == 2 && v.len() > 2 && v.starts_with(short) && !v.starts_with("--") {
            return Some(v[2..].to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &str) -> Vec<Arg<'_>> {
        s.split_whitespace().map(Arg::literal).collect()
    }

    #[test]
    fn unwrap_table() {
        let cases: &[(&str, &str)] = &[
            ("rm -rf /", "rm"),
            ("sudo rm", "rm"),
            ("sudo -u root -E rm", "rm"),
            ("sudo -E -u root -- rm", "rm"),
            ("sudo --user=root FOO=1 rm", "rm"),
            ("env X=1 Y=2 rm", "rm"),
            ("env -i -u HOME PATH=/bin rm", "rm"),
            ("env - rm", "rm"),
            ("env - -u HOME rm", "rm"),
            ("bundle exec rm", "rm"),
            ("npx -y rm", "rm"),
            ("docker exec -it c rm", "rm"),
            ("kubectl exec p -c app -- rm", "rm"),
            ("nsenter -t 1 -m rm", "rm"),
            ("xargs -0 -n 1 -I {} rm", "rm"),
            ("timeout 10 rm", "rm"),
            ("timeout -s KILL -k 5 10s rm", "rm"),
            ("nice -n 5 rm", "rm"),
            ("nice -10 rm", "rm"),
            ("nohup rm", "rm"),
            ("command rm", "rm"),
            ("exec -a name rm", "rm"),
            ("time -p rm", "rm"),
            ("/usr/bin/time -f %e rm", "rm"),
            ("stdbuf -oL -e 0 rm", "rm"),
            ("ionice -c 3 rm", "rm"),
            ("doas -u root rm", "rm"),
            ("sudo nice -n 5 timeout 3 env A=b rm", "rm"),
            ("then rm", "rm"),
            ("do sudo rm", "rm"),
            ("chroot /mnt rm", "rm"),
            ("busybox rm", "rm"),
            ("runuser -u bob -- rm", "rm"),
        ];
        for (src, want) in cases {
            let args = lits(src);
            let u = unwrap(&args);
            assert!(!u.no_exec, "{src}");
            assert_eq!(args.get(u.start).map(|a| a.text()), Some(*want), "{src}");
        }
    }

    #[test]
    fn unwrap_special() {
        assert!(unwrap(&lits("xargs rm")).appended);
        assert!(unwrap(&lits("command -v rm")).no_exec);
        assert!(unwrap(&lits("for x in a b")).no_exec);
        let env = unwrap(&lits("env -S rm -rf /"));
        assert_eq!(env.scripts, vec!["rm -rf /".to_string()]);
        let ssh = unwrap(&lits("ssh -p 22 host rm -rf /"));
        assert_eq!(ssh.scripts, vec!["rm -rf /".to_string()]);
        let su = unwrap(&[
            Arg::literal("su"),
            Arg::literal("-c"),
            Arg::literal("rm -rf /"),
        ]);
        assert_eq!(su.scripts, vec!["rm -rf /".to_string()]);
        assert_eq!(unwrap(&lits("sudo")).start, 1);
    }
}
