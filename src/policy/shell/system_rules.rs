//! System state changes a table row cannot express: crontab writes,
//! `sysctl` settings, `mount`, and signals to init. All go for approval.

use super::expand::Arg;
use super::wrappers::is_opt;
use super::{Category, Outcome, RuleCtx, ShellFinding};

pub(crate) fn check(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let rule = match ctx.name {
        "crontab" => crontab(ctx.args),
        "sysctl" => sysctl(ctx.args).then_some("system.sysctl"),
        "mount" => mount(ctx.args).then_some("system.mount"),
        "kill" => kills_init(ctx.args).then_some("system.kill_init"),
        _ => None,
    };
    if let Some(rule) = rule {
        ctx.report(out, rule, Category::SystemChange, Outcome::Approval);
    }
}

/// `crontab -r` removes, `crontab FILE`/`crontab -`/`crontab -e` installs;
/// `crontab -l` only lists.
fn crontab(args: &[Arg<'_>]) -> Option<&'static str> {
    let mut operand = false;
    let (mut list, mut remove, mut edit) = (false, false, false);
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let v = a.text();
        i += 1;
        match v {
            "-u" => i += 1,
            "-" => operand = true,
            _ if v.starts_with("--") => {}
            _ if is_opt(v) => {
                list |= v.contains('l');
                remove |= v.contains('r');
                edit |= v.contains('e');
            }
            _ => operand = true,
        }
    }
    if remove {
        Some("system.crontab_remove")
    } else if edit || (!list && operand) || (!list && args.is_empty()) {
        Some("system.crontab_write")
    } else {
        None
    }
}

/// `sysctl -w k=v`, `sysctl k=v`, `sysctl -p [file]`, `sysctl --system`.
fn sysctl(args: &[Arg<'_>]) -> bool {
    args.iter().any(|a| {
        let v = a.text();
        match v.strip_prefix("--") {
            Some(long) => matches!(long, "write" | "system" | "load") || long.starts_with("load="),
            None if is_opt(v) => v[1..].contains(['w', 'p']),
            None => v.contains('='),
        }
    })
}

/// `mount` with an operand or `-a` changes the mount table; bare `mount`,
/// `mount -l` and `mount -t TYPE` only list it.
fn mount(args: &[Arg<'_>]) -> bool {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let v = a.text();
        i += 1;
        match v {
            "-t" | "--types" | "-O" | "--test-opts" => i += 1,
            "-a" | "--all" | "-o" | "--options" | "--bind" | "--rbind" | "--move" => return true,
            _ if v.starts_with("--") => {}
            _ if is_opt(v) => {
                if v[1..].contains(['a', 'o', 'B', 'M', 'R']) {
                    return true;
                }
            }
            _ => return true,
        }
    }
    false
}

/// `kill -9 1`, `kill -s KILL 1`: signalling init (pid 1) takes the system
/// down. (`kill -9 -1`, every process, is `shell.kill_all`.)
fn kills_init(args: &[Arg<'_>]) -> bool {
    let mut i = 0;
    let mut ended = false;
    let mut pid1 = false;
    while let Some(a) = args.get(i) {
        let v = a.text();
        i += 1;
        if !ended && (v == "-s" || v == "-n") {
            // `kill -s 0 1` only checks that the process exists.
            if args.get(i).is_some_and(|s| s.value == "0") {
                return false;
            }
            i += 1;
        } else if !ended && v == "--" {
            ended = true;
        } else if !ended && v == "-0" {
            return false;
        } else if (ended || !v.starts_with('-')) && v == "1" {
            pid1 = true;
        }
    }
    pid1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &str) -> Vec<Arg<'_>> {
        s.split_whitespace().map(Arg::literal).collect()
    }

    #[test]
    fn crontab_modes() {
        let cases: &[(&str, Option<&str>)] = &[
            ("-l", None),
            ("-u bob -l", None),
            ("-r", Some("system.crontab_remove")),
            ("-u bob -r", Some("system.crontab_remove")),
            ("-e", Some("system.crontab_write")),
            ("jobs.cron", Some("system.crontab_write")),
            ("-", Some("system.crontab_write")),
            ("", Some("system.crontab_write")),
        ];
        for (args, want) in cases {
            assert_eq!(crontab(&lits(args)), *want, "crontab {args}");
        }
    }

    #[test]
    fn sysctl_mount_kill() {
        assert!(sysctl(&lits("-w net.ipv4.ip_forward=1")));
        assert!(sysctl(&lits("vm.swappiness=10")));
        assert!(sysctl(&lits("-p /etc/sysctl.d/99.conf")));
        assert!(sysctl(&lits("--system")));
        assert!(!sysctl(&lits("-a")));
        assert!(!sysctl(&lits("net.ipv4.ip_forward")));
        assert!(!sysctl(&lits("-n kernel.hostname")));
        assert!(mount(&lits("/dev/sdb1 /mnt")));
        assert!(mount(&lits("-o remount,rw /")));
        assert!(mount(&lits("-a")));
        assert!(!mount(&lits("")));
        assert!(!mount(&lits("-l")));
        assert!(!mount(&lits("-t ext4")));
        assert!(kills_init(&lits("-9 1")));
        assert!(kills_init(&lits("-s KILL 1")));
        assert!(!kills_init(&lits("-TERM 4242")));
        assert!(!kills_init(&lits("-9 -1")));
        assert!(!kills_init(&lits("-1 4242")));
        assert!(!kills_init(&lits("-0 1")));
        assert!(!kills_init(&lits("-s 0 1")));
    }
}
