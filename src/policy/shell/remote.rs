//! Remote and obfuscated code execution: which commands produce downloaded
//! or decoded content, and which interpreters execute what they are given.

use std::borrow::Cow;

use super::ast::{Command, Script};
use super::expand::{expand_words, Arg};
use super::interp::Lang;
use super::wrappers::{basename, has_flag, unwrap};
use super::MAX_DEPTH;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interp {
    Shell,
    Python,
    Perl,
    Ruby,
    Node,
    Deno,
    Bun,
    Php,
    Lua,
    R,
    Awk,
    Other,
}

impl Interp {
    /// The language whose inline code is analysed, if any.
    pub(crate) fn lang(self) -> Option<Lang> {
        Some(match self {
            Interp::Python => Lang::Python,
            Interp::Node | Interp::Deno | Interp::Bun => Lang::Js,
            Interp::Perl => Lang::Perl,
            Interp::Ruby => Lang::Ruby,
            Interp::Php => Lang::Php,
            Interp::Lua => Lang::Lua,
            Interp::R => Lang::R,
            Interp::Awk => Lang::Awk,
            Interp::Shell | Interp::Other => return None,
        })
    }
}

/// `name` followed only by a version (`perl5.36`, `lua5.4`, `php8.2`).
fn versioned(name: &str, base: &str) -> bool {
    name.strip_prefix(base)
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

pub(crate) fn interpreter(name: &str) -> Option<Interp> {
    Some(match name {
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "mksh" | "yash" | "rbash" | "fish" => {
            Interp::Shell
        }
        "node" | "nodejs" => Interp::Node,
        "deno" => Interp::Deno,
        "bun" => Interp::Bun,
        "luajit" => Interp::Lua,
        "Rscript" | "R" => Interp::R,
        "awk" | "gawk" | "mawk" | "nawk" | "original-awk" => Interp::Awk,
        "tclsh" | "pwsh" | "osascript" => Interp::Other,
        _ if versioned(name, "perl") => Interp::Perl,
        _ if versioned(name, "ruby") => Interp::Ruby,
        _ if versioned(name, "php") => Interp::Php,
        _ if versioned(name, "lua") => Interp::Lua,
        _ if name.starts_with("python") || name.starts_with("pypy") => Interp::Python,
        _ => return None,
    })
}

/// How an interpreter was invoked.
#[derive(Debug, Default)]
pub(crate) struct Invocation<'a> {
    /// The command string of `sh -c '…'`, or an interpreter's first inline
    /// code argument (`python -c CODE`).
    pub code: Option<&'a Arg<'a>>,
    /// Every inline code text of an interpreter (`perl -e A -e B`, `-cCODE`,
    /// `--eval=CODE`, an awk program).
    pub codes: Vec<Cow<'a, str>>,
    /// The script file operand (possibly `<(…)`).
    pub operand: Option<&'a Arg<'a>>,
    /// Code is read from standard input.
    pub reads_stdin: bool,
}

pub(crate) fn invocation<'a>(kind: Interp, args: &'a [Arg<'a>]) -> Invocation<'a> {
    if let Some(spec) = spec(kind) {
        return code_invocation(&spec, args);
    }
    match (kind, args.first().map(Arg::text)) {
        (Interp::Deno, Some("eval")) => {
            return code_invocation(&DENO_EVAL, args.get(1..).unwrap_or_default())
        }
        (Interp::Deno, Some("run")) => {
            let mut inv = code_invocation(&DENO_RUN, args.get(1..).unwrap_or_default());
            inv.reads_stdin = inv.operand.is_some_and(|a| a.value == "-");
            return inv;
        }
        (Interp::Deno, _) => return Invocation::default(),
        _ => {}
    }
    // (letters whose presence means inline code or a module, options taking a separate value)
    let (code_flags, valued): (&str, &[&str]) = match kind {
        Interp::Shell => ("c", &["-o", "+o", "-O", "+O", "--rcfile", "--init-file"]),
        _ => ("ec", &[]),
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

/// Command-line conventions of an interpreter with inline code.
struct Spec {
    /// Short options whose value is code (`-c`, `-e`).
    code: &'static str,
    /// Short options taking a value, glued or as the next argument.
    valued: &'static str,
    /// Short options whose value can only be glued (`perl -MIO`, `-i.bak`).
    glued: &'static str,
    /// Short options naming the program file (`php -f`, `awk -f`).
    file: &'static str,
    /// Short options naming a module to run (`python -m`).
    module: &'static str,
    long_code: &'static [&'static str],
    long_valued: &'static [&'static str],
    long_file: &'static [&'static str],
    /// The first operand is the program text (awk).
    program_operand: bool,
}

const NONE: Spec = Spec {
    code: "",
    valued: "",
    glued: "",
    file: "",
    module: "",
    long_code: &[],
    long_valued: &[],
    long_file: &[],
    program_operand: false,
};

const DENO_EVAL: Spec = Spec {
    long_valued: &["ext", "config", "import-map", "env-file"],
    program_operand: true,
    ..NONE
};

const DENO_RUN: Spec = Spec {
    long_valued: &["config", "import-map", "env-file", "location", "seed"],
    ..NONE
};

fn spec(kind: Interp) -> Option<Spec> {
    Some(match kind {
        Interp::Python => Spec {
            code: "c",
            valued: "WX",
            module: "m",
            long_valued: &["check-hash-based-pycs"],
            ..NONE
        },
        Interp::Node | Interp::Bun => Spec {
            code: "ep",
            valued: "r",
            long_code: &["eval", "print"],
            long_valued: &[
                "require",
                "import",
                "loader",
                "input-type",
                "conditions",
                "cwd",
            ],
            ..NONE
        },
        Interp::Perl => Spec {
            code: "eE",
            glued: "MmIiFxdDCV",
            ..NONE
        },
        Interp::Ruby => Spec {
            code: "e",
            valued: "rICE",
            glued: "FxWKT0",
            ..NONE
        },
        Interp::Php => Spec {
            code: "rBRE",
            valued: "dcz",
            file: "fF",
            ..NONE
        },
        Interp::Lua => Spec {
            code: "e",
            valued: "l",
            ..NONE
        },
        Interp::R => Spec {
            code: "e",
            file: "f",
            long_file: &["file"],
            ..NONE
        },
        Interp::Awk => Spec {
            code: "e",
            valued: "vFWilE",
            file: "f",
            long_code: &["source"],
            long_valued: &["assign", "field-separator", "include", "load"],
            long_file: &["file", "exec"],
            program_operand: true,
            ..NONE
        },
        _ => return None,
    })
}

/// Finds the inline code, script operand and stdin use of an interpreter
/// command line.
fn code_invocation<'a>(spec: &Spec, args: &'a [Arg<'a>]) -> Invocation<'a> {
    let mut inv = Invocation::default();
    let (mut file, mut module, mut from_stdin) = (false, false, false);
    let mut i = 0;
    'args: while let Some(a) = args.get(i) {
        let v = a.text();
        if v == "--" || v == "-" {
            from_stdin |= v == "-";
            i += 1;
            break;
        }
        if let Some(long) = v.strip_prefix("--") {
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            let takes = |list: &[&str]| list.contains(&name);
            if takes(spec.long_code) {
                match val {
                    Some(code) => inv.codes.push(Cow::Borrowed(code)),
                    None => {
                        if let Some(next) = args.get(i + 1) {
                            inv.code.get_or_insert(next);
                            inv.codes.push(Cow::Borrowed(next.text()));
                        }
                        i += 1;
                    }
                }
            } else if takes(spec.long_file) {
                file = true;
                i += usize::from(val.is_none());
            } else if takes(spec.long_valued) && val.is_none() {
                i += 1;
            }
            i += 1;
            continue;
        }
        if v.len() < 2 || !v.starts_with('-') {
            break;
        }
        i += 1;
        for (k, c) in v.char_indices().skip(1) {
            let rest = v.get(k + c.len_utf8()..).unwrap_or("");
            if spec.code.contains(c) {
                if rest.is_empty() {
                    if let Some(next) = args.get(i) {
                        inv.code.get_or_insert(next);
                        inv.codes.push(Cow::Borrowed(next.text()));
                    }
                    i += 1;
                } else {
                    inv.codes.push(Cow::Borrowed(rest));
                }
                continue 'args;
            }
            if spec.module.contains(c) {
                module = true;
                break 'args;
            }
            if spec.file.contains(c) || spec.valued.contains(c) {
                file |= spec.file.contains(c);
                i += usize::from(rest.is_empty());
                continue 'args;
            }
            if spec.glued.contains(c) {
                continue 'args;
            }
        }
    }
    let operand = args.get(i);
    if spec.program_operand && inv.codes.is_empty() && !file {
        if let Some(p) = operand {
            inv.code = Some(p);
            inv.codes.push(Cow::Borrowed(p.text()));
        }
        return inv;
    }
    if !inv.codes.is_empty() || module || spec.program_operand {
        return inv;
    }
    if file {
        return inv;
    }
    if from_stdin || operand.is_none() {
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
    fn inline_code() {
        let cases: &[(&str, &[&str])] = &[
            ("python3 -c x", &["x"]),
            ("python3 -Bc x", &["x"]),
            ("python3 -W ignore -c x", &["x"]),
            ("python3 -cx", &["x"]),
            ("python3 -m json.tool", &[]),
            ("perl -ne x f", &["x"]),
            ("perl -MIO -e x", &["x"]),
            ("perl -e x -E y", &["x", "y"]),
            ("perl -pi -e x f", &["x"]),
            ("ruby -rsocket -e x", &["x"]),
            ("ruby -r socket -e x", &["x"]),
            ("node --eval x", &["x"]),
            ("node --eval=x", &["x"]),
            ("node -r dotenv/config -p x", &["x"]),
            ("deno eval x", &["x"]),
            ("deno eval --ext ts x", &["x"]),
            ("deno run x.ts", &[]),
            ("bun -e x", &["x"]),
            ("php -r x", &["x"]),
            ("php -f x.php", &[]),
            ("lua -e x", &["x"]),
            ("Rscript -e x", &["x"]),
            ("Rscript x.R", &[]),
            ("awk x f", &["x"]),
            ("awk -F : x f", &["x"]),
            ("awk -F: -v a=1 x", &["x"]),
            ("gawk --source x", &["x"]),
            ("awk -f p.awk f", &[]),
        ];
        for (src, want) in cases {
            let args = lits(src);
            let kind = interpreter(&args[0].value).unwrap();
            let inv = invocation(kind, &args[1..]);
            assert_eq!(inv.codes, want.to_vec(), "{src}");
        }
        let args = lits("awk x");
        assert!(!invocation(Interp::Awk, &args[1..]).reads_stdin);
        assert_eq!(interpreter("perldoc"), None);
        assert_eq!(interpreter("luarocks"), None);
        assert_eq!(interpreter("lua5.4"), Some(Interp::Lua));
        assert_eq!(interpreter("php8.2"), Some(Interp::Php));
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
