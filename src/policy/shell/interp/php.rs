//! PHP: tokeniser (single quotes, double quotes with `$x`/`{$x}`
//! interpolation, backticks, heredoc/nowdoc, comments, `<?php` tags) and
//! the process, filesystem and socket functions.

use super::calls::Syntax;
use super::lex::{push, string_body, Cur, Delims, Esc, Interp, Lit, Tok};
use super::payload::Act;

pub(crate) const SYNTAX: Syntax = Syntax {
    member: &["->", "::"],
    concat: &["."],
    module_fns: &[],
    list_fns: &["array"],
    bare_literals: false,
    bare_idents: false,
};

pub(crate) const ACTIONS: &[(&str, Act)] = &[
    ("system", Act::Run),
    ("exec", Act::Run),
    ("shell_exec", Act::Run),
    ("passthru", Act::Run),
    ("proc_open", Act::Run),
    ("popen", Act::Run),
    ("pcntl_exec", Act::Run),
    ("`", Act::Run),
    ("unlink", Act::Del(false)),
    ("rmdir", Act::Del(false)),
    ("eval", Act::Eval),
    ("assert", Act::Eval),
    ("fsockopen", Act::Socket),
    ("pfsockopen", Act::Socket),
    ("stream_socket_client", Act::Socket),
    ("socket_create", Act::Socket),
    ("socket_connect", Act::Socket),
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
            '/' if cur.peek2() == Some('/') => {
                cur.skip_line();
                continue;
            }
            '/' if cur.peek2() == Some('*') => {
                cur.pos += 2;
                cur.skip_past("*/");
                continue;
            }
            '<' if cur.rest().starts_with("<?php") => {
                cur.pos += 5;
                continue;
            }
            '<' if cur.rest().starts_with("<<<") => {
                cur.pos += 3;
                heredoc(&mut cur)
            }
            '\'' => {
                cur.bump();
                Tok::Str(body(&mut cur, "'", Esc::Quote, Interp::None))
            }
            '"' => {
                cur.bump();
                Tok::Str(body(&mut cur, "\"", Esc::C, Interp::Php))
            }
            '`' => {
                cur.bump();
                Tok::Cmd(body(&mut cur, "`", Esc::C, Interp::Php))
            }
            c if c.is_alphabetic() || c == '_' || c == '$' || c == '\\' => {
                let start = cur.pos;
                cur.bump();
                cur.ident("\\");
                let w = cur.src.get(start..cur.pos).unwrap_or("");
                // `\system(…)` names the global function.
                Tok::Ident(w.rsplit('\\').next().unwrap_or(w))
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

fn body(cur: &mut Cur, close: &str, esc: Esc, interp: Interp) -> Lit {
    string_body(cur, &Delims { close, nest: None }, esc, interp)
}

/// `<<<EOT … EOT` (interpolated) or `<<<'EOT' … EOT` (nowdoc).
fn heredoc(cur: &mut Cur) -> Tok<'static> {
    while cur.peek().is_some_and(|c| c == ' ' || c == '\t') {
        cur.bump();
    }
    let quoted = cur.eat("'");
    let dquoted = !quoted && cur.eat("\"");
    let tag = cur.ident("").to_string();
    if quoted {
        cur.eat("'");
    } else if dquoted {
        cur.eat("\"");
    }
    cur.skip_line();
    cur.eat("\n");
    if tag.is_empty() {
        return Tok::Num;
    }
    let close = format!("\n{tag}");
    let (esc, interp) = if quoted {
        (Esc::None, Interp::None)
    } else {
        (Esc::C, Interp::Php)
    };
    // The body ends at a line holding the tag (possibly indented: not handled).
    let end = cur.rest().find(&close).map(|e| cur.pos + e);
    let text = match end {
        Some(e) => cur.src.get(cur.pos..e).unwrap_or(""),
        None => cur.rest(),
    };
    let mut inner = Cur::new(text);
    let lit = string_body(
        &mut inner,
        &Delims {
            close: "\u{0}",
            nest: None,
        },
        esc,
        interp,
    );
    cur.pos = end.map_or(cur.src.len(), |e| e + close.len());
    Tok::Str(lit)
}
