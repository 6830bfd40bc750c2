//! Interpreter payloads: tokenises the inline code given to Python, Node /
//! Deno / Bun, Perl, Ruby, PHP, Lua, R and awk, and reports what it would
//! do to the system — shell commands it spawns, paths it deletes, and
//! whether it wires a socket to a shell. Pure: the walker feeds the
//! results on to the shell analyser and the path rules.

mod awk;
mod calls;
mod io;
mod js;
mod lex;
mod lua;
mod payload;
mod perl;
mod php;
mod python;
mod r;
mod ruby;

pub(crate) use lex::Lit;
pub(crate) use payload::{Deletion, Payload};

/// Inline code beyond this many bytes is not analysed (the rest of the
/// gate still sees the command).
const MAX_CODE: usize = 256 * 1024;

/// A language family whose inline code is analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Python,
    /// Node, Deno, Bun.
    Js,
    Perl,
    Ruby,
    Php,
    Lua,
    R,
    Awk,
}

impl Lang {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::Js => "javascript",
            Lang::Perl => "perl",
            Lang::Ruby => "ruby",
            Lang::Php => "php",
            Lang::Lua => "lua",
            Lang::R => "R",
            Lang::Awk => "awk",
        }
    }
}

/// Analyses `code` written in `lang`.
pub(crate) fn analyse(lang: Lang, code: &str) -> Payload {
    let code = capped(code);
    match lang {
        Lang::Python => {
            let toks = python::tokenise(code);
            let imports = python::imports(&toks);
            payload::build(lang, &toks, &python::SYNTAX, python::ACTIONS, imports)
        }
        Lang::Js => {
            let toks = js::tokenise(code);
            let imports = js::imports(&toks);
            payload::build(lang, &toks, &js::SYNTAX, js::ACTIONS, imports)
        }
        Lang::Perl => {
            let toks = perl::tokenise(code);
            payload::build(lang, &toks, &perl::SYNTAX, perl::ACTIONS, Vec::new())
        }
        Lang::Ruby => {
            let toks = ruby::tokenise(code);
            payload::build(lang, &toks, &ruby::SYNTAX, ruby::ACTIONS, Vec::new())
        }
        Lang::Php => {
            let toks = php::tokenise(code);
            payload::build(lang, &toks, &php::SYNTAX, php::ACTIONS, Vec::new())
        }
        Lang::Lua => {
            let toks = lua::tokenise(code);
            payload::build(lang, &toks, &lua::SYNTAX, lua::ACTIONS, Vec::new())
        }
        Lang::R => {
            let toks = r::tokenise(code);
            payload::build(lang, &toks, &r::SYNTAX, r::ACTIONS, Vec::new())
        }
        Lang::Awk => {
            let toks = awk::tokenise(code);
            let mut p = payload::build(lang, &toks, &awk::SYNTAX, awk::ACTIONS, Vec::new());
            awk::pipes(&toks, &mut p);
            p
        }
    }
}

/// The first `MAX_CODE` bytes, cut at a char boundary.
fn capped(code: &str) -> &str {
    if code.len() <= MAX_CODE {
        return code;
    }
    let mut end = MAX_CODE;
    while !code.is_char_boundary(end) {
        end -= 1;
    }
    code.get(..end).unwrap_or("")
}

/// Every language, for the property tests.
#[cfg(test)]
pub(crate) const ALL: [Lang; 8] = [
    Lang::Python,
    Lang::Js,
    Lang::Perl,
    Lang::Ruby,
    Lang::Php,
    Lang::Lua,
    Lang::R,
    Lang::Awk,
];

/// Every tokeniser, for the property tests.
#[cfg(test)]
pub(crate) fn tokenise_all(code: &str) -> usize {
    python::tokenise(code).len()
        + js::tokenise(code).len()
        + perl::tokenise(code).len()
        + ruby::tokenise(code).len()
        + php::tokenise(code).len()
        + lua::tokenise(code).len()
        + r::tokenise(code).len()
        + awk::tokenise(code).len()
}
