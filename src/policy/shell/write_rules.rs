//! Writes to guarded locations: redirections, `tee`, copy/move/link/install
//! targets, `dd of=`, `truncate`, in-place edits, downloads and extractions
//! into system trees or credential stores, and `chmod`/`chown` that loosen
//! permissions or change the owner of such a location.

use crate::policy::paths::{Anchor, NormPath};

use super::expand::Arg;
use super::protected::{holds_credentials, locate, write_guard, Guarded};
use super::{Category, RuleCtx, ShellFinding};

/// How a target is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteMode {
    /// Replaced or created.
    Overwrite,
    /// Appended to.
    Append,
    /// Permissions loosened: write for group or others, or set-id bits.
    Loosen,
    /// Permissions loosened by read access for others only (harmless on
    /// most system files, not on a secret).
    LoosenRead,
    /// Owner or group changed.
    Chown,
}

/// Where the command runs, for resolving relative targets.
pub(crate) struct Place<'a> {
    pub base: Option<&'a str>,
    pub cwd: Option<&'a str>,
    pub configured: &'a [NormPath],
}

/// Checks one written `target`; `seen` describes the command for the reason.
pub(crate) fn check_target(
    target: &Arg,
    mode: WriteMode,
    place: &Place,
    seen: &str,
    out: &mut Vec<ShellFinding>,
) {
    for path in locate(target, place.base, place.cwd).paths {
        if let Some(f) = judge(&path, mode, place.configured, seen) {
            out.push(f);
            return;
        }
    }
}

fn judge(
    path: &NormPath,
    mode: WriteMode,
    configured: &[NormPath],
    seen: &str,
) -> Option<ShellFinding> {
    let ssh_file = ssh_file(path);
    if let Some(file) = ssh_file {
        // Public host keys are appended by every CI set-up (`ssh-keyscan >>`).
        if file == "known_hosts" && mode != WriteMode::Chown {
            return None;
        }
        if file.ends_with(".pub") && matches!(mode, WriteMode::Loosen | WriteMode::LoosenRead) {
            return None;
        }
        if file == "authorized_keys" && mode == WriteMode::Append {
            return Some(ask("shell.authorized_keys_append", seen));
        }
        if file == "config" && matches!(mode, WriteMode::Append | WriteMode::Overwrite) {
            return Some(ask("shell.ssh_config_write", seen));
        }
    }
    if mode == WriteMode::LoosenRead && !holds_credentials(path) {
        return None;
    }
    if let Some(guard) = write_guard(path, configured) {
        let (rule, category) = match (guard, mode) {
            (_, WriteMode::Loosen | WriteMode::LoosenRead) => {
                ("shell.chmod_loosen", category_of(guard))
            }
            (_, WriteMode::Chown) => ("shell.chown_protected", category_of(guard)),
            (Guarded::System, _) => ("shell.write_system_path", Category::SystemChange),
            (Guarded::Device, _) => ("shell.write_device", Category::Destructive),
            (Guarded::Credential, _) => {
                ("shell.write_credential_store", Category::CredentialAccess)
            }
            (Guarded::Configured, _) => ("shell.write_protected_path", Category::Destructive),
        };
        return Some(ShellFinding::new(
            rule,
            category,
            false,
            format!("{seen} → {path}"),
        ));
    }
    if matches!(mode, WriteMode::Overwrite | WriteMode::Append) && is_autostart(path) {
        return Some(ask("shell.persistence_write", seen));
    }
    None
}

fn ask(rule: &'static str, seen: &str) -> ShellFinding {
    ShellFinding::new(rule, Category::SystemChange, false, seen).needs_approval()
}

fn category_of(guard: Guarded) -> Category {
    match guard {
        Guarded::Credential => Category::CredentialAccess,
        _ => Category::SystemChange,
    }
}

/// The file name inside `~/.ssh`, if `path` is one.
fn ssh_file(path: &NormPath) -> Option<&str> {
    let parts = &path.parts;
    let i = parts.iter().position(|p| p == ".ssh")?;
    let in_home = match path.anchor {
        Anchor::Home => i == 0,
        Anchor::Root => {
            (i == 2 && matches!(parts[0].as_str(), "home" | "Users"))
                || (i == 1 && parts[0] == "root")
        }
        Anchor::Relative => false,
    };
    match parts.get(i + 1..) {
        Some([file]) if in_home => Some(file),
        _ => None,
    }
}

/// Locations that start programs at login or on a timer (user systemd
/// units, XDG autostart, macOS launch agents).
fn is_autostart(path: &NormPath) -> bool {
    let joined = path.parts.join("/");
    [
        ".config/systemd/user",
        ".config/autostart",
        "Library/LaunchAgents",
    ]
    .iter()
    .any(|p| joined.contains(p))
}

/// Writers recognised by command name: every target they write, and how.
pub(crate) fn check(ctx: &RuleCtx, place: &Place, out: &mut Vec<ShellFinding>) {
    let mut targets: Vec<(&Arg, WriteMode)> = Vec::new();
    let args = ctx.args;
    match ctx.name {
        "tee" => {
            let append = args
                .iter()
                .any(|a| short_or_long(a.text(), 'a', "--append"));
            let mode = if append {
                WriteMode::Append
            } else {
                WriteMode::Overwrite
            };
            targets.extend(operands(args, &[]).into_iter().map(|a| (a, mode)));
        }
        "cp" | "mv" | "install" | "ln" | "rsync" | "scp" => {
            if let Some(t) = destination(args) {
                if !is_remote(t.text()) {
                    targets.push((t, WriteMode::Overwrite));
                }
            }
        }
        "dd" => targets.extend(
            args.iter()
                .filter(|a| a.value.starts_with("of="))
                .map(|a| (a, WriteMode::Overwrite)),
        ),
        "truncate" => targets.extend(
            operands(args, &["-s", "--size", "-r", "--reference"])
                .into_iter()
                .map(|a| (a, WriteMode::Overwrite)),
        ),
        "touch" => targets.extend(
            operands(args, &["-d", "--date", "-r", "--reference", "-t"])
                .into_iter()
                .map(|a| (a, WriteMode::Overwrite)),
        ),
        "sed" | "gsed" if in_place(args, "-i") => {
            targets.extend(
                edited_files(args, true)
                    .into_iter()
                    .map(|a| (a, WriteMode::Overwrite)),
            );
        }
        "perl" if in_place(args, "-i") || args.iter().any(|a| a.text().starts_with("-pi")) => {
            targets.extend(
                edited_files(args, false)
                    .into_iter()
                    .map(|a| (a, WriteMode::Overwrite)),
            );
        }
        "chmod" => {
            let ops = operands(args, &["--reference"]);
            if let Some((mode, files)) = ops.split_first() {
                let grants = loosens(mode.text());
                let mode = if grants.write {
                    WriteMode::Loosen
                } else {
                    WriteMode::LoosenRead
                };
                if grants.write || grants.read {
                    targets.extend(files.iter().map(|a| (*a, mode)));
                }
            }
        }
        "chown" | "chgrp" => {
            let ops = operands(args, &["--reference", "--from"]);
            targets.extend(ops.iter().skip(1).map(|a| (*a, WriteMode::Chown)));
        }
        "curl" => targets
            .extend(option_values(args, &["-o", "--output"]).map(|a| (a, WriteMode::Overwrite))),
        "wget" => targets.extend(
            option_values(
                args,
                &["-O", "--output-document", "-P", "--directory-prefix"],
            )
            .map(|a| (a, WriteMode::Overwrite)),
        ),
        "tar" | "bsdtar" => targets
            .extend(option_values(args, &["-C", "--directory"]).map(|a| (a, WriteMode::Overwrite))),
        "unzip" => targets.extend(option_values(args, &["-d"]).map(|a| (a, WriteMode::Overwrite))),
        _ => return,
    }
    if targets.is_empty() {
        return;
    }
    let seen = super::wrappers::join(ctx.cmd);
    for (target, mode) in targets {
        let stripped;
        let target = match target.value.strip_prefix("of=") {
            Some(v) if ctx.name == "dd" => {
                stripped = Arg {
                    value: v.to_string().into(),
                    if_empty: target
                        .if_empty
                        .as_ref()
                        .and_then(|e| e.strip_prefix("of="))
                        .map(str::to_string),
                    ..target.clone()
                };
                &stripped
            }
            _ => target,
        };
        check_target(target, mode, place, &seen, out);
    }
}

fn short_or_long(v: &str, short: char, long: &str) -> bool {
    v == long
        || (v.len() > 1 && v.starts_with('-') && !v.starts_with("--") && v[1..].contains(short))
}

/// Non-option arguments; `valued` options consume the next argument.
fn operands<'a, 'b>(args: &'a [Arg<'b>], valued: &[&str]) -> Vec<&'a Arg<'b>> {
    let mut out = Vec::new();
    let mut it = args.iter();
    let mut ended = false;
    while let Some(a) = it.next() {
        let v = a.text();
        if ended || !(v.len() > 1 && v.starts_with('-')) {
            out.push(a);
        } else if v == "--" {
            ended = true;
        } else if valued.contains(&v) {
            it.next();
        }
    }
    out
}

/// The destination of `cp`/`mv`/`install`/`ln`/`rsync`: `-t DIR` or the last operand.
fn destination<'a, 'b>(args: &'a [Arg<'b>]) -> Option<&'a Arg<'b>> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = a.text();
        if v == "-t" || v == "--target-directory" {
            return it.next();
        }
    }
    let ops = operands(
        args,
        &[
            "-S", "--suffix", "-m", "--mode", "-o", "--owner", "-g", "--group", "-e", "--rsh",
            "-i", "-P", "-F",
        ],
    );
    (ops.len() >= 2).then(|| ops.last().copied()).flatten()
}

/// `host:path` or `user@host:path` (scp, rsync): written remotely.
fn is_remote(v: &str) -> bool {
    match v.split_once(':') {
        Some((host, _)) => !host.is_empty() && !host.contains('/'),
        None => false,
    }
}

fn in_place(args: &[Arg<'_>], short: &str) -> bool {
    args.iter().any(|a| {
        let v = a.text();
        v.starts_with(short) || v.starts_with("--in-place")
    })
}

/// Files an in-place `sed`/`perl` edits: operands after the script.
fn edited_files<'a, 'b>(args: &'a [Arg<'b>], sed: bool) -> Vec<&'a Arg<'b>> {
    let explicit_script = args.iter().any(|a| {
        let v = a.text();
        matches!(v, "-e" | "-f" | "--expression" | "--file")
            || (!sed && v.starts_with('-') && v.contains('e'))
    });
    let valued: &[&str] = if sed {
        &["-e", "-f", "--expression", "--file", "-l"]
    } else {
        &["-e", "-E", "-M", "-I"]
    };
    let ops = operands(args, valued);
    if explicit_script {
        ops
    } else {
        ops.into_iter().skip(1).collect()
    }
}

/// Values of options such as `-o FILE` (and the whole `--output=FILE` argument).
fn option_values<'a, 'b>(
    args: &'a [Arg<'b>],
    names: &'a [&str],
) -> impl Iterator<Item = &'a Arg<'b>> + 'a {
    args.iter().enumerate().filter_map(move |(i, a)| {
        let v = a.text();
        if names.contains(&v) {
            return args.get(i + 1);
        }
        names
            .iter()
            .filter(|n| n.starts_with("--"))
            .find_map(|n| v.strip_prefix(*n).and_then(|r| r.strip_prefix('=')))
            .map(|_| a)
    })
}

/// What a `chmod` mode grants beyond the owner.
#[derive(Debug, PartialEq, Eq)]
struct Grants {
    /// Write for group or others, or set-id bits.
    write: bool,
    /// Read for others.
    read: bool,
}

fn loosens(mode: &str) -> Grants {
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let digit = |from_end: usize| {
            mode.len()
                .checked_sub(from_end)
                .and_then(|i| mode.as_bytes().get(i))
                .map_or(0, |b| b - b'0')
        };
        let (other, group, special) = (digit(1), digit(2), digit(4));
        return Grants {
            write: other & 0b010 != 0 || group & 0b010 != 0 || special & 0b110 != 0,
            read: other & 0b100 != 0,
        };
    }
    let mut grants = Grants {
        write: false,
        read: false,
    };
    for clause in mode.split(',') {
        let Some(op_at) = clause.find(['+', '=']) else {
            continue;
        };
        let (who, perms) = (&clause[..op_at], &clause[op_at + 1..]);
        let everyone = who.is_empty() || who.contains('a');
        let others = everyone || who.contains('o');
        let group = everyone || who.contains('g');
        grants.write |= (perms.contains('w') && (others || group)) || perms.contains('s');
        grants.read |= perms.contains('r') && others;
    }
    grants
}

#[cfg(test)]
mod tests {
    use super::loosens;

    #[test]
    fn loosening_modes() {
        for (mode, write, read) in [
            ("666", true, true),
            ("644", false, true),
            ("0777", true, true),
            ("4755", true, true),
            ("o+r", false, true),
            ("a+w", true, false),
            ("g+w", true, false),
            ("+w", true, false),
            ("u+s", true, false),
            ("a=r", false, true),
            ("u+x,o+r", false, true),
            ("600", false, false),
            ("400", false, false),
            ("0700", false, false),
            ("750", false, false),
            ("+x", false, false),
            ("go-rwx", false, false),
            ("u=rw", false, false),
        ] {
            let g = loosens(mode);
            assert_eq!((g.write, g.read), (write, read), "{mode}");
        }
    }
}
