//! Expansion of parsed words into argument values: quotes removed, `~`,
//! `$HOME` and `$PWD` resolved, other expansions kept visible but flagged.

use std::borrow::Cow;
use std::collections::HashMap;

use super::ast::{Command, Part, Script, Word};
use super::dollar::decode_c_escapes;
use super::remote::{args_fetch, script_fetches};
use super::wrappers::{basename, join};

/// Shell variables assigned literally earlier in the command (`r=rm; $r -rf /`).
pub(crate) type Vars = HashMap<String, String>;

/// One expanded argument.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Arg<'a> {
    /// Text with quotes removed; `~`/`$HOME` become `~`, `$PWD` becomes `.`,
    /// unresolved expansions stay as written (`$X`, `$(…)`).
    pub value: Cow<'a, str>,
    /// The text if every unguarded unresolved variable expanded to "" (or
    /// its `${X:-default}`); `None` when nothing can silently vanish.
    pub if_empty: Option<String>,
    /// Contains an unresolved expansion.
    pub dynamic: bool,
    /// Contains command or process substitution.
    pub subst: bool,
    /// A substitution inside downloads or decodes content.
    pub fetches: bool,
}

impl<'a> Arg<'a> {
    /// A fully literal argument (used by wrappers that split strings).
    pub fn literal(value: &'a str) -> Self {
        Arg {
            value: Cow::Borrowed(value),
            ..Arg::default()
        }
    }

    pub fn text(&self) -> &str {
        &self.value
    }

    pub fn owned(value: String) -> Self {
        Arg {
            value: Cow::Owned(value),
            ..Arg::default()
        }
    }
}

const BRACE_BUDGET: usize = 64;

pub(crate) fn expand_words<'w>(words: &'w [Word<'_>]) -> Vec<Arg<'w>> {
    expand_words_with(words, None)
}

pub(crate) fn expand_words_with<'w>(words: &'w [Word<'_>], vars: Option<&Vars>) -> Vec<Arg<'w>> {
    let mut out = Vec::with_capacity(words.len());
    for word in words {
        // An unquoted known variable is split into words, as the shell does.
        if let (Some(Part::Param(p)), Some(vars)) = (word.single(), vars) {
            if let Some(value) = vars.get(&*p.name) {
                out.extend(value.split_whitespace().map(|v| Arg::owned(v.to_string())));
                continue;
            }
        }
        let arg = expand_with(word, vars);
        // `rm${IFS}-rf${IFS}/`: the field separator splits words as a space does.
        if arg.dynamic && arg.value.contains("$IFS") {
            out.extend(split_on_ifs(&arg.value));
            continue;
        }
        let unquoted = word.parts().all(|p| matches!(p, Part::Lit(_)));
        if unquoted && arg.value.contains('{') && arg.value.contains(',') {
            let mut alts = Vec::new();
            let mut budget = BRACE_BUDGET;
            brace_expand(&arg.value, &mut alts, &mut budget);
            out.extend(alts.into_iter().map(Arg::owned));
        } else {
            out.push(arg);
        }
    }
    out
}

fn split_on_ifs(value: &str) -> Vec<Arg<'static>> {
    value
        .split("$IFS")
        .filter(|piece| !piece.is_empty())
        .map(|piece| Arg {
            dynamic: piece.contains('$'),
            ..Arg::owned(piece.to_string())
        })
        .collect()
}

pub(crate) fn expand<'w>(word: &'w Word<'_>) -> Arg<'w> {
    expand_with(word, None)
}

pub(crate) fn expand_with<'w>(word: &'w Word<'_>, vars: Option<&Vars>) -> Arg<'w> {
    // Fast path: one literal piece needs no copy.
    if let Some(Part::Lit(s) | Part::Quoted(s)) = word.single() {
        return Arg::literal(s);
    }
    let mut arg = Arg::default();
    let mut value = String::new();
    // The text-if-empty only matters for words with variables; skip the
    // second buffer otherwise.
    let mut empty = String::new();
    let track = word.parts().any(|p| matches!(p, Part::Param(_)));
    let mut can_vanish = false;
    for part in word.parts() {
        match part {
            Part::Lit(s) | Part::Quoted(s) => {
                value.push_str(s);
                if track {
                    empty.push_str(s);
                }
            }
            Part::Tilde(user) => {
                for text in [&mut value, &mut empty] {
                    text.push('~');
                    text.push_str(user);
                }
            }
            Part::Param(p) => {
                let known = match &*p.name {
                    "HOME" => Some("~"),
                    "PWD" => Some("."),
                    name => vars.and_then(|v| v.get(name)).map(String::as_str),
                };
                if let Some(v) = known {
                    value.push_str(v);
                    empty.push_str(v);
                    continue;
                }
                arg.dynamic = true;
                value.push('$');
                value.push_str(&p.name);
                if let Some(d) = &p.default {
                    empty.push_str(d);
                }
                can_vanish |= !p.guarded;
                if !p.nested.is_empty() {
                    arg.subst = true;
                    arg.fetches |= p.nested.iter().any(|s| script_fetches(s, 0));
                }
            }
            Part::Subst(s) | Part::ProcSubst(s) => {
                let info = subst_info(s);
                if let (Part::Subst(_), Some(text)) = (part, info.literal) {
                    value.push_str(&text);
                    empty.push_str(&text);
                    continue;
                }
                arg.dynamic = true;
                arg.subst = true;
                arg.fetches |= info.fetches;
                value.push_str(match part {
                    Part::Subst(_) => "$(…)",
                    _ => "<(…)",
                });
            }
            Part::Arith(scripts) => {
                arg.dynamic = true;
                if !scripts.is_empty() {
                    arg.subst = true;
                    arg.fetches |= scripts.iter().any(|s| script_fetches(s, 0));
                }
                value.push_str("$((…))");
            }
        }
    }
    arg.value = Cow::Owned(value);
    if can_vanish {
        arg.if_empty = Some(empty);
    }
    arg
}

struct SubstInfo {
    /// Output of `$(echo …)`, `$(printf …)` or `$(pwd)` with literal
    /// arguments: known without running anything.
    literal: Option<String>,
    fetches: bool,
}

/// Inspects a substitution, expanding each inner word once: expanding them
/// separately for each question would be exponential in nesting depth.
fn subst_info(script: &Script<'_>) -> SubstInfo {
    let single = match script.pipelines.as_slice() {
        [p] => match p.commands.as_slice() {
            [Command::Simple(simple)] => Some(simple),
            _ => None,
        },
        _ => None,
    };
    let Some(simple) = single else {
        return SubstInfo {
            literal: None,
            fetches: script_fetches(script, 0),
        };
    };
    let args = expand_words(&simple.words);
    let fetches = args_fetch(&args);
    let literal = match args.split_first() {
        Some((first, rest)) if simple.redirects.is_empty() && !args.iter().any(|a| a.dynamic) => {
            match basename(&first.value) {
                "pwd" => Some(".".to_string()),
                // `$(which rm)` is the path of `rm`.
                "which" | "whence" => rest.last().map(|a| a.value.to_string()),
                "command" | "type" if rest.first().is_some_and(|a| a.value.starts_with('-')) => {
                    rest.last().map(|a| a.value.to_string())
                }
                name => {
                    printed_text(name, rest, None).map(|t| t.trim_end_matches('\n').to_string())
                }
            }
        }
        _ => None,
    };
    SubstInfo { literal, fetches }
}

/// Text a command prints without reading anything: `echo`, `printf`, or
/// `cat` passing its here-document through.
pub(crate) fn printed_text(name: &str, args: &[Arg<'_>], stdin: Option<&str>) -> Option<String> {
    match name {
        "echo" => {
            let flags = args
                .iter()
                .take_while(|a| {
                    a.value.len() > 1
                        && a.value.starts_with('-')
                        && a.value[1..].chars().all(|c| "neE".contains(c))
                })
                .count();
            let escapes = args[..flags].iter().any(|a| a.value.contains('e'));
            let text = join(&args[flags..]);
            Some(if escapes {
                decode_c_escapes(text.as_bytes(), false).0
            } else {
                text
            })
        }
        "printf" => {
            let (format, rest) = args.split_first()?;
            if format.value == "-v" {
                return None;
            }
            let mut text = decode_c_escapes(format.value.as_bytes(), false).0;
            for a in rest {
                text.push(' ');
                text.push_str(&decode_c_escapes(a.value.as_bytes(), false).0);
            }
            Some(text)
        }
        "cat" if args.iter().all(|a| a.value == "-") => stdin.map(String::from),
        _ => None,
    }
}

/// Bash brace expansion (`/{etc,usr}` → `/etc /usr`), bounded by `budget`.
fn brace_expand(s: &str, out: &mut Vec<String>, budget: &mut usize) {
    if *budget == 0 {
        out.push(s.to_string());
        return;
    }
    *budget -= 1;
    let bytes = s.as_bytes();
    let mut search = 0;
    while let Some(off) = s.get(search..).and_then(|t| t.find('{')) {
        let open = search + off;
        let mut depth = 0usize;
        let mut commas = Vec::new();
        let mut close = None;
        for (k, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        close = Some(k);
                        break;
                    }
                }
                b',' if depth == 1 => commas.push(k),
                _ => {}
            }
        }
        match close {
            Some(close) if !commas.is_empty() => {
                let (prefix, suffix) = (&s[..open], &s[close + 1..]);
                let mut start = open + 1;
                for &end in commas.iter().chain(std::iter::once(&close)) {
                    let alt = &s[start..end];
                    brace_expand(&format!("{prefix}{alt}{suffix}"), out, budget);
                    start = end + 1;
                }
                return;
            }
            _ => search = open + 1,
        }
    }
    out.push(s.to_string());
}

#[cfg(test)]
mod tests {
    use super::super::ast::Command;
    use super::super::parser::parse;
    use super::*;

    fn args(src: &str) -> Vec<Arg<'static>> {
        let script = parse(src, 0).unwrap();
        match &script.pipelines[0].commands[0] {
            Command::Simple(s) => expand_words(&s.words)
                .into_iter()
                .map(|a| Arg {
                    value: Cow::Owned(a.value.into_owned()),
                    if_empty: a.if_empty,
                    dynamic: a.dynamic,
                    subst: a.subst,
                    fetches: a.fetches,
                })
                .collect(),
            other => panic!("not simple: {other:?}"),
        }
    }

    #[test]
    fn expansion_table() {
        let cases: &[(&str, &[&str])] = &[
            ("rm -rf /", &["rm", "-rf", "/"]),
            (r"\rm '-r'f /", &["rm", "-rf", "/"]),
            (
                "r\"m\" $HOME ${HOME}/x ~ ~/y",
                &["rm", "~", "~/x", "~", "~/y"],
            ),
            ("$'\\x72\\x6d' $'a\\tb' $'\\162'", &["rm", "a\tb", "r"]),
            (
                "echo /{etc,usr} a{b,c}d",
                &["echo", "/etc", "/usr", "abd", "acd"],
            ),
            (
                "echo $X \"$(ls)\" $((1+2))",
                &["echo", "$X", "$(…)", "$((…))"],
            ),
            (
                "echo $\"hi\" 'a''b' \"c\\\"d\"",
                &["echo", "hi", "ab", "c\"d"],
            ),
            ("echo \\$HOME x\\ y", &["echo", "$HOME", "x y"]),
            (
                "$(echo rm) -rf $(printf /) \"$(pwd)/b\"",
                &["rm", "-rf", "/", "./b"],
            ),
        ];
        for (src, want) in cases {
            let got: Vec<String> = args(src)
                .into_iter()
                .map(|a| a.value.into_owned())
                .collect();
            assert_eq!(&got, want, "{src}");
        }
    }

    #[test]
    fn empty_variable_forms() {
        let cases: &[(&str, Option<&str>)] = &[
            ("x \"$DIR/\"", Some("/")),
            ("x ${DIR:?}/", None),
            ("x ${DIR:-/tmp}/", Some("/tmp/")),
            ("x $HOME/", None),
            ("x /abc", None),
        ];
        for (src, want) in cases {
            let a = &args(src)[1];
            assert_eq!(a.if_empty.as_deref(), *want, "{src}");
        }
    }
}
