//! Tokenizer half of the shell parser: operators, words, quoting
//! (`'…'`, `"…"`, backslashes); `$…` and backticks are in `dollar.rs`.

use std::borrow::Cow;

use super::ast::{Part, RedirKind, Word};
use super::parser::{ParseError, Parser};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Semi,
    DSemi,
    Amp,
    AndIf,
    OrIf,
    Pipe,
    LParen,
    RParen,
    Redir(RedirKind),
}

#[derive(Debug, Clone)]
pub(crate) enum Tok<'a> {
    Word(Word<'a>),
    Op(Op),
    Newline,
    Eof,
}

pub(super) fn is_meta(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

pub(super) fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Bytes from the lexer become text; invalid UTF-8 (only possible through
/// `\xHH` escapes) is replaced rather than rejected.
pub(crate) fn to_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

impl<'a> Parser<'a> {
    pub(super) fn at(&self, off: usize) -> Option<u8> {
        self.src.get(self.pos.saturating_add(off)).copied()
    }

    /// Length (at least 1) of the run of bytes from the current position
    /// up to the first one for which `stop` holds.
    fn plain_run(&self, stop: impl Fn(u8) -> bool) -> usize {
        let rest = self.src.get(self.pos..).unwrap_or_default();
        rest.iter()
            .position(|&c| stop(c))
            .unwrap_or(rest.len())
            .max(1)
            .min(rest.len())
    }

    pub(super) fn lex(&mut self) -> Result<Tok<'a>, ParseError> {
        loop {
            match self.at(0) {
                None => return Ok(Tok::Eof),
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\\') if self.at(1) == Some(b'\n') => self.pos += 2,
                Some(b'#') => {
                    while !matches!(self.at(0), None | Some(b'\n')) {
                        self.pos += 1;
                    }
                }
                Some(b'\n') => {
                    let here = self.pos;
                    self.pos += 1;
                    if let Some((nl, resume)) = self.heredoc_skip {
                        if here >= nl {
                            self.heredoc_skip = None;
                            if here == nl {
                                self.pos = resume.max(self.pos);
                            }
                        }
                    }
                    return Ok(Tok::Newline);
                }
                Some(_) => break,
            }
        }
        let b = self.at(0).unwrap_or(0);
        let next = self.at(1).unwrap_or(0);
        let (op, len) = match (b, next) {
            (b';', b';') if self.at(2) == Some(b'&') => (Op::DSemi, 3),
            (b';', b';' | b'&') => (Op::DSemi, 2),
            (b';', _) => (Op::Semi, 1),
            (b'&', b'&') => (Op::AndIf, 2),
            (b'&', b'>') if self.at(2) == Some(b'>') => (Op::Redir(RedirKind::Append), 3),
            (b'&', b'>') => (Op::Redir(RedirKind::Write), 2),
            (b'&', _) => (Op::Amp, 1),
            (b'|', b'|') => (Op::OrIf, 2),
            (b'|', b'&') => (Op::Pipe, 2),
            (b'|', _) => (Op::Pipe, 1),
            (b'(', _) => (Op::LParen, 1),
            (b')', _) => (Op::RParen, 1),
            (b'<' | b'>', b'(') => return self.word(),
            (b'<' | b'>', _) => return Ok(Tok::Op(Op::Redir(self.redir_op()))),
            (b'0'..=b'9', _) => {
                let digits = self.src[self.pos..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                let after = self.at(digits);
                if matches!(after, Some(b'<' | b'>')) && self.at(digits + 1) != Some(b'(') {
                    self.pos += digits;
                    return Ok(Tok::Op(Op::Redir(self.redir_op())));
                }
                return self.word();
            }
            _ => return self.word(),
        };
        self.pos += len;
        Ok(Tok::Op(op))
    }

    fn redir_op(&mut self) -> RedirKind {
        let (kind, len) = match (self.at(0), self.at(1), self.at(2)) {
            (Some(b'<'), Some(b'<'), Some(b'<')) => (RedirKind::HereString, 3),
            (Some(b'<'), Some(b'<'), Some(b'-')) => (RedirKind::HereDoc { strip_tabs: true }, 3),
            (Some(b'<'), Some(b'<'), _) => (RedirKind::HereDoc { strip_tabs: false }, 2),
            (Some(b'<'), Some(b'>'), _) => (RedirKind::ReadWrite, 2),
            (Some(b'<'), Some(b'&'), _) => (RedirKind::Dup, 2),
            (Some(b'<'), _, _) => (RedirKind::Read, 1),
            (Some(b'>'), Some(b'>'), _) => (RedirKind::Append, 2),
            (Some(b'>'), Some(b'|'), _) => (RedirKind::Write, 2),
            (Some(b'>'), Some(b'&'), _) => (RedirKind::Dup, 2),
            _ => (RedirKind::Write, 1),
        };
        self.pos += len;
        kind
    }

    fn word(&mut self) -> Result<Tok<'a>, ParseError> {
        let start = self.pos;
        let mut word = Word::default();
        let mut lit = Pending::None;
        while let Some(b) = self.at(0) {
            match b {
                b'<' | b'>' if self.pos == start && self.at(1) == Some(b'(') => {
                    self.pos += 2;
                    word.push(Part::ProcSubst(self.nested_subst()?));
                }
                _ if is_meta(b) => break,
                b'\\' => match self.at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(c) => {
                        let len = utf8_len(c);
                        let end = (self.pos + 1 + len).min(self.src.len());
                        lit.push_owned(self.src, &self.src[self.pos + 1..end]);
                        self.pos = end;
                    }
                    None => {
                        lit.push_owned(self.src, b"\\");
                        self.pos += 1;
                    }
                },
                b'\'' => {
                    lit.flush(self.text, &mut word, Part::Lit);
                    self.pos += 1;
                    let rest = &self.src[self.pos..];
                    let len = rest.iter().position(|&c| c == b'\'').unwrap_or(rest.len());
                    word.push(Part::Quoted(self.slice(self.pos, self.pos + len)));
                    self.pos = (self.pos + len + 1).min(self.src.len());
                }
                b'"' => {
                    lit.flush(self.text, &mut word, Part::Lit);
                    self.pos += 1;
                    self.dquoted(&mut word, false)?;
                }
                b'`' => {
                    lit.flush(self.text, &mut word, Part::Lit);
                    self.pos += 1;
                    word.push(Part::Subst(self.backtick()?));
                }
                b'$' => match self.dollar(false)? {
                    Some(part) => {
                        lit.flush(self.text, &mut word, Part::Lit);
                        word.push(part);
                    }
                    None => {
                        lit.push_slice(self.src, self.pos, self.pos + 1);
                        self.pos += 1;
                    }
                },
                b'~' if self.pos == start => {
                    let name_len = self.src[self.pos + 1..]
                        .iter()
                        .take_while(|&&c| is_name_byte(c) || c == b'-' || c == b'.')
                        .count();
                    let after = self.at(1 + name_len);
                    if after.is_none_or(|c| c == b'/' || is_meta(c)) {
                        word.push(Part::Tilde(
                            self.slice(self.pos + 1, self.pos + 1 + name_len),
                        ));
                        self.pos += 1 + name_len;
                    } else {
                        lit.push_slice(self.src, self.pos, self.pos + 1);
                        self.pos += 1;
                    }
                }
                _ => {
                    let run = self.plain_run(|c| {
                        is_meta(c) || matches!(c, b'\\' | b'\'' | b'"' | b'`' | b'$')
                    });
                    lit.push_slice(self.src, self.pos, self.pos + run);
                    self.pos += run;
                }
            }
        }
        lit.flush(self.text, &mut word, Part::Lit);
        Ok(Tok::Word(word))
    }

    /// Source text between two byte offsets, borrowed when the offsets are
    /// character boundaries.
    pub(super) fn slice(&self, from: usize, to: usize) -> Cow<'a, str> {
        match self.text.get(from..to) {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(
                String::from_utf8_lossy(self.src.get(from..to).unwrap_or_default()).into_owned(),
            ),
        }
    }

    /// Reads double-quoted text after the opening quote (or, in `raw` mode,
    /// to the end of input with `"` treated as plain text).
    pub(super) fn dquoted(&mut self, word: &mut Word<'a>, raw: bool) -> Result<(), ParseError> {
        let mut buf = Pending::Empty;
        while let Some(b) = self.at(0) {
            match b {
                b'"' if !raw => {
                    self.pos += 1;
                    break;
                }
                b'\\' => match self.at(1) {
                    Some(c @ (b'$' | b'`' | b'"' | b'\\')) => {
                        buf.push_owned(self.src, &[c]);
                        self.pos += 2;
                    }
                    Some(b'\n') => self.pos += 2,
                    _ => {
                        buf.push_slice(self.src, self.pos, self.pos + 1);
                        self.pos += 1;
                    }
                },
                b'$' => match self.dollar(true)? {
                    Some(part) => {
                        buf.flush(self.text, word, Part::Quoted);
                        buf = Pending::Empty;
                        word.push(part);
                    }
                    None => {
                        buf.push_slice(self.src, self.pos, self.pos + 1);
                        self.pos += 1;
                    }
                },
                b'`' => {
                    buf.flush(self.text, word, Part::Quoted);
                    buf = Pending::Empty;
                    self.pos += 1;
                    word.push(Part::Subst(self.backtick()?));
                }
                _ => {
                    let run = self.plain_run(|c| matches!(c, b'\\' | b'"' | b'`' | b'$'));
                    buf.push_slice(self.src, self.pos, self.pos + run);
                    self.pos += run;
                }
            }
        }
        // Even "" is a (quoted, empty) part: it makes an argument.
        buf.flush(self.text, word, Part::Quoted);
        Ok(())
    }
}

/// Literal text being accumulated: a borrowed source range until an escape
/// forces a copy. `Empty` (unlike `None`) still produces a part when flushed.
enum Pending {
    None,
    Empty,
    Slice(usize, usize),
    Owned(Vec<u8>),
}

impl Pending {
    fn push_slice(&mut self, src: &[u8], from: usize, to: usize) {
        match self {
            Pending::None | Pending::Empty => *self = Pending::Slice(from, to),
            Pending::Slice(_, end) if *end == from => *end = to,
            _ => self.push_owned(src, src.get(from..to).unwrap_or_default()),
        }
    }

    fn push_owned(&mut self, src: &[u8], bytes: &[u8]) {
        match self {
            Pending::Owned(v) => v.extend_from_slice(bytes),
            Pending::Slice(from, to) => {
                let mut v = src.get(*from..*to).unwrap_or_default().to_vec();
                v.extend_from_slice(bytes);
                *self = Pending::Owned(v);
            }
            Pending::None | Pending::Empty => *self = Pending::Owned(bytes.to_vec()),
        }
    }

    fn flush<'a>(
        &mut self,
        text: &'a str,
        word: &mut Word<'a>,
        make: fn(Cow<'a, str>) -> Part<'a>,
    ) {
        let cow = match std::mem::replace(self, Pending::None) {
            Pending::None => return,
            Pending::Empty => Cow::Borrowed(""),
            Pending::Slice(from, to) => match text.get(from..to) {
                Some(t) => Cow::Borrowed(t),
                None => Cow::Owned(
                    String::from_utf8_lossy(text.as_bytes().get(from..to).unwrap_or_default())
                        .into_owned(),
                ),
            },
            Pending::Owned(v) => Cow::Owned(to_string(v)),
        };
        word.push(make(cow));
    }
}

/// Length of the UTF-8 sequence starting with `lead`.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}
