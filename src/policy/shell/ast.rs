//! Syntax tree produced by the shell parser and walked by the analyser.

use std::borrow::Cow;

/// A list of pipelines, in source order; `&&`, `||`, `;` and newlines are not
/// distinguished because every branch may run. Text borrows from the source
/// where it can, to keep parsing allocation-light.
#[derive(Debug, Clone, Default)]
pub(crate) struct Script<'a> {
    pub pipelines: Vec<Pipeline<'a>>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Pipeline<'a> {
    pub commands: Vec<Command<'a>>,
    pub background: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum Command<'a> {
    Simple(Simple<'a>),
    Subshell {
        body: Script<'a>,
        redirects: Vec<Redirect<'a>>,
    },
    Group {
        body: Script<'a>,
        redirects: Vec<Redirect<'a>>,
    },
    Function {
        name: String,
        body: Box<Command<'a>>,
    },
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Simple<'a> {
    pub assigns: Vec<Word<'a>>,
    pub words: Vec<Word<'a>>,
    pub redirects: Vec<Redirect<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedirKind {
    Read,
    Write,
    Append,
    ReadWrite,
    Dup,
    HereDoc { strip_tabs: bool },
    HereString,
}

#[derive(Debug, Clone)]
pub(crate) struct Redirect<'a> {
    pub kind: RedirKind,
    pub target: Word<'a>,
    pub heredoc: Option<HereDoc>,
}

#[derive(Debug, Clone)]
pub(crate) struct HereDoc {
    pub body: String,
    /// Unquoted delimiter: `$(…)` and backticks in the body are executed.
    pub expand: bool,
}

/// One shell word as a sequence of differently-quoted pieces. The first
/// piece is stored inline: most words have exactly one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Word<'a> {
    first: Option<Part<'a>>,
    rest: Vec<Part<'a>>,
}

#[derive(Debug, Clone)]
pub(crate) enum Part<'a> {
    /// Unquoted text, backslash escapes already removed.
    Lit(Cow<'a, str>),
    /// Text from '…', "…" or $'…' (escapes decoded).
    Quoted(Cow<'a, str>),
    /// `~` or `~user` at the start of a word.
    Tilde(Cow<'a, str>),
    Param(Box<Param<'a>>),
    /// `$(…)` or backticks.
    Subst(Script<'a>),
    /// `<(…)` or `>(…)`.
    ProcSubst(Script<'a>),
    /// `$((…))`, with the substitutions inside it (`$(( $(cmd) ))` runs `cmd`).
    Arith(Vec<Script<'a>>),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Param<'a> {
    pub name: Cow<'a, str>,
    /// `${X:?}` aborts when empty, so it never expands to "".
    pub guarded: bool,
    /// Literal text of a `${X:-default}` fallback.
    pub default: Option<String>,
    /// Command substitutions inside the braces.
    pub nested: Vec<Script<'a>>,
}

impl<'a> Word<'a> {
    pub fn push(&mut self, part: Part<'a>) {
        match self.first {
            None => self.first = Some(part),
            Some(_) => self.rest.push(part),
        }
    }

    pub fn into_parts(self) -> impl Iterator<Item = Part<'a>> {
        self.first.into_iter().chain(self.rest)
    }

    pub fn parts(&self) -> impl Iterator<Item = &Part<'a>> {
        self.first.iter().chain(self.rest.iter())
    }

    /// The only part of a one-part word.
    pub fn single(&self) -> Option<&Part<'a>> {
        match (&self.first, self.rest.is_empty()) {
            (Some(p), true) => Some(p),
            _ => None,
        }
    }

    /// The text of a word made only of unquoted literal text.
    pub fn literal(&self) -> Option<&str> {
        match self.single() {
            Some(Part::Lit(s)) => Some(s),
            _ => None,
        }
    }

    /// Literal text (quotes removed) and whether any quoting was used: the
    /// form a here-document delimiter takes.
    pub fn delimiter(&self) -> (String, bool) {
        let mut text = String::new();
        let mut quoted = false;
        for part in self.parts() {
            match part {
                Part::Lit(s) => text.push_str(s),
                Part::Quoted(s) => {
                    quoted = true;
                    text.push_str(s);
                }
                Part::Tilde(u) => {
                    text.push('~');
                    text.push_str(u);
                }
                Part::Param(p) => {
                    text.push('$');
                    text.push_str(&p.name);
                }
                _ => {}
            }
        }
        (text, quoted)
    }

    /// `NAME=…` or `NAME+=…` with an unquoted, valid identifier.
    pub fn is_assignment(&self) -> bool {
        match &self.first {
            Some(Part::Lit(s)) => is_assignment_text(s),
            _ => false,
        }
    }
}

/// Deep conversion to an owned tree, for scripts parsed from temporary text
/// (backtick bodies with escapes).
pub(crate) trait IntoOwned {
    type Owned;
    fn into_owned(self) -> Self::Owned;
}

fn own(c: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(c.into_owned())
}

impl IntoOwned for Script<'_> {
    type Owned = Script<'static>;
    fn into_owned(self) -> Script<'static> {
        Script {
            pipelines: self
                .pipelines
                .into_iter()
                .map(|p| Pipeline {
                    commands: p.commands.into_iter().map(IntoOwned::into_owned).collect(),
                    background: p.background,
                })
                .collect(),
        }
    }
}

impl IntoOwned for Command<'_> {
    type Owned = Command<'static>;
    fn into_owned(self) -> Command<'static> {
        let redirects = |r: Vec<Redirect<'_>>| r.into_iter().map(IntoOwned::into_owned).collect();
        match self {
            Command::Simple(s) => Command::Simple(Simple {
                assigns: s.assigns.into_iter().map(IntoOwned::into_owned).collect(),
                words: s.words.into_iter().map(IntoOwned::into_owned).collect(),
                redirects: redirects(s.redirects),
            }),
            Command::Subshell { body, redirects: r } => Command::Subshell {
                body: body.into_owned(),
                redirects: redirects(r),
            },
            Command::Group { body, redirects: r } => Command::Group {
                body: body.into_owned(),
                redirects: redirects(r),
            },
            Command::Function { name, body } => Command::Function {
                name,
                body: Box::new((*body).into_owned()),
            },
        }
    }
}

impl IntoOwned for Redirect<'_> {
    type Owned = Redirect<'static>;
    fn into_owned(self) -> Redirect<'static> {
        Redirect {
            kind: self.kind,
            target: self.target.into_owned(),
            heredoc: self.heredoc,
        }
    }
}

impl IntoOwned for Word<'_> {
    type Owned = Word<'static>;
    fn into_owned(self) -> Word<'static> {
        Word {
            first: self.first.map(IntoOwned::into_owned),
            rest: self.rest.into_iter().map(IntoOwned::into_owned).collect(),
        }
    }
}

impl IntoOwned for Part<'_> {
    type Owned = Part<'static>;
    fn into_owned(self) -> Part<'static> {
        match self {
            Part::Lit(s) => Part::Lit(own(s)),
            Part::Quoted(s) => Part::Quoted(own(s)),
            Part::Tilde(s) => Part::Tilde(own(s)),
            Part::Param(p) => Part::Param(Box::new(Param {
                name: own(p.name),
                guarded: p.guarded,
                default: p.default,
                nested: p.nested.into_iter().map(IntoOwned::into_owned).collect(),
            })),
            Part::Subst(s) => Part::Subst(s.into_owned()),
            Part::ProcSubst(s) => Part::ProcSubst(s.into_owned()),
            Part::Arith(scripts) => {
                Part::Arith(scripts.into_iter().map(IntoOwned::into_owned).collect())
            }
        }
    }
}

pub(crate) fn is_assignment_text(s: &str) -> bool {
    let Some(eq) = s.find('=') else {
        return false;
    };
    let name = s[..eq].strip_suffix('+').unwrap_or(&s[..eq]);
    let name = match name.find('[') {
        Some(i) if name.ends_with(']') => &name[..i],
        _ => name,
    };
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
