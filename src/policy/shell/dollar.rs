//! The `$` family of the shell lexer: `$'…'` (with C-escape decoding),
//! `$name`, `${…}`, `$(…)`, `$((…))` and backticks.

use std::borrow::Cow;

use super::ast::{IntoOwned, Param, Part, Script, Word};
use super::lexer::{is_name_byte, to_string};
use super::parser::{parse, parse_dquoted, ParseError, Parser};

/// Decodes C-style escapes as `$'…'`, `echo -e` and `printf` do. With
/// `stop_at_quote`, stops after an unescaped `'`. Returns the text and the
/// number of input bytes consumed.
pub(crate) fn decode_c_escapes(src: &[u8], stop_at_quote: bool) -> (String, usize) {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = src.get(i) {
        if b == b'\'' && stop_at_quote {
            return (to_string(out), i + 1);
        }
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let Some(&e) = src.get(i + 1) else {
            out.push(b'\\');
            i += 1;
            continue;
        };
        i += 2;
        let simple = match e {
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'r' => Some(b'\r'),
            b'a' => Some(7),
            b'b' => Some(8),
            b'e' | b'E' => Some(27),
            b'f' => Some(12),
            b'v' => Some(11),
            b'\\' | b'\'' | b'"' | b'?' => Some(e),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            continue;
        }
        let (radix, max, skip_first) = match e {
            b'x' => (16, 2, true),
            b'u' => (16, 4, true),
            b'U' => (16, 8, true),
            b'0'..=b'7' => (8, 3, false),
            b'c' => {
                if let Some(&c) = src.get(i) {
                    out.push(c & 0x1f);
                    i += 1;
                }
                continue;
            }
            _ => {
                out.extend_from_slice(&[b'\\', e]);
                continue;
            }
        };
        let start = if skip_first { i } else { i - 1 };
        let digits = src[start..]
            .iter()
            .take(max)
            .take_while(|c| (**c as char).is_digit(radix))
            .count();
        let text = String::from_utf8_lossy(&src[start..start + digits]);
        match u32::from_str_radix(&text, radix) {
            Ok(v) if e == b'u' || e == b'U' => {
                if let Some(c) = char::from_u32(v) {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
            Ok(v) => out.push((v & 0xff) as u8),
            Err(_) => out.extend_from_slice(&[b'\\', e]),
        }
        i = start + digits;
    }
    (to_string(out), i)
}

impl<'a> Parser<'a> {
    /// Command substitutions inside an arithmetic expansion's text.
    fn arith_substs(&mut self, inner: &'a str) -> Result<Vec<Script<'a>>, ParseError> {
        if !inner.contains("$(") && !inner.contains('`') {
            return Ok(Vec::new());
        }
        let word = parse_dquoted(inner, self.depth + 1)?;
        let mut scripts = Vec::new();
        for part in word.into_parts() {
            match part {
                Part::Subst(s) | Part::ProcSubst(s) => scripts.push(s),
                Part::Arith(nested) => scripts.extend(nested),
                Part::Param(p) => scripts.extend(p.nested),
                _ => {}
            }
        }
        Ok(scripts)
    }

    /// Handles `$` at the current position. `None` means a literal `$`
    /// (position not advanced).
    pub(super) fn dollar(&mut self, in_dquote: bool) -> Result<Option<Part<'a>>, ParseError> {
        match self.at(1) {
            Some(b'\'') if !in_dquote => {
                let (text, used) = decode_c_escapes(&self.src[self.pos + 2..], true);
                self.pos += 2 + used;
                Ok(Some(Part::Quoted(Cow::Owned(text))))
            }
            Some(b'"') if !in_dquote => {
                // `$"…"` is a locale-translated "…": drop the `$`, the quote
                // is read next.
                self.pos += 1;
                Ok(Some(Part::Quoted(Cow::Borrowed(""))))
            }
            Some(b'(') if self.at(2) == Some(b'(') => {
                self.pos += 3;
                let start = self.pos;
                let mut depth = 2usize;
                while let Some(c) = self.at(0) {
                    self.pos += 1;
                    match c {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let inner = self
                    .text
                    .get(start..self.pos.saturating_sub(2).max(start))
                    .unwrap_or_default();
                Ok(Some(Part::Arith(self.arith_substs(inner)?)))
            }
            Some(b'(') => {
                self.pos += 2;
                Ok(Some(Part::Subst(self.nested_subst()?)))
            }
            Some(b'{') => {
                self.pos += 2;
                self.braced_param().map(Some)
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let len = self.src[self.pos + 1..]
                    .iter()
                    .take_while(|&&c| is_name_byte(c))
                    .count();
                let name = self.slice(self.pos + 1, self.pos + 1 + len);
                self.pos += 1 + len;
                Ok(Some(Part::Param(Box::new(Param {
                    name,
                    ..Param::default()
                }))))
            }
            Some(c) if c.is_ascii_digit() || b"@*#?$!-".contains(&c) => {
                let name = self.slice(self.pos + 1, self.pos + 2);
                self.pos += 2;
                Ok(Some(Part::Param(Box::new(Param {
                    name,
                    ..Param::default()
                }))))
            }
            _ => Ok(None),
        }
    }

    /// `${…}` after the opening brace.
    fn braced_param(&mut self) -> Result<Part<'a>, ParseError> {
        let start = self.pos;
        let mut depth = 1usize;
        while let Some(c) = self.at(0) {
            match c {
                b'\\' => self.pos += 1,
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        let end = self.pos.min(self.src.len());
        self.pos = (self.pos + 1).min(self.src.len());
        let skip = usize::from(matches!(self.src.get(start), Some(b'#' | b'!')));
        let body = start + skip;
        let name_len = match self.src.get(body) {
            Some(c) if b"@*#?$!-".contains(c) => 1,
            _ => self.src[body.min(end)..end]
                .iter()
                .take_while(|&&c| is_name_byte(c))
                .count(),
        };
        let rest_start = (body + name_len).min(end);
        let rest = &self.src[rest_start..end];
        let mut param = Param {
            name: self.slice(body.min(end), rest_start),
            guarded: rest.starts_with(b":?") || rest.starts_with(b"?"),
            ..Param::default()
        };
        if rest.is_empty() {
            return Ok(Part::Param(Box::new(param)));
        }
        // `${PATH:0:1}` is `/`: the first character of a variable that always
        // holds an absolute path.
        let absolute = matches!(&*param.name, "PATH" | "HOME" | "PWD" | "OLDPWD" | "SHELL");
        if absolute && matches!(rest, b":0:1" | b"::1" | b": 0:1" | b":0: 1") {
            return Ok(Part::Quoted(Cow::Borrowed("/")));
        }
        let op_len = [&b":-"[..], b":=", b"-", b"="]
            .iter()
            .find(|op| rest.starts_with(op))
            .map(|op| op.len());
        let text = self.text.get(rest_start..end).unwrap_or_default();
        if let Some(n) = op_len {
            let value = parse_dquoted(text.get(n..).unwrap_or_default(), self.depth + 1)?;
            param.default = Some(literal_text(&value));
        }
        param.nested = substs(parse_dquoted(text, self.depth + 1)?);
        Ok(Part::Param(Box::new(param)))
    }

    /// Backtick substitution after the opening backtick.
    pub(super) fn backtick(&mut self) -> Result<Script<'a>, ParseError> {
        let start = self.pos;
        let mut escaped = false;
        while let Some(c) = self.at(0) {
            match c {
                b'`' => break,
                b'\\' => {
                    escaped = true;
                    self.pos += 2;
                }
                _ => self.pos += 1,
            }
        }
        let end = self.pos.min(self.src.len());
        self.pos = (self.pos + 1).min(self.src.len());
        self.enter()?;
        let script = if escaped {
            let mut buf = Vec::new();
            let raw = &self.src[start..end];
            let mut i = 0;
            while let Some(&c) = raw.get(i) {
                match (c, raw.get(i + 1)) {
                    (b'\\', Some(&e @ (b'`' | b'$' | b'\\'))) => {
                        buf.push(e);
                        i += 2;
                    }
                    _ => {
                        buf.push(c);
                        i += 1;
                    }
                }
            }
            parse(&to_string(buf), self.depth)?.into_owned()
        } else {
            parse(self.text.get(start..end).unwrap_or_default(), self.depth)?
        };
        self.leave();
        Ok(script)
    }
}

fn literal_text(word: &Word<'_>) -> String {
    word.parts()
        .filter_map(|p| match p {
            Part::Lit(s) | Part::Quoted(s) => Some(&**s),
            _ => None,
        })
        .collect()
}

fn substs(word: Word<'_>) -> Vec<Script<'_>> {
    let mut out = Vec::new();
    for p in word.into_parts() {
        match p {
            Part::Subst(s) | Part::ProcSubst(s) => out.push(s),
            Part::Param(p) => out.extend(p.nested),
            _ => {}
        }
    }
    out
}
