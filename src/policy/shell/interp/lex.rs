//! Shared lexing pieces for the interpreter tokenisers: a char cursor,
//! tokens, string literals with interpolated (non-literal) parts, and the
//! string-body scanner every language's quoting rules are built from.

/// Placeholder for a non-literal part of a string when it is handed to the
/// shell analyser: an unresolved variable there.
pub(crate) const DYN: &str = "${INTERP_VALUE}";

/// One piece of a string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    /// An interpolation or a non-literal operand (`{x}`, `${x}`, `$x`, `#{x}`).
    Dyn,
}

/// A string literal, possibly with non-literal parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Lit {
    pub pieces: Vec<Piece>,
}

impl Lit {
    pub(crate) fn text(s: &str) -> Self {
        Lit {
            pieces: vec![Piece::Text(s.to_string())],
        }
    }

    pub(crate) fn dynamic() -> Self {
        Lit {
            pieces: vec![Piece::Dyn],
        }
    }

    pub(crate) fn push_char(&mut self, c: char) {
        match self.pieces.last_mut() {
            Some(Piece::Text(t)) => t.push(c),
            _ => self.pieces.push(Piece::Text(c.to_string())),
        }
    }

    pub(crate) fn push_dyn(&mut self) {
        if self.pieces.last() != Some(&Piece::Dyn) {
            self.pieces.push(Piece::Dyn);
        }
    }

    pub(crate) fn append(&mut self, other: Lit) {
        for p in other.pieces {
            match p {
                Piece::Text(t) => t.chars().for_each(|c| self.push_char(c)),
                Piece::Dyn => self.push_dyn(),
            }
        }
    }

    pub(crate) fn is_dynamic(&self) -> bool {
        self.pieces.contains(&Piece::Dyn)
    }

    /// The text when fully literal.
    pub(crate) fn as_static(&self) -> Option<String> {
        if self.is_dynamic() {
            return None;
        }
        Some(self.with_dyn(""))
    }

    /// The text with every non-literal part replaced by `dyn_text`.
    pub(crate) fn with_dyn(&self, dyn_text: &str) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Dyn => out.push_str(dyn_text),
            }
        }
        out
    }

    /// As shell text: literal parts as written, non-literal parts as an
    /// unresolved variable.
    pub(crate) fn shell_text(&self) -> String {
        self.with_dyn(DYN)
    }

    /// As one shell word of an argument vector (literal parts quoted).
    pub(crate) fn shell_word(&self) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(&shell_quote(t)),
                Piece::Dyn => out.push_str(DYN),
            }
        }
        if out.is_empty() {
            out.push_str("''");
        }
        out
    }
}

/// Quotes `s` for a POSIX shell when it holds anything but plain word characters.
pub(crate) fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c))
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok<'a> {
    Ident(&'a str),
    Str(Lit),
    /// Backticks, `qx{}`, `%x{}`: run by a shell.
    Cmd(Lit),
    /// `qw()`, `%w[]`: a list of words.
    Words(Vec<Lit>),
    Op(&'static str),
    Num,
    Nl,
}

impl Tok<'_> {
    /// Ends an operand (so a following `/` divides rather than opens a regex).
    pub(crate) fn is_value(&self) -> bool {
        match self {
            Tok::Ident(w) => !matches!(
                *w,
                "return"
                    | "typeof"
                    | "case"
                    | "in"
                    | "of"
                    | "and"
                    | "or"
                    | "not"
                    | "if"
                    | "unless"
                    | "while"
                    | "until"
                    | "when"
                    | "split"
                    | "grep"
                    | "map"
                    | "join"
                    | "print"
                    | "printf"
                    | "yield"
                    | "do"
                    | "then"
                    | "else"
                    | "elsif"
                    | "delete"
                    | "void"
                    | "new"
                    | "instanceof"
                    | "throw"
                    | "await"
            ),
            Tok::Str(_) | Tok::Cmd(_) | Tok::Words(_) | Tok::Num => true,
            Tok::Op(o) => matches!(*o, ")" | "]" | "}"),
            Tok::Nl => false,
        }
    }
}

const OPS2: &[&str] = &[
    "->", "::", "=>", "=~", "!~", "..", "|&", "||", "&&", "==", "!=", "<=", ">=", "<<", ">>", "<-",
    "&.", "**", "//", "+=", "-=", "?.",
];
const OPS1: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", ".", ";", ":", "=", "+", "-", "*", "/", "%", "|", "&", "<",
    ">", "!", "?", "~", "^", "@", "#", "$", "\\",
];

/// Upper bound on tokens per payload; the rest of a huge input is ignored.
pub(crate) const MAX_TOKENS: usize = 50_000;

/// A forward-only cursor over source text.
pub(crate) struct Cur<'a> {
    pub src: &'a str,
    pub pos: usize,
}

impl<'a> Cur<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Cur { src, pos: 0 }
    }

    pub(crate) fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(crate) fn peek2(&self) -> Option<char> {
        let mut it = self.rest().chars();
        it.next();
        it.next()
    }

    pub(crate) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(crate) fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    pub(crate) fn skip_line(&mut self) {
        match self.rest().find('\n') {
            Some(i) => self.pos += i,
            None => self.pos = self.src.len(),
        }
    }

    /// Skips past `end` (or to the end of input).
    pub(crate) fn skip_past(&mut self, end: &str) {
        match self.rest().find(end) {
            Some(i) => self.pos += i + end.len(),
            None => self.pos = self.src.len(),
        }
    }

    /// Reads an identifier made of word characters plus `extra`.
    pub(crate) fn ident(&mut self, extra: &str) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_alphanumeric() || c == '_' || extra.contains(c) {
                self.bump();
            } else {
                break;
            }
        }
        self.src.get(start..self.pos).unwrap_or("")
    }

    pub(crate) fn number(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                // `1..5` is a range, not a number.
                if c == '.' && self.peek2() == Some('.') {
                    break;
                }
                self.bump();
            } else {
                break;
            }
        }
    }

    /// Reads an operator: two-character ones first.
    pub(crate) fn op(&mut self) -> &'static str {
        let rest = self.rest();
        for op in OPS2 {
            if rest.starts_with(op) {
                self.pos += op.len();
                return op;
            }
        }
        let Some(c) = self.bump() else { return "?" };
        let mut buf = [0u8; 4];
        let s: &str = c.encode_utf8(&mut buf);
        OPS1.iter().find(|o| **o == s).copied().unwrap_or("?")
    }
}

/// How a string body treats backslashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Esc {
    /// C-like escapes (`\n`, `\x41`, `\u{..}`, octal).
    C,
    /// Only `\\` and an escaped delimiter (single quotes in Perl, Ruby, PHP).
    Quote,
    /// Nothing is decoded, but a backslash keeps the delimiter from closing
    /// (Python raw strings).
    Raw,
    /// No escapes at all (Lua long strings, R raw strings).
    None,
}

/// Which parts of a string body are interpolated (non-literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interp {
    None,
    /// Python f-strings: `{x}` (`{{` is a literal brace).
    Braces,
    /// JS template literals: `${x}`.
    DollarBrace,
    /// Ruby: `#{x}`.
    HashBrace,
    /// Perl: `$x`, `@x`, `${…}`.
    Perl,
    /// PHP: `$x`, `{$…}`.
    Php,
}

/// A string body's delimiters.
pub(crate) struct Delims<'d> {
    /// Closing delimiter (`"`, `'''`, `]]`, …).
    pub close: &'d str,
    /// Opening bracket that nests (`{` for `q{…}`), if any.
    pub nest: Option<char>,
}

/// Scans a string body up to and past its closing delimiter (the opening
/// one is already consumed). Unterminated strings run to the end of input.
pub(crate) fn string_body(cur: &mut Cur, d: &Delims, esc: Esc, interp: Interp) -> Lit {
    let mut lit = Lit::default();
    let mut depth = 0usize;
    let close_first = d.close.chars().next().unwrap_or('"');
    while let Some(c) = cur.peek() {
        if Some(c) == d.nest {
            depth += 1;
        } else if c == close_first && cur.rest().starts_with(d.close) {
            if depth == 0 {
                cur.pos += d.close.len();
                return lit;
            }
            depth -= 1;
        }
        if c == '\\' && esc != Esc::None {
            cur.bump();
            let Some(n) = cur.peek() else { break };
            match esc {
                Esc::C => decode_escape(cur, &mut lit),
                Esc::Quote => {
                    cur.bump();
                    if n != '\\' && n != close_first && Some(n) != d.nest {
                        lit.push_char('\\');
                    }
                    lit.push_char(n);
                }
                Esc::Raw | Esc::None => {
                    cur.bump();
                    lit.push_char('\\');
                    lit.push_char(n);
                }
            }
            continue;
        }
        if interpolation(cur, interp) {
            lit.push_dyn();
            continue;
        }
        if interp == Interp::Braces && cur.rest().starts_with("{{") {
            cur.pos += 2;
            lit.push_char('{');
            continue;
        }
        if interp == Interp::Braces && cur.rest().starts_with("}}") {
            cur.pos += 2;
            lit.push_char('}');
            continue;
        }
        cur.bump();
        lit.push_char(c);
    }
    lit
}

/// Consumes an interpolation at the cursor, if one starts there.
fn interpolation(cur: &mut Cur, interp: Interp) -> bool {
    let rest = cur.rest();
    match interp {
        Interp::None => false,
        Interp::Braces => {
            if rest.starts_with('{') && !rest.starts_with("{{") {
                cur.bump();
                skip_braced(cur);
                true
            } else {
                false
            }
        }
        Interp::DollarBrace | Interp::HashBrace => {
            let open = if interp == Interp::DollarBrace {
                "${"
            } else {
                "#{"
            };
            if rest.starts_with(open) {
                cur.pos += 2;
                skip_braced(cur);
                true
            } else {
                false
            }
        }
        Interp::Perl | Interp::Php => {
            let mut it = rest.chars();
            let (Some(sigil), Some(next)) = (it.next(), it.next()) else {
                return false;
            };
            let sigil_ok = sigil == '$' || (interp == Interp::Perl && sigil == '@');
            if interp == Interp::Php && sigil == '{' && next == '$' {
                cur.bump();
                skip_braced(cur);
                return true;
            }
            if !sigil_ok {
                return false;
            }
            if next == '{' {
                cur.pos += 2;
                skip_braced(cur);
                return true;
            }
            if next.is_alphanumeric() || next == '_' || (sigil == '$' && "&!@$0".contains(next)) {
                cur.bump();
                if next.is_alphanumeric() || next == '_' {
                    cur.ident(if interp == Interp::Perl { ":" } else { "" });
                } else {
                    cur.bump();
                }
                // `$x->{k}`, `$x[0]`, `$x{k}` belong to the variable.
                loop {
                    let r = cur.rest();
                    if r.starts_with("->[") || r.starts_with("->{") {
                        cur.pos += 3;
                        skip_closing(
                            cur,
                            if r.as_bytes().get(2) == Some(&b'[') {
                                ']'
                            } else {
                                '}'
                            },
                        );
                    } else if r.starts_with('[') && interp == Interp::Php {
                        cur.bump();
                        skip_closing(cur, ']');
                    } else {
                        break;
                    }
                }
                return true;
            }
            false
        }
    }
}

/// Skips to past the `}` matching an already consumed `{`.
fn skip_braced(cur: &mut Cur) {
    skip_closing(cur, '}');
}

fn skip_closing(cur: &mut Cur, close: char) {
    let open = match close {
        '}' => '{',
        ']' => '[',
        _ => '(',
    };
    let mut depth = 0usize;
    while let Some(c) = cur.bump() {
        if c == open {
            depth += 1;
        } else if c == close {
            if depth == 0 {
                return;
            }
            depth -= 1;
        }
    }
}

/// Decodes one C-like escape after a consumed backslash.
fn decode_escape(cur: &mut Cur, lit: &mut Lit) {
    let Some(c) = cur.bump() else { return };
    let simple = match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'v' => Some('\x0b'),
        'e' => Some('\x1b'),
        '\n' => return,
        'x' => {
            let digits = hex_run(cur, 2, false);
            Some(digits.and_then(char::from_u32).unwrap_or('x'))
        }
        'u' => {
            let braced = cur.eat("{");
            let digits = hex_run(cur, if braced { 8 } else { 4 }, braced);
            if braced {
                cur.eat("}");
            }
            Some(digits.and_then(char::from_u32).unwrap_or('u'))
        }
        '0'..='7' => {
            let mut v = c.to_digit(8).unwrap_or(0);
            for _ in 0..2 {
                match cur.peek().and_then(|d| d.to_digit(8)) {
                    Some(d) => {
                        v = v * 8 + d;
                        cur.bump();
                    }
                    None => break,
                }
            }
            Some(char::from_u32(v).unwrap_or('0'))
        }
        other => Some(other),
    };
    if let Some(ch) = simple {
        lit.push_char(ch);
    }
}

fn hex_run(cur: &mut Cur, max: usize, _braced: bool) -> Option<u32> {
    let mut v: u32 = 0;
    let mut n = 0;
    while n < max {
        match cur.peek().and_then(|d| d.to_digit(16)) {
            Some(d) => {
                v = v.saturating_mul(16).saturating_add(d);
                cur.bump();
                n += 1;
            }
            None => break,
        }
    }
    (n > 0).then_some(v)
}

/// The closing bracket of a paired delimiter, or the delimiter itself.
pub(crate) fn closing(open: char) -> (char, Option<char>) {
    match open {
        '(' => (')', Some('(')),
        '[' => (']', Some('[')),
        '{' => ('}', Some('{')),
        '<' => ('>', Some('<')),
        c => (c, None),
    }
}

/// Scans a body delimited by `open` (already consumed), nesting paired brackets.
pub(crate) fn delimited(cur: &mut Cur, open: char, esc: Esc, interp: Interp) -> Lit {
    let (close, nest) = closing(open);
    let mut buf = [0u8; 4];
    let close_s: &str = close.encode_utf8(&mut buf);
    string_body(
        cur,
        &Delims {
            close: close_s,
            nest,
        },
        esc,
        interp,
    )
}

/// Splits a `qw()`/`%w[]` body into words.
pub(crate) fn words(lit: &Lit) -> Vec<Lit> {
    let text = lit.with_dyn(DYN);
    text.split_whitespace()
        .map(|w| {
            if w.contains(DYN) {
                Lit::dynamic()
            } else {
                Lit::text(w)
            }
        })
        .collect()
}

/// Whether a `/` at this point opens a regular expression.
pub(crate) fn regex_allowed(toks: &[Tok]) -> bool {
    !toks.last().is_some_and(Tok::is_value)
}

/// Skips a `/…/` regex body (the opening `/` consumed), with flags.
pub(crate) fn skip_regex(cur: &mut Cur) {
    let mut in_class = false;
    while let Some(c) = cur.bump() {
        match c {
            '\\' => {
                cur.bump();
            }
            '[' => in_class = true,
            ']' => in_class = false,
            '/' if !in_class => break,
            '\n' => break,
            _ => {}
        }
    }
    cur.ident("");
}

/// Pushes `tok` unless the token budget is spent; false once it is.
pub(crate) fn push<'a>(toks: &mut Vec<Tok<'a>>, tok: Tok<'a>) -> bool {
    if toks.len() >= MAX_TOKENS {
        return false;
    }
    toks.push(tok);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(src: &str, close: &str, esc: Esc, interp: Interp) -> Lit {
        let mut cur = Cur::new(src);
        string_body(&mut cur, &Delims { close, nest: None }, esc, interp)
    }

    #[test]
    fn escapes_and_interpolation() {
        assert_eq!(
            body(r#"a\nb\x41\u0042\101" rest"#, "\"", Esc::C, Interp::None).as_static(),
            Some("a\nbABA".into())
        );
        let l = body("rm -rf {x}/\"", "\"", Esc::C, Interp::Braces);
        assert_eq!(l.shell_text(), format!("rm -rf {DYN}/"));
        assert_eq!(l.with_dyn(""), "rm -rf /");
        let l = body("a {{b}}'", "'", Esc::C, Interp::Braces);
        assert_eq!(l.as_static(), Some("a {b}".into()));
        let l = body("x ${a + {b: 1}} y`", "`", Esc::C, Interp::DollarBrace);
        assert_eq!(l.with_dyn("_"), "x _ y");
        let l = body("rm $dir/x @list $h->{k}\"", "\"", Esc::C, Interp::Perl);
        assert_eq!(l.with_dyn("_"), "rm _/x _ _");
        assert_eq!(
            body(r"it\'s \\ \n'", "'", Esc::Quote, Interp::None).as_static(),
            Some(r"it's \ \n".into())
        );
        assert_eq!(
            body(r#"a\"b" "#, "\"", Esc::Raw, Interp::None).as_static(),
            Some(r#"a\"b"#.into())
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("-rf"), "-rf");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
