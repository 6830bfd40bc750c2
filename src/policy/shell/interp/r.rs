//! R: tokeniser (quotes with escapes, raw strings `r"(…)"`, backtick names,
//! `<-` assignment, `%op%`) and `system`, `system2`, `shell`, `pipe`,
//! `unlink(recursive = TRUE)`, `file.remove`, sockets.

use super::calls::Syntax;
use super::lex::{push, string_body, Cur, Delims, Esc, Interp, Tok};
use super::payload::Act;

pub(crate) const SYNTAX: Syntax = Syntax {
    member: &["::", ":::", "$"],
    concat: &[],
    module_fns: &[],
    list_fns: &["c", "list"],
    bare_literals: false,
    bare_idents: false,
};

pub(crate) const ACTIONS: &[(&str, Act)] = &[
    ("system", Act::Run),
    ("system2", Act::Run),
    ("shell", Act::Run),
    ("pipe", Act::Run),
    ("base.system", Act::Run),
    ("base.system2", Act::Run),
    ("processx.run", Act::Run),
    ("sys.exec_wait", Act::Run),
    ("unlink", Act::DelOpt),
    ("base.unlink", Act::DelOpt),
    ("file.remove", Act::Del(false)),
    ("fs.dir_delete", Act::Del(true)),
    ("fs.file_delete", Act::Del(false)),
    ("eval", Act::Eval),
    ("socketConnection", Act::Socket),
    ("make.socket", Act::Socket),
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
            '#' => {
                cur.skip_line();
                continue;
            }
            'r' | 'R' if matches!(cur.peek2(), Some('"' | '\'')) => {
                cur.bump();
                raw(&mut cur)
            }
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
            '`' => {
                // A quoted name, not a command.
                cur.bump();
                let start = cur.pos;
                cur.skip_past("`");
                Tok::Ident(cur.src.get(start..cur.pos.saturating_sub(1)).unwrap_or(""))
            }
            '%' => {
                cur.bump();
                match cur.rest().find(['%', '\n']) {
                    Some(i) if cur.rest().as_bytes().get(i) == Some(&b'%') => cur.pos += i + 1,
                    _ => {}
                }
                Tok::Op("%")
            }
            '<' if cur.rest().starts_with("<-") || cur.rest().starts_with("<<-") => {
                cur.pos += if cur.rest().starts_with("<<-") { 3 } else { 2 };
                Tok::Op("=")
            }
            c if c.is_alphabetic()
                || c == '_'
                || c == '.' && cur.peek2().is_some_and(char::is_alphabetic) =>
            {
                Tok::Ident(cur.ident("."))
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

/// `r"(…)"`, `R'[…]'`, `r"---{…}---"` (the `r` consumed).
fn raw(cur: &mut Cur) -> Tok<'static> {
    let Some(quote) = cur.bump() else {
        return Tok::Num;
    };
    let dashes = cur.rest().chars().take_while(|c| *c == '-').count();
    cur.pos += dashes;
    let close_bracket = match cur.bump() {
        Some('(') => ')',
        Some('[') => ']',
        Some('{') => '}',
        _ => return Tok::Num,
    };
    let close = format!("{close_bracket}{}{quote}", "-".repeat(dashes));
    Tok::Str(string_body(
        cur,
        &Delims {
            close: &close,
            nest: None,
        },
        Esc::None,
        Interp::None,
    ))
}
