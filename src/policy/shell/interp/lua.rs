//! Lua: tokeniser (quotes with escapes, long strings `[[…]]`/`[==[…]==]`,
//! `--` and long comments) and `os.execute`, `io.popen`, `os.remove`,
//! `load`, LuaSocket.

use super::calls::Syntax;
use super::lex::{push, string_body, Cur, Delims, Esc, Interp, Lit, Tok};
use super::payload::Act;

pub(crate) const SYNTAX: Syntax = Syntax {
    member: &[".", ":"],
    concat: &[".."],
    module_fns: &["require"],
    list_fns: &[],
    bare_literals: true,
    bare_idents: false,
};

pub(crate) const ACTIONS: &[(&str, Act)] = &[
    ("os.execute", Act::Run),
    ("io.popen", Act::Run),
    ("os.remove", Act::Del(false)),
    ("load", Act::Eval),
    ("loadstring", Act::Eval),
    ("socket.tcp", Act::Socket),
    ("socket.tcp4", Act::Socket),
    ("socket.tcp6", Act::Socket),
    ("socket.udp", Act::Socket),
    ("socket.connect", Act::Socket),
];

pub(crate) fn tokenise(src: &str) -> Vec<Tok<'_>> {
    let mut cur = Cur::new(src);
    let mut toks: Vec<Tok> = Vec::new();
    while let Some(c) = cur.peek() {
        let tok = match c {
            '\n' => {
                cur.bump();
                Tok::Nl
            }
            c if c.is_whitespace() => {
                cur.bump();
                continue;
            }
            '-' if cur.peek2() == Some('-') => {
                cur.pos += 2;
                if long_bracket(&mut cur).is_none() {
                    cur.skip_line();
                }
                continue;
            }
            '[' if matches!(cur.peek2(), Some('[' | '=')) => match long_bracket(&mut cur) {
                Some(l) => Tok::Str(l),
                None => Tok::Op(cur.op()),
            },
            '\'' | '"' => {
                cur.bump();
                let mut buf = [0u8; 4];
                let close: &str = c.encode_utf8(&mut buf);
                Tok::Str(string_body(
                    &mut cur,
                    &Delims { close, nest: None },
                    Esc::C,
                    Interp::None,
                ))
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

/// `[[…]]` or `[==[…]==]` at the cursor; leaves the cursor alone otherwise.
fn long_bracket(cur: &mut Cur) -> Option<Lit> {
    let rest = cur.rest();
    let after = rest.strip_prefix('[')?;
    let level = after.chars().take_while(|c| *c == '=').count();
    if after.get(level..)?.starts_with('[') {
        cur.pos += level + 2;
        let close = format!("]{}]", "=".repeat(level));
        // A newline right after the opening bracket is skipped.
        cur.eat("\n");
        Some(string_body(
            cur,
            &Delims {
                close: &close,
                nest: None,
            },
            Esc::None,
            Interp::None,
        ))
    } else {
        None
    }
}
