//! Covering tracks and opaque payloads: shell history cleared, disabled or
//! deleted, and PowerShell command lines that download-and-run, open a
//! reverse socket or hide their script in `-EncodedCommand`.

use super::expand::Arg;
use super::net_rules::reverse_shell_finding;
use super::wrappers::join;
use super::{Category, RuleCtx, ShellFinding};

/// Shell history files (`~/.bash_history`, `~/.zsh_history`, …).
pub(crate) fn is_history_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        ".bash_history" | ".zsh_history" | ".history" | ".sh_history" | ".zhistory"
    ) || (name.starts_with('.') && name.ends_with("_history"))
}

pub(crate) fn tamper(description: String) -> ShellFinding {
    ShellFinding::new(
        "shell.history_tamper",
        Category::Evasion,
        false,
        description,
    )
    .needs_approval()
}

fn is_history_variable(assignment: &str) -> bool {
    let (name, value) = assignment.split_once('=').unwrap_or((assignment, ""));
    match name {
        "HISTFILE" => value.is_empty() || value == "/dev/null",
        "HISTSIZE" | "HISTFILESIZE" | "SAVEHIST" => value == "0",
        _ => false,
    }
}

pub(crate) fn check(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let args = ctx.args;
    let has = |v: &str| args.iter().any(|a| a.value == v);
    let seen = || join(ctx.cmd);
    match ctx.name {
        "history" if has("-c") || (has("-w") && has("/dev/null")) => out.push(tamper(seen())),
        "unset" if args.iter().any(|a| a.value == "HISTFILE") => out.push(tamper(seen())),
        "export" | "declare" | "typeset" | "readonly" | "local"
            if args.iter().any(|a| is_history_variable(&a.value)) =>
        {
            out.push(tamper(seen()))
        }
        "set"
            if args
                .windows(2)
                .any(|w| w[0].value == "+o" && w[1].value == "history") =>
        {
            out.push(tamper(seen()))
        }
        "rm" | "shred" | "unlink" | "truncate" | "srm" | "wipe"
            if args.iter().any(|a| is_history_file(&a.value)) =>
        {
            out.push(tamper(seen()))
        }
        "ln" if args.iter().any(|a| a.value == "/dev/null")
            && args.iter().any(|a| is_history_file(&a.value)) =>
        {
            out.push(tamper(seen()))
        }
        "powershell" | "pwsh" => powershell(args, &seen(), out),
        _ => {}
    }
}

/// `HISTFILE=/dev/null cmd` or a bare `HISTSIZE=0`.
pub(crate) fn check_assignment(assignment: &Arg<'_>, out: &mut Vec<ShellFinding>) {
    if is_history_variable(&assignment.value) {
        out.push(tamper(assignment.value.to_string()));
    }
}

/// PowerShell has no tokeniser here: its command line is read for the
/// cmdlets and .NET types that only a download-and-run, a reverse shell or a
/// hidden script needs.
fn powershell(args: &[Arg<'_>], seen: &str, out: &mut Vec<ShellFinding>) {
    let text = join(args).to_ascii_lowercase();
    let has_any = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    if has_any(&[
        "net.sockets.tcpclient",
        "net.sockets.socket",
        "system.net.sockets",
    ]) {
        out.push(reverse_shell_finding(&format!("PowerShell socket: {seen}")));
    }
    let downloads = has_any(&[
        "downloadstring",
        "downloaddata",
        "downloadfile",
        "invoke-webrequest",
        "invoke-restmethod",
        "iwr ",
        "irm ",
        "net.webclient",
        "start-bitstransfer",
    ]);
    let runs = has_any(&["iex", "invoke-expression", "| powershell", "|powershell"]);
    if downloads && runs {
        out.push(ShellFinding::new(
            "shell.remote_pipe_exec",
            Category::RemoteCode,
            false,
            format!("PowerShell download run as code: {seen}"),
        ));
    }
    let encoded = args.iter().any(|a| {
        let v = a.value.to_ascii_lowercase();
        // PowerShell accepts any prefix of a parameter name: -e, -enc, -EncodedCommand.
        v.len() >= 2 && "-encodedcommand".starts_with(v.as_str())
    });
    if encoded {
        out.push(ShellFinding::new(
            "shell.encoded_payload",
            Category::Evasion,
            false,
            format!("PowerShell script hidden in -EncodedCommand: {seen}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::is_history_file;

    #[test]
    fn history_files() {
        assert!(is_history_file("~/.bash_history"));
        assert!(is_history_file("/root/.zsh_history"));
        assert!(is_history_file(".python_history"));
        assert!(!is_history_file("history.md"));
        assert!(!is_history_file("~/.bashrc"));
    }
}
