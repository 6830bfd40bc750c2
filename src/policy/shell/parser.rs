//! Recursive-descent parser turning shell text into a `Script`, tolerant of
//! malformed input and bounded in nesting depth.

use super::ast::{Command, HereDoc, Pipeline, RedirKind, Redirect, Script, Simple, Word};
use super::lexer::{Op, Tok};
use super::MAX_DEPTH;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ParseError {
    #[error("shell nesting deeper than {0} levels")]
    TooDeep(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Closer {
    Eof,
    Paren,
    Brace,
}

/// Reserved words that matter in command position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rw {
    LBrace,
    RBrace,
    Bang,
    Function,
    Other,
}

/// A copyable view of the next token, so lookahead does not hold a borrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Peek {
    Eof,
    Newline,
    Op(Op),
    Word(Rw),
}

/// Lexer and parser state over one source text; the lexing half lives in `lexer.rs`.
pub(crate) struct Parser<'a> {
    pub(super) text: &'a str,
    pub(super) src: &'a [u8],
    pub(super) pos: usize,
    pub(super) depth: usize,
    pub(super) peeked: Option<Tok<'a>>,
    /// (position of the newline ending a line with here-documents, where to resume after their bodies)
    pub(super) heredoc_skip: Option<(usize, usize)>,
    taken: usize,
}

/// Parses `src` as a shell script whose own nesting starts at `depth`.
pub(crate) fn parse(src: &str, depth: usize) -> Result<Script<'_>, ParseError> {
    Parser::new(src, depth).parse_script(Closer::Eof)
}

/// Parses text with double-quote rules (a here-document body or `${…}`
/// modifier) into one word.
pub(crate) fn parse_dquoted(src: &str, depth: usize) -> Result<Word<'_>, ParseError> {
    let mut p = Parser::new(src, depth);
    let mut word = Word::default();
    p.dquoted(&mut word, true)?;
    Ok(word)
}

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str, depth: usize) -> Self {
        Parser {
            text,
            src: text.as_bytes(),
            pos: 0,
            depth,
            peeked: None,
            heredoc_skip: None,
            taken: 0,
        }
    }

    pub(super) fn enter(&mut self) -> Result<(), ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::TooDeep(MAX_DEPTH));
        }
        self.depth += 1;
        Ok(())
    }

    pub(super) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn peek(&mut self) -> Result<Peek, ParseError> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lex()?);
        }
        Ok(match &self.peeked {
            None | Some(Tok::Eof) => Peek::Eof,
            Some(Tok::Newline) => Peek::Newline,
            Some(Tok::Op(op)) => Peek::Op(*op),
            Some(Tok::Word(w)) => Peek::Word(match w.literal() {
                Some("{") => Rw::LBrace,
                Some("}") => Rw::RBrace,
                Some("!") => Rw::Bang,
                Some("function") => Rw::Function,
                _ => Rw::Other,
            }),
        })
    }

    fn next(&mut self) -> Result<Tok<'a>, ParseError> {
        self.taken += 1;
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    fn skip_newlines(&mut self) -> Result<(), ParseError> {
        while self.peek()? == Peek::Newline {
            self.next()?;
        }
        Ok(())
    }

    pub(super) fn parse_script(&mut self, closer: Closer) -> Result<Script<'a>, ParseError> {
        let mut script = Script::default();
        loop {
            match self.peek()? {
                Peek::Eof => break,
                Peek::Op(Op::RParen) if closer == Closer::Paren => break,
                Peek::Word(Rw::RBrace) if closer == Closer::Brace => break,
                // Stray separators and unmatched closers are skipped: a gate
                // must analyse what it can rather than reject the input.
                Peek::Newline
                | Peek::Word(Rw::RBrace)
                | Peek::Op(Op::Semi | Op::DSemi | Op::Amp | Op::AndIf | Op::OrIf | Op::Pipe)
                | Peek::Op(Op::RParen) => {
                    self.next()?;
                    continue;
                }
                _ => {}
            }
            let before = self.taken;
            let mut pipeline = self.parse_pipeline()?;
            match self.peek()? {
                Peek::Op(Op::Amp) => {
                    pipeline.background = true;
                    self.next()?;
                }
                Peek::Op(Op::Semi | Op::DSemi | Op::AndIf | Op::OrIf) | Peek::Newline => {
                    self.next()?;
                }
                _ => {}
            }
            if self.taken == before {
                self.next()?;
            }
            script.pipelines.push(pipeline);
        }
        Ok(script)
    }

    fn parse_pipeline(&mut self) -> Result<Pipeline<'a>, ParseError> {
        let mut pipeline = Pipeline::default();
        loop {
            while self.peek()? == Peek::Word(Rw::Bang) {
                self.next()?;
            }
            pipeline.commands.push(self.parse_command()?);
            if self.peek()? != Peek::Op(Op::Pipe) {
                break;
            }
            self.next()?;
            self.skip_newlines()?;
        }
        Ok(pipeline)
    }

    fn parse_command(&mut self) -> Result<Command<'a>, ParseError> {
        match self.peek()? {
            Peek::Op(Op::LParen) => {
                self.next()?;
                let body = self.nested(Closer::Paren)?;
                if self.peek()? == Peek::Op(Op::RParen) {
                    self.next()?;
                }
                let redirects = self.trailing_redirects()?;
                Ok(Command::Subshell { body, redirects })
            }
            Peek::Word(Rw::LBrace) => {
                self.next()?;
                let body = self.nested(Closer::Brace)?;
                if self.peek()? == Peek::Word(Rw::RBrace) {
                    self.next()?;
                }
                let redirects = self.trailing_redirects()?;
                Ok(Command::Group { body, redirects })
            }
            Peek::Word(Rw::Function) => {
                self.next()?;
                let name = match self.peek()? {
                    Peek::Word(_) => match self.next()? {
                        Tok::Word(w) => w.delimiter().0,
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                self.function_body(name)
            }
            _ => self.parse_simple(),
        }
    }

    fn function_body(&mut self, name: String) -> Result<Command<'a>, ParseError> {
        if self.peek()? == Peek::Op(Op::LParen) {
            self.next()?;
            if self.peek()? == Peek::Op(Op::RParen) {
                self.next()?;
            }
        }
        self.skip_newlines()?;
        self.enter()?;
        let body = self.parse_command()?;
        self.leave();
        Ok(Command::Function {
            name,
            body: Box::new(body),
        })
    }

    fn nested(&mut self, closer: Closer) -> Result<Script<'a>, ParseError> {
        self.enter()?;
        let script = self.parse_script(closer)?;
        self.leave();
        Ok(script)
    }

    /// Parses `$(…)` / `<(…)` contents up to and including the closing paren.
    pub(super) fn nested_subst(&mut self) -> Result<Script<'a>, ParseError> {
        let saved = self.peeked.take();
        let script = self.nested(Closer::Paren)?;
        if self.peek()? == Peek::Op(Op::RParen) {
            self.peeked = None;
        }
        self.peeked = saved;
        Ok(script)
    }

    fn parse_simple(&mut self) -> Result<Command<'a>, ParseError> {
        let mut simple = Simple::default();
        loop {
            match self.peek()? {
                Peek::Word(_) => {
                    if let Tok::Word(w) = self.next()? {
                        if simple.words.is_empty() && w.is_assignment() {
                            simple.assigns.push(w);
                        } else {
                            simple.words.push(w);
                        }
                    }
                }
                Peek::Op(Op::Redir(kind)) => {
                    self.next()?;
                    let r = self.redirect(kind)?;
                    simple.redirects.push(r);
                }
                Peek::Op(Op::LParen)
                    if simple.words.len() == 1
                        && simple.assigns.is_empty()
                        && simple.redirects.is_empty() =>
                {
                    let name = simple
                        .words
                        .pop()
                        .map(|w| w.delimiter().0)
                        .unwrap_or_default();
                    return self.function_body(name);
                }
                _ => break,
            }
        }
        Ok(Command::Simple(simple))
    }

    fn trailing_redirects(&mut self) -> Result<Vec<Redirect<'a>>, ParseError> {
        let mut out = Vec::new();
        while let Peek::Op(Op::Redir(kind)) = self.peek()? {
            self.next()?;
            out.push(self.redirect(kind)?);
        }
        Ok(out)
    }

    fn redirect(&mut self, kind: RedirKind) -> Result<Redirect<'a>, ParseError> {
        let target = match self.peek()? {
            Peek::Word(_) => match self.next()? {
                Tok::Word(w) => w,
                _ => Word::default(),
            },
            _ => Word::default(),
        };
        let heredoc = match kind {
            RedirKind::HereDoc { strip_tabs } => {
                let (delim, quoted) = target.delimiter();
                Some(HereDoc {
                    body: self.read_heredoc(&delim, strip_tabs),
                    expand: !quoted,
                })
            }
            _ => None,
        };
        Ok(Redirect {
            kind,
            target,
            heredoc,
        })
    }

    /// Reads a here-document body that starts after the current line (or
    /// after the previous body on the same line) and arranges for the lexer
    /// to jump over it.
    fn read_heredoc(&mut self, delim: &str, strip_tabs: bool) -> String {
        let (nl, start) = match self.heredoc_skip {
            Some(skip) => skip,
            None => {
                let nl = line_end(self.src, self.pos);
                (nl, nl.saturating_add(1))
            }
        };
        let mut body = String::new();
        let mut p = start;
        let end = loop {
            if p >= self.src.len() {
                break self.src.len();
            }
            let e = self.src[p..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(self.src.len(), |k| p + k);
            let line = &self.src[p..e];
            let cmp = if strip_tabs {
                let tabs = line.iter().take_while(|&&b| b == b'\t').count();
                &line[tabs..]
            } else {
                line
            };
            if cmp == delim.as_bytes() {
                break (e + 1).min(self.src.len());
            }
            body.push_str(&String::from_utf8_lossy(line));
            body.push('\n');
            p = e + 1;
        };
        self.heredoc_skip = Some((nl, end));
        body
    }
}

/// Index of the newline ending the line at `from`, skipping quoted text.
fn line_end(src: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(&b) = src.get(i) {
        match b {
            b'\n' => return i,
            b'\\' => i += 2,
            b'\'' | b'"' => {
                let q = b;
                i += 1;
                while let Some(&c) = src.get(i) {
                    if c == b'\\' && q == b'"' {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    if c == q {
                        break;
                    }
                }
            }
            _ => i += 1,
        }
    }
    src.len()
}
