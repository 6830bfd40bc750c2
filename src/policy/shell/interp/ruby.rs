//! Ruby: tokeniser (quotes with `#{}` interpolation, backticks, `%x{} %w[]
//! %q() %Q() %i[] %r{}`, regex literals, comments, `=begin` blocks) and the
//! process (`system`, `exec`, `spawn`, `IO.popen`, `Open3`), filesystem
//! (`FileUtils`, `File.delete`, `Dir.delete`) and socket calls.

use super::calls::Syntax;
use super::lex::{
    delimited, push, regex_allowed, skip_regex, string_body, words, Cur, Delims, Esc, Interp, Tok,
};
use super::payload::Act;

pub(crate) const SYNTAX: Syntax = Syntax {
    member: &[".", "::", "&."],
    concat: &["+", "<<"],
    module_fns: &[],
    list_fns: &[],
    bare_literals: true,
    bare_idents: true,
};

pub(crate) const ACTIONS: &[(&str, Act)] = &[
    ("system", Act::Run),
    ("exec", Act::Run),
    ("spawn", Act::Run),
    ("`", Act::Run),
    ("Kernel.system", Act::Run),
    ("Kernel.exec", Act::Run),
    ("Kernel.spawn", Act::Run),
    ("Kernel.`", Act::Run),
    ("Process.spawn", Act::Run),
    ("Process.exec", Act::Run),
    ("IO.popen", Act::Run),
    ("PTY.spawn", Act::Pty),
    ("Open3.popen3", Act::Run),
    ("Open3.popen2", Act::Run),
    ("Open3.popen2e", Act::Run),
    ("Open3.capture2", Act::Run),
    ("Open3.capture2e", Act::Run),
    ("Open3.capture3", Act::Run),
    ("Open3.pipeline", Act::Run),
    ("Open3.pipeline_r", Act::Run),
    ("Open3.pipeline_w", Act::Run),
    ("open", Act::Open),
    ("Kernel.open", Act::Open),
    ("FileUtils.rm_rf", Act::Del(true)),
    ("FileUtils.rm_r", Act::Del(true)),
    ("FileUtils.rmtree", Act::Del(true)),
    ("FileUtils.remove_dir", Act::Del(true)),
    ("FileUtils.remove_entry", Act::Del(true)),
    ("FileUtils.remove_entry_secure", Act::Del(true)),
    ("FileUtils.rm", Act::Del(false)),
    ("FileUtils.rm_f", Act::Del(false)),
    ("FileUtils.remove", Act::Del(false)),
    ("FileUtils.rmdir", Act::Del(false)),
    ("File.delete", Act::Del(false)),
    ("File.unlink", Act::Del(false)),
    ("Dir.delete", Act::Del(false)),
    ("Dir.rmdir", Act::Del(false)),
    ("Dir.unlink", Act::Del(false)),
    ("Pathname.rmtree", Act::DelRecv),
    ("Pathname.delete", Act::DelRecv),
    ("eval", Act::Eval),
    ("Kernel.eval", Act::Eval),
    ("instance_eval", Act::Eval),
    ("TCPSocket.new", Act::Socket),
    ("TCPSocket.open", Act::Socket),
    ("UDPSocket.new", Act::Socket),
    ("Socket.tcp", Act::Socket),
    ("Socket.new", Act::Socket),
    ("*.reopen", Act::Dup),
];

pub(crate) fn tokenise(src: &str) -> Vec<Tok<'_>> {
    let mut cur = Cur::new(src);
    let mut toks: Vec<Tok> = Vec::new();
    while let Some(c) = cur.peek() {
        let line_start = cur.pos == 0 || cur.src.as_bytes().get(cur.pos - 1) == Some(&b'\n');
        if line_start && cur.rest().starts_with("=begin") {
            cur.skip_past("\n=end");
            cur.skip_line();
            continue;
        }
        if line_start && cur.rest().starts_with("__END__") {
            break;
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
                Tok::Str(body(&mut cur, "'", Esc::Quote, Interp::None))
            }
            '"' => {
                cur.bump();
                Tok::Str(body(&mut cur, "\"", Esc::C, Interp::HashBrace))
            }
            '`' => {
                cur.bump();
                Tok::Cmd(body(&mut cur, "`", Esc::C, Interp::HashBrace))
            }
            '/' if regex_allowed(&toks) => {
                cur.bump();
                skip_regex(&mut cur);
                Tok::Num
            }
            '%' if regex_allowed(&toks) || spaced_after_ident(&cur, &toks) => {
                match percent(&mut cur) {
                    Some(t) => t,
                    None => Tok::Op(cur.op()),
                }
            }
            '?' if regex_allowed(&toks) && cur.peek2().is_some_and(|n| !n.is_whitespace()) => {
                // `?r` character literal.
                cur.bump();
                cur.bump();
                Tok::Num
            }
            c if c.is_alphabetic() || c == '_' || c == '@' || c == '$' => {
                let start = cur.pos;
                cur.bump();
                if c == '$' && cur.peek().is_some_and(|n| !n.is_alphanumeric() && n != '_') {
                    cur.bump();
                } else {
                    cur.ident("@");
                }
                // `chomp!`, `nil?` (not `a!=b`).
                if matches!(cur.peek(), Some('!' | '?')) && cur.peek2() != Some('=') {
                    cur.bump();
                }
                Tok::Ident(cur.src.get(start..cur.pos).unwrap_or(""))
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

/// `rm_rf %w[a b]`: a `%` literal as a paren-less argument.
fn spaced_after_ident(cur: &Cur, toks: &[Tok]) -> bool {
    let spaced = cur
        .src
        .get(..cur.pos)
        .is_some_and(|h| h.ends_with([' ', '\t']));
    spaced
        && matches!(toks.last(), Some(Tok::Ident(_)))
        && cur.peek2().is_some_and(|n| !n.is_whitespace() && n != '=')
}

fn body(cur: &mut Cur, close: &str, esc: Esc, interp: Interp) -> super::lex::Lit {
    string_body(cur, &Delims { close, nest: None }, esc, interp)
}

/// `%x{…}`, `%w[…]`, `%q(…)`, `%Q(…)`, `%(…)`, `%i[…]`, `%r{…}`, `%s(…)`.
fn percent(cur: &mut Cur) -> Option<Tok<'static>> {
    let save = cur.pos;
    cur.bump();
    let kind = match cur.peek() {
        Some(k @ ('x' | 'w' | 'W' | 'q' | 'Q' | 'i' | 'I' | 'r' | 's')) => {
            cur.bump();
            k
        }
        _ => 'Q',
    };
    let open = cur
        .peek()
        .filter(|o| !o.is_alphanumeric() && !o.is_whitespace() && *o != '=');
    let Some(open) = open else {
        cur.pos = save;
        return None;
    };
    cur.bump();
    let (esc, interp) = match kind {
        'q' | 'w' | 'i' | 's' => (Esc::Quote, Interp::None),
        _ => (Esc::C, Interp::HashBrace),
    };
    let lit = delimited(cur, open, esc, interp);
    Some(match kind {
        'x' => Tok::Cmd(lit),
        'w' | 'W' => Tok::Words(words(&lit)),
        'q' | 'Q' => Tok::Str(lit),
        _ => Tok::Num,
    })
}
