//! Remote and obfuscated code execution: which commands produce downloaded
//! or decoded content, and which interpreters execute what they are given.

use super::ast::{Command, Script};
use super::expand::{expand_words, Arg};
use super::wrappers::{basename, has_flag, unwrap};
use super::MAX_DEPTH;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interp {
    Shell,
    Python,
    Perl,
    Ruby,
    Node,
    Php,
    Other,
}

pub(crate) fn interpreter(name: &str) -> Option<Interp> {
    Some(match name {
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "mksh" | "yash" | "rbash" | "fish" => {
            Interp::Shell
        }
        "perl" => Interp::Perl,
        "ruby" => Interp::Ruby,
        "node" | "nodejs" => Interp::Node,
        "php" => Interp::Php,
        "lua" | "tclsh" | "pwsh" | "osascript" => Interp::Other,
        _ if name.starts_with("python") || name.starts_with("pypy") => Interp::Python,
        _ => return None,
    })
}

/// How an interpreter was invoked.
#[derive(Debug, Default)]
pub(crate) struct Invocation<'a> {
    /// The command string of `sh -c '…'`.
    pub code: Option<&'a Arg<'a>>,
    /// The script file operand (possibly `<(…)`).
    pub operand: Option<&'a Arg<'a>>,
    /// Code is read from standard input.
    pub reads_stdin: bool,
}

pub(crate) fn invocation<'a>(kind: Interp, args: &'a [Arg<'a>]) -> Invocation<'a> {
    // (letters whose presence means inline code or a module, options taking a separate value)
    let (code_flags, valued): (&str, &[&str]) = match kind {
        Interp::Shell => ("c", &["-o", "+o", "-O", "+O", "--rcfile", "--init-file"]),
        Interp::Python => ("cm", &["-W", "-X"]),
        Interp::Perl => ("eE", &[]),
        Interp::Ruby => ("e", &["-r", "-I"]),
        Interp::Node => ("ep", &["-r", "--require", "--eval", "--print"]),
        Interp::Php => ("rfBRE", &[]),
        Interp::Other => ("ec", &[]),
    };
    let mut inv = Invocation::default();
    let mut has_code = false;
    let mut from_stdin = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let v = a.text();
        if v == "--" || v == "-" {
            from_stdin |= v == "-";
            i += 1;
            break;
        }
        if valued.contains(&v) {
            has_code |= matches!(v, "--eval" | "--print");
            i += 2;
            continue;
        }
        if v.starts_with("--") {
            has_code |= matches!(v, "--command" | "--eval" | "--print");
            i += 1;
            continue;
        }
        if v.len() > 1 && (v.starts_with('-') || (kind == Interp::Shell && v.starts_with('+'))) {
            let flags = &v[1..];
            has_code |= flags.chars().any(|c| code_flags.contains(c));
            from_stdin |= kind == Interp::Shell && flags.contains('s');
            i += 1;
            continue;
        }
        break;
    }
    let operand = args.get(i);
    if has_code {
        if kind == Interp::Shell {
            inv.code = operand;
        }
    } else if from_stdin || operand.is_none() {
        inv.reads_stdin = true;
    } else {
        inv.reads_stdin = operand.is_some_and(|a| a.value == "/dev/stdin");
        inv.operand = operand;
    }
    inv
}

/// Whether a command writes downloaded or decoded content to stdout.
pub(crate) fn is_source(name: &str, args: &[Arg<'_>]) -> bool {
    match name {
        "curl" | "wget" | "wget2" | "fetch" | "http" | "https" | "xh" | "nc" | "ncat" | "socat"
        | "uudecode" => true,
        "base64" | "base32" | "basenc" => {
            has_flag(args, 'd', "decode") || has_flag(args, 'D', "decode")
        }
        "xxd" => has_flag(args, 'r', "revert"),
        // Text transformed on the way into a shell hides what runs.
        "rev" | "tr" | "zcat" | "gzcat" | "bzcat" | "xzcat" | "zstdcat" | "lz4cat"
        | "uncompress" => true,
        "gzip" | "gunzip" | "bzip2" | "xz" | "zstd" | "lz4" => {
            name == "gunzip" || has_flag(args, 'd', "decompress")
        }
        "openssl" => {
            args.first()
                .is_some_and(|a| matches!(a.text(), "enc" | "base64" | "aes-256-cbc"))
                && args.iter().any(|a| a.value == "-d")
        }
        _ => false,
    }
}

/// Whether any command in `script` downloads or decodes content.
pub(crate) fn script_fetches(script: &Script, depth: usize) -> bool {
    if depth >= MAX_DEPTH {
        return false;
    }
    script
        .pipelines
        .iter()
        .flat_map(|p| &p.commands)
        .any(|c| command_fetches(c, depth + 1))
}

fn command_fetches(cmd: &Command, depth: usize) -> bool {
    match cmd {
        Command::Simple(s) => args_fetch(&expand_words(&s.words)),
        Command::Subshell { body, .. } | Command::Group { body, .. } => script_fetches(body, depth),
        Command::Function { body, .. } => command_fetches(body, depth + 1),
    }
}

/// An argument vector that downloads/decodes, or contains a substitution that does.
pub(crate) fn args_fetch(args: &[Arg<'_>]) -> bool {
    if args.iter().any(|a| a.fetches) {
        return true;
    }
    let u = unwrap(args);
    match args.get(u.start..) {
        Some([first, rest @ ..]) => is_source(basename(&first.value), rest),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &str) -> Vec<Arg<'_>> {
        s.split_whitespace().map(Arg::literal).collect()
    }

    #[test]
    fn stdin_readers() {
        let cases: &[(&str, bool)] = &[
            ("bash", true),
            ("bash -", true),
            ("bash -s -- --flag", true),
            ("sh -x", true),
            ("bash -c x", false),
            ("bash script.sh", false),
            ("bash -o pipefail", true),
            ("python3", true),
            ("python3 -", true),
            ("python3 -m json.tool", false),
            ("python3 -c x", false),
            ("python3 tool.py", false),
            ("perl -ne x", false),
            ("perl", true),
            ("node -e x", false),
            ("ruby", true),
            ("bash /dev/stdin", true),
        ];
        for (src, want) in cases {
            let args = lits(src);
            let kind = interpreter(&args[0].value).unwrap();
            assert_eq!(invocation(kind, &args[1..]).reads_stdin, *want, "{src}");
        }
    }

    #[test]
    fn sources() {
        let cases: &[(&str, bool)] = &[
            ("curl -fsSL x", true),
            ("wget -qO- x", true),
            ("base64 -d", true),
            ("base64 --decode", true),
            ("base64", false),
            ("xxd -r -p", true),
            ("xxd -rp", true),
            ("xxd f", false),
            ("openssl enc -d -aes-256-cbc", true),
            ("openssl base64 -d", true),
            ("openssl rand 4", false),
            ("cat x", false),
        ];
        for (src, want) in cases {
            let args = lits(src);
            assert_eq!(is_source(&args[0].value, &args[1..]), *want, "{src}");
        }
    }
}
