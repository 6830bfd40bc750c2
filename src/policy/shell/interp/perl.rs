//! Perl: tokeniser (single/double quotes, backticks, `q qq qw qx m qr s tr
//! y` with any delimiter, regex literals, sigils, POD and `__END__`) and
//! the process, filesystem (`unlink`, File::Path) and socket calls.

use super::calls::Syntax;
use super::lex::{
    closing, delimited, push, regex_allowed, skip_regex, string_body, words, Cur, Delims, Esc,
    Interp, Tok,
};
use super::payload::Act;

pub(crate) const SYNTAX: Syntax = Syntax {
    member: &["->", "::"],
    concat: &["."],
    module_fns: &[],
    list_fns: &[],
    bare_literals: true,
    bare_idents: true,
};

pub(crate) const ACTIONS: &[(&str, Act)] = &[
    ("system", Act::Run),
    ("exec", Act::Run),
    ("readpipe", Act::Run),
    ("CORE.system", Act::Run),
    ("CORE.exec", Act::Run),
    ("`", Act::Run),
    ("IPC.Open2.open2", Act::Run),
    ("IPC.Open3.open3", Act::Run),
    ("open2", Act::Run),
    ("open3", Act::Run),
    ("open", Act::Open),
    ("unlink", Act::Del(false)),
    ("rmdir", Act::Del(false)),
    ("rmtree", Act::Del(true)),
    ("remove_tree", Act::Del(true)),
    ("File.Path.rmtree", Act::Del(true)),
    ("File.Path.remove_tree", Act::Del(true)),
    ("eval", Act::Eval),
    ("socket", Act::Socket),
    ("IO.Socket.INET.new", Act::Socket),
    ("IO.Socket.INET", Act::Socket),
    ("IO.Socket.IP.new", Act::Socket),
    ("IO.Socket.IP", Act::Socket),
    ("IO.Socket.SSL.new", Act::Socket),
    ("*.fdopen", Act::Dup),
];

pub(crate) fn tokenise(src: &str) -> Vec<Tok<'_>> {
    let mut cur = Cur::new(src);
    let mut toks: Vec<Tok> = Vec::new();
    while let Some(c) = cur.peek() {
        let line_start = cur.pos == 0 || cur.src.as_bytes().get(cur.pos - 1) == Some(&b'\n');
        if line_start && c == '=' && cur.peek2().is_some_and(char::is_alphabetic) {
            // POD block.
            cur.skip_past("\n=cut");
            cur.skip_line();
            continue;
        }
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
            '\'' => {
                cur.bump();
                Tok::Str(string_body(
                    &mut cur,
                    &Delims {
                        close: "'",
                        nest: None,
                    },
                    Esc::Quote,
                    Interp::None,
                ))
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
                    Interp::Perl,
                ))
            }
            '`' => {
                cur.bump();
                Tok::Cmd(string_body(
                    &mut cur,
                    &Delims {
                        close: "`",
                        nest: None,
                    },
                    Esc::C,
                    Interp::Perl,
                ))
            }
            '/' if regex_allowed(&toks) => {
                cur.bump();
                skip_regex(&mut cur);
                Tok::Num
            }
            '$' | '@' | '%' | '&' if sigil_var(&cur, &toks) => {
                let start = cur.pos;
                cur.bump();
                if cur.peek() == Some('#') {
                    cur.bump();
                }
                if cur
                    .peek()
                    .is_some_and(|n| n.is_alphanumeric() || n == '_' || n == ':')
                {
                    cur.ident(":");
                } else if cur.peek() != Some('{') {
                    cur.bump();
                }
                Tok::Ident(cur.src.get(start..cur.pos).unwrap_or("$"))
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = cur.pos;
                let w = cur.ident("");
                if w == "__END__" || w == "__DATA__" {
                    break;
                }
                match quote_like(&mut cur, w) {
                    Some(t) => t,
                    None => {
                        // `Foo::Bar` stays one name with `::` members.
                        cur.pos = start + w.len();
                        Tok::Ident(w)
                    }
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

/// Whether a sigil at the cursor starts a variable (not `%` modulo or `&&`).
fn sigil_var(cur: &Cur, toks: &[Tok]) -> bool {
    let Some(n) = cur.peek2() else { return false };
    match cur.peek() {
        Some('$') => true,
        Some('@') => n.is_alphabetic() || n == '_' || n == '{' || n == '$' || n == ':',
        Some('%' | '&') => {
            regex_allowed(toks) && (n.is_alphabetic() || n == '_' || n == '{' || n == '$')
        }
        _ => false,
    }
}

/// `q(…)`, `qq{…}`, `qw/…/`, `qx(…)`, `m//`, `qr//`, `s///`, `tr///`, `y///`.
fn quote_like(cur: &mut Cur, w: &str) -> Option<Tok<'static>> {
    if !matches!(w, "q" | "qq" | "qw" | "qx" | "m" | "qr" | "s" | "tr" | "y") {
        return None;
    }
    let save = cur.pos;
    while cur.peek().is_some_and(|c| c == ' ' || c == '\t') {
        cur.bump();
    }
    let open = cur.peek()?;
    let spaced = cur.pos != save;
    let ok = !(open.is_alphanumeric()
        || open.is_whitespace()
        || matches!(open, '_' | ',' | ';' | ')' | '=')
        || (spaced && open == '#'));
    if !ok || (open == '=' && cur.peek2() == Some('>')) {
        cur.pos = save;
        return None;
    }
    cur.bump();
    let (esc, interp) = match w {
        "q" | "qw" => (Esc::Quote, Interp::None),
        "qx" if open == '\'' => (Esc::Quote, Interp::None),
        _ => (Esc::C, Interp::Perl),
    };
    let body = delimited(cur, open, esc, interp);
    match w {
        "q" | "qq" => Some(Tok::Str(body)),
        "qw" => Some(Tok::Words(words(&body))),
        "qx" => Some(Tok::Cmd(body)),
        "s" | "tr" | "y" => {
            // Replacement part: `s{a}{b}` opens again, `s/a/b/` reuses the delimiter.
            let (close, nest) = closing(open);
            if nest.is_some() {
                while cur.peek().is_some_and(char::is_whitespace) {
                    cur.bump();
                }
                if let Some(o2) = cur.bump() {
                    delimited(cur, o2, Esc::C, Interp::None);
                }
            } else {
                let mut buf = [0u8; 4];
                let c: &str = close.encode_utf8(&mut buf);
                string_body(
                    cur,
                    &Delims {
                        close: c,
                        nest: None,
                    },
                    Esc::C,
                    Interp::None,
                );
            }
            cur.ident("");
            Some(Tok::Num)
        }
        _ => {
            cur.ident("");
            Some(Tok::Num)
        }
    }
}
