//! awk (gawk, mawk, nawk): tokeniser (strings, regex literals, comments)
//! and the ways a program runs commands: `system(…)`, `"cmd" | getline`,
//! `print … | "cmd"` (a shell there runs the printed text), and gawk's
//! `/inet/tcp/…` sockets.

use super::calls::Syntax;
use super::lex::{
    push, regex_allowed, skip_regex, string_body, Cur, Delims, Esc, Interp, Lit, Tok,
};
use super::payload::{Act, Payload};

pub(crate) const SYNTAX: Syntax = Syntax {
    member: &[],
    concat: &[],
    module_fns: &[],
    list_fns: &[],
    bare_literals: false,
    bare_idents: false,
};

pub(crate) const ACTIONS: &[(&str, Act)] = &[("system", Act::Run)];

pub(crate) fn tokenise(src: &str) -> Vec<Tok<'_>> {
    let mut cur = Cur::new(src);
    let mut toks: Vec<Tok> = Vec::new();
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
            '"' => {
                cur.bump();
                Tok::Str(string_body(
                    &mut cur,
                    &Delims {
                        close: "\"",
                        nest: None,
                    },
                    Esc::C,
                    Interp::None,
                ))
            }
            '/' if regex_allowed(&toks) => {
                cur.bump();
                skip_regex(&mut cur);
                Tok::Num
            }
            c if c.is_alphabetic() || c == '_' => Tok::Ident(cur.ident("")),
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

fn is_inet(l: &Lit) -> bool {
    let t = l.with_dyn("");
    ["/inet/", "/inet4/", "/inet6/"]
        .iter()
        .any(|p| t.starts_with(p))
}

fn is_shell(cmd: &str) -> bool {
    let mut words = cmd.split_whitespace();
    let prog = words.next().unwrap_or("");
    let prog = prog.rsplit('/').next().unwrap_or(prog);
    matches!(prog, "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash")
        && !words.any(|w| w.starts_with('-') && w.contains('c'))
}

/// Commands and sockets reached through awk's pipes.
pub(crate) fn pipes(toks: &[Tok], p: &mut Payload) {
    // Variables holding a socket path (`s = "/inet/tcp/0/host/port"`).
    let mut sockets: Vec<&str> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if let Tok::Str(l) = t {
            if is_inet(l) {
                p.socket.get_or_insert_with(|| l.with_dyn("…"));
                if let (Some(Tok::Op("=")), Some(Tok::Ident(v))) = (
                    i.checked_sub(1).and_then(|j| toks.get(j)),
                    i.checked_sub(2).and_then(|j| toks.get(j)),
                ) {
                    sockets.push(v);
                }
            }
        }
    }
    let is_socket = |t: Option<&Tok>| match t {
        Some(Tok::Ident(v)) => sockets.contains(v),
        Some(Tok::Str(l)) => is_inet(l),
        _ => false,
    };
    for (i, t) in toks.iter().enumerate() {
        let Tok::Op(pipe @ ("|" | "|&")) = t else {
            continue;
        };
        let before = i.checked_sub(1).and_then(|j| toks.get(j));
        let after = toks.get(i + 1);
        if after == Some(&Tok::Ident("getline")) {
            // `"cmd" | getline`: the left side is the command.
            match before {
                _ if is_socket(before) => {}
                Some(Tok::Str(l)) => p.command(l.shell_text()),
                Some(Tok::Ident(_)) | Some(Tok::Op(")")) => {
                    p.attach(&format!("{pipe} getline from a computed command"))
                }
                _ => {}
            }
            continue;
        }
        match after {
            _ if is_socket(after) => {}
            Some(Tok::Str(l)) => {
                let target = l.shell_text();
                if is_shell(&target) {
                    p.attach(&target);
                    if let Some(text) = printed(toks, i) {
                        p.command(text);
                    }
                }
                p.command(target);
            }
            Some(Tok::Ident(_)) => p.attach(&format!("print {pipe} a computed command")),
            _ => {}
        }
    }
    p.finish(super::Lang::Awk);
}

/// The literal text a `print`/`printf` statement ending at `pipe` writes.
fn printed(toks: &[Tok], pipe: usize) -> Option<String> {
    let head = toks.get(..pipe)?;
    let start = head
        .iter()
        .rposition(|t| matches!(t, Tok::Ident("print" | "printf")))?;
    let stmt = head.get(start + 1..)?;
    if stmt
        .iter()
        .any(|t| matches!(t, Tok::Nl | Tok::Op(";" | "{" | "}")))
    {
        return None;
    }
    let mut out = String::new();
    for t in stmt {
        match t {
            Tok::Str(l) => out.push_str(&l.shell_text()),
            Tok::Op("(" | ")" | ",") => {}
            _ => out.push_str(super::lex::DYN),
        }
    }
    Some(out)
}
