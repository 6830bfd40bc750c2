//! Python: tokeniser (prefixed, raw, triple-quoted and f-strings, comments),
//! `import` aliases, and the calls that spawn processes, delete paths,
//! evaluate code or open sockets.

use super::calls::{normalize_module, Syntax};
use super::lex::{push, string_body, Cur, Delims, Esc, Interp, Tok};
use super::payload::Act;

pub(crate) const SYNTAX: Syntax = Syntax {
    member: &["."],
    concat: &["+"],
    module_fns: &["__import__", "importlib.import_module", "import_module"],
    list_fns: &[],
    bare_literals: false,
    bare_idents: false,
};

pub(crate) const ACTIONS: &[(&str, Act)] = &[
    ("os.system", Act::Run),
    ("os.popen", Act::Run),
    ("os.popen2", Act::Run),
    ("os.popen3", Act::Run),
    ("os.execl", Act::Run),
    ("os.execle", Act::Run),
    ("os.execlp", Act::Run),
    ("os.execlpe", Act::Run),
    ("os.execv", Act::Run),
    ("os.execve", Act::Run),
    ("os.execvp", Act::Run),
    ("os.execvpe", Act::Run),
    ("os.spawnl", Act::Run),
    ("os.spawnle", Act::Run),
    ("os.spawnlp", Act::Run),
    ("os.spawnlpe", Act::Run),
    ("os.spawnv", Act::Run),
    ("os.spawnve", Act::Run),
    ("os.spawnvp", Act::Run),
    ("os.spawnvpe", Act::Run),
    ("os.posix_spawn", Act::Run),
    ("os.posix_spawnp", Act::Run),
    ("subprocess.run", Act::Run),
    ("subprocess.call", Act::Run),
    ("subprocess.check_call", Act::Run),
    ("subprocess.check_output", Act::Run),
    ("subprocess.Popen", Act::Run),
    ("subprocess.getoutput", Act::Run),
    ("subprocess.getstatusoutput", Act::Run),
    ("*.check_output", Act::Run),
    ("*.check_call", Act::Run),
    ("*.getstatusoutput", Act::Run),
    ("commands.getoutput", Act::Run),
    ("commands.getstatusoutput", Act::Run),
    ("asyncio.create_subprocess_shell", Act::Run),
    ("asyncio.create_subprocess_exec", Act::Run),
    ("pty.spawn", Act::Pty),
    ("os.dup2", Act::Dup),
    ("os.dup", Act::Dup),
    ("shutil.rmtree", Act::Del(true)),
    ("*.rmtree", Act::Del(true)),
    ("os.remove", Act::Del(false)),
    ("os.unlink", Act::Del(false)),
    ("os.rmdir", Act::Del(false)),
    ("os.removedirs", Act::Del(false)),
    ("Path.unlink", Act::DelRecv),
    ("Path.rmdir", Act::DelRecv),
    ("PosixPath.unlink", Act::DelRecv),
    ("PosixPath.rmdir", Act::DelRecv),
    ("exec", Act::Eval),
    ("eval", Act::Eval),
    ("builtins.exec", Act::Eval),
    ("socket.socket", Act::Socket),
    ("socket.create_connection", Act::Socket),
    ("socket.fromfd", Act::Socket),
    ("socket.socketpair", Act::Socket),
];

const STRING_PREFIXES: &[&str] = &[
    "r", "u", "b", "f", "br", "rb", "fr", "rf", "R", "U", "B", "F", "Br", "bR", "BR", "rB", "Rb",
    "RB", "Fr", "fR", "FR", "rF", "Rf", "RF",
];

pub(crate) fn tokenise(src: &str) -> Vec<Tok<'_>> {
    let mut cur = Cur::new(src);
    let mut toks = Vec::new();
    while let Some(c) = cur.peek() {
        let tok = match c {
            '\n' => {
                cur.bump();
                Tok::Nl
            }
            '\\' if cur.peek2() == Some('\n') => {
                cur.pos += 2;
                continue;
            }
            c if c.is_whitespace() => {
                cur.bump();
                continue;
            }
            '#' => {
                cur.skip_line();
                continue;
            }
            '\'' | '"' => string(&mut cur, ""),
            c if c.is_alphabetic() || c == '_' => {
                let w = cur.ident("");
                if STRING_PREFIXES.contains(&w) && matches!(cur.peek(), Some('\'' | '"')) {
                    string(&mut cur, w)
                } else {
                    Tok::Ident(w)
                }
            }
            c if c.is_ascii_digit() => {
                cur.number();
                Tok::Num
            }
            _ => Tok::Op(cur.op()),
        };
        if !push(&mut toks, tok) {
            break;
        }
    }
    toks
}

/// A string literal at the cursor (its prefix already read).
fn string(cur: &mut Cur, prefix: &str) -> Tok<'static> {
    let quote = if cur.rest().starts_with("'''") {
        "'''"
    } else if cur.rest().starts_with("\"\"\"") {
        "\"\"\""
    } else if cur.rest().starts_with('\'') {
        "'"
    } else {
        "\""
    };
    cur.pos += quote.len();
    let lower = prefix.to_ascii_lowercase();
    let esc = if lower.contains('r') {
        Esc::Raw
    } else {
        Esc::C
    };
    let interp = if lower.contains('f') {
        Interp::Braces
    } else {
        Interp::None
    };
    let lit = string_body(
        cur,
        &Delims {
            close: quote,
            nest: None,
        },
        esc,
        interp,
    );
    Tok::Str(lit)
}

/// Aliases from `import m as a`, `from m import f [as g]`, `from m import *`.
pub(crate) fn imports(toks: &[Tok]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(t) = toks.get(i) {
        match t {
            Tok::Ident("import") if !matches!(prev(toks, i), Some(Tok::Ident(_))) => {
                // import a.b as c, d
                i += 1;
                loop {
                    let (name, next) = dotted(toks, i);
                    i = next;
                    if let (Some(Tok::Ident("as")), Some(Tok::Ident(a))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        out.push(((*a).to_string(), name));
                        i += 2;
                    }
                    if matches!(toks.get(i), Some(Tok::Op(","))) {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            Tok::Ident("from") => {
                let (module, next) = dotted(toks, i + 1);
                i = next;
                if !matches!(toks.get(i), Some(Tok::Ident("import"))) {
                    continue;
                }
                i += 1;
                if matches!(toks.get(i), Some(Tok::Op("("))) {
                    i += 1;
                }
                loop {
                    match toks.get(i) {
                        Some(Tok::Op("*")) => {
                            out.push(("*".to_string(), module.clone()));
                            i += 1;
                        }
                        Some(Tok::Ident(f)) => {
                            let target = format!("{module}.{f}");
                            i += 1;
                            if let (Some(Tok::Ident("as")), Some(Tok::Ident(a))) =
                                (toks.get(i), toks.get(i + 1))
                            {
                                out.push(((*a).to_string(), target));
                                i += 2;
                            } else {
                                out.push(((*f).to_string(), target));
                            }
                        }
                        _ => break,
                    }
                    if matches!(toks.get(i), Some(Tok::Op(","))) {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            _ => i += 1,
        }
        if out.len() > 256 {
            break;
        }
    }
    out
}

fn prev<'t, 'a>(toks: &'t [Tok<'a>], i: usize) -> Option<&'t Tok<'a>> {
    i.checked_sub(1).and_then(|p| toks.get(p))
}

/// A dotted name starting at `i`, and the index after it.
fn dotted(toks: &[Tok], mut i: usize) -> (String, usize) {
    let mut name = String::new();
    while let Some(Tok::Ident(w)) = toks.get(i) {
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(w);
        i += 1;
        if matches!(toks.get(i), Some(Tok::Op(".")))
            && matches!(toks.get(i + 1), Some(Tok::Ident(_)))
        {
            i += 1;
        } else {
            break;
        }
    }
    (normalize_module(&name), i)
}
