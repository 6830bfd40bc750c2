//! Call extraction from a token stream: `name(args)`, `obj.method(args)`,
//! `require('m').fn(args)`, paren-less calls (`system "…"`), with literal
//! strings, lists and keyword arguments; plus simple aliases
//! (`x = os.system`, `cp = require('child_process')`). Iterative, with a
//! bounded frame stack.

use super::lex::{Lit, Tok};

/// An argument value, as far as it is literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// A string, possibly with non-literal parts (`"rm -rf " + d`).
    Str(Lit),
    /// A list or tuple literal.
    List(Vec<Value>),
    /// The result of a call.
    Call { name: String, args: Vec<CallArg> },
    /// An object/hash literal.
    Object(Vec<CallArg>),
    /// A bare name (`True`, `TRUE`, a variable).
    Ident(String),
    /// Anything else.
    Dyn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallArg {
    pub key: Option<String>,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    /// Dotted name, module calls collapsed (`child_process.execSync`).
    pub name: String,
    pub args: Vec<CallArg>,
    /// Arguments of the call this one is a method of (`Path('/').rmdir()`).
    pub recv: Vec<CallArg>,
}

/// Name written for backtick/`qx`/`%x` commands.
pub(crate) const BACKTICK: &str = "`";

/// The parts of a language's syntax the extractor needs.
pub(crate) struct Syntax {
    /// Member access operators (`.`, `->`, `::`, `:`).
    pub member: &'static [&'static str],
    /// String concatenation operators.
    pub concat: &'static [&'static str],
    /// Calls whose string argument names a module (`require`, `__import__`).
    pub module_fns: &'static [&'static str],
    /// Calls that build a list (`c(…)` in R, `array(…)` in PHP).
    pub list_fns: &'static [&'static str],
    /// Calls may omit parentheses before literal arguments.
    pub bare_literals: bool,
    /// … and before a variable (`system $cmd`, `exec sprintf(…)`).
    pub bare_idents: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Extracted {
    pub calls: Vec<Call>,
    /// (alias, what it stands for)
    pub aliases: Vec<(String, String)>,
}

const MAX_FRAMES: usize = 64;
const MAX_CALLS: usize = 4096;
const MAX_CHAIN: usize = 16;

enum Kind {
    Call { name: String, recv: Vec<CallArg> },
    List,
    Group,
    Object,
}

enum Item<'t, 'a> {
    Tok(&'t Tok<'a>),
    Val(Value),
}

struct Frame<'t, 'a> {
    kind: Kind,
    close: &'static str,
    args: Vec<CallArg>,
    items: Vec<Item<'t, 'a>>,
    /// Alias target `x` of `x = require('m')` / `x = f(…)`.
    assign: Option<String>,
}

struct Chain {
    segs: Vec<String>,
    recv: Vec<CallArg>,
    /// Index of the chain's last token.
    end: usize,
    /// The chain ends in an identifier (not a closed call).
    ident_end: bool,
    /// Alias target if the chain started right after `x =`.
    assign: Option<String>,
}

pub(crate) fn extract(toks: &[Tok], syn: &Syntax) -> Extracted {
    let mut out = Extracted::default();
    let mut stack: Vec<Frame> = vec![Frame {
        kind: Kind::Group,
        close: "",
        args: Vec::new(),
        items: Vec::new(),
        assign: None,
    }];
    let mut overflow = 0usize;
    let mut chain: Option<Chain> = None;
    let mut i = 0;
    while let Some(tok) = toks.get(i) {
        if out.calls.len() >= MAX_CALLS {
            break;
        }
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        let after_member = prev.is_some_and(|p| matches!(p, Tok::Op(o) if syn.member.contains(o)));
        // A chain continues only through a member operator right after it.
        let live = chain
            .as_ref()
            .is_some_and(|c| c.end + 1 == i || (after_member && c.end + 2 == i));
        if !live {
            // The chain ended: `x = a.b` (no call) makes `x` an alias.
            if let Some(c) = chain.take() {
                if let (Some(a), true) = (&c.assign, c.ident_end) {
                    out.aliases.push((a.clone(), c.segs.join(".")));
                }
            }
        }
        match tok {
            Tok::Ident(w) => {
                let stmt_level = stack.len() == 1
                    || stack.last().is_some_and(|f| matches!(f.kind, Kind::Object));
                let assign = assign_target(toks, i).filter(|_| stmt_level);
                match chain.as_mut() {
                    Some(c) if live && after_member && c.segs.len() < MAX_CHAIN => {
                        c.segs.push((*w).to_string());
                        c.end = i;
                        c.ident_end = true;
                    }
                    _ => {
                        if let Some(c) = chain.take() {
                            // `system $cmd`: a bare call with a non-literal argument.
                            if syn.bare_idents && c.ident_end && c.end + 1 == i {
                                out.calls.push(bare_call(&c, vec![Value::Dyn]));
                            }
                        }
                        chain = Some(Chain {
                            segs: vec![(*w).to_string()],
                            recv: Vec::new(),
                            end: i,
                            ident_end: true,
                            assign,
                        });
                    }
                }
                push_item(&mut stack, Item::Tok(tok));
            }
            Tok::Op(o) if syn.member.contains(o) && live => {
                push_item(&mut stack, Item::Tok(tok));
            }
            Tok::Op(open @ ("(" | "[" | "{")) => {
                if overflow > 0 || stack.len() >= MAX_FRAMES {
                    overflow += 1;
                } else {
                    let called = chain
                        .take()
                        .filter(|c| live && c.end + 1 == i && *open == "(");
                    let (kind, assign) = match called {
                        Some(c) => (
                            Kind::Call {
                                name: c.segs.join("."),
                                recv: c.recv,
                            },
                            c.assign,
                        ),
                        None => (
                            match *open {
                                "(" => Kind::Group,
                                "[" => Kind::List,
                                _ => Kind::Object,
                            },
                            None,
                        ),
                    };
                    let close = match *open {
                        "(" => ")",
                        "[" => "]",
                        _ => "}",
                    };
                    stack.push(Frame {
                        kind,
                        close,
                        args: Vec::new(),
                        items: Vec::new(),
                        assign,
                    });
                }
            }
            Tok::Op(close @ (")" | "]" | "}")) => {
                if overflow > 0 {
                    overflow -= 1;
                } else if stack.len() > 1 && stack.last().is_some_and(|f| f.close == *close) {
                    if let Some(frame) = stack.pop() {
                        let (value, c) = close_frame(frame, syn, &mut out, i);
                        chain = c;
                        push_item(&mut stack, Item::Val(value));
                    }
                }
            }
            Tok::Op(",") => {
                if let Some(f) = stack.last_mut() {
                    finish_arg(f, syn);
                }
            }
            Tok::Op(";") | Tok::Nl if stack.len() == 1 => {
                if let Some(f) = stack.last_mut() {
                    f.items.clear();
                }
            }
            Tok::Str(_) | Tok::Words(_) | Tok::Cmd(_) => {
                if let Tok::Cmd(l) = tok {
                    out.calls.push(Call {
                        name: BACKTICK.to_string(),
                        args: vec![CallArg {
                            key: None,
                            value: Value::Str(l.clone()),
                        }],
                        recv: Vec::new(),
                    });
                }
                let bare = chain
                    .take()
                    .filter(|c| syn.bare_literals && live && c.ident_end && c.end + 1 == i);
                if let Some(c) = bare {
                    let (args, next) = bare_args(toks, i, syn);
                    out.calls.push(bare_call(&c, args));
                    for t in toks.get(i..next).unwrap_or_default() {
                        push_item(&mut stack, Item::Tok(t));
                    }
                    i = next;
                    continue;
                }
                push_item(&mut stack, Item::Tok(tok));
            }
            _ => push_item(&mut stack, Item::Tok(tok)),
        }
        i += 1;
    }
    if let Some(c) = chain.take() {
        if let (Some(a), true) = (&c.assign, c.ident_end) {
            out.aliases.push((a.clone(), c.segs.join(".")));
        }
    }
    // Unclosed calls still count (truncated or sloppy code).
    while stack.len() > 1 {
        if let Some(frame) = stack.pop() {
            let (value, _) = close_frame(frame, syn, &mut out, toks.len());
            push_item(&mut stack, Item::Val(value));
        }
    }
    out
}

/// `x` when tokens before `i` are `[my|local|const|let|var] x =`.
fn assign_target(toks: &[Tok], i: usize) -> Option<String> {
    let eq = i.checked_sub(1).and_then(|p| toks.get(p))?;
    if !matches!(eq, Tok::Op("=" | "<-")) {
        return None;
    }
    match i.checked_sub(2).and_then(|p| toks.get(p))? {
        Tok::Ident(x) => Some((*x).to_string()),
        _ => None,
    }
}

fn bare_call(c: &Chain, args: Vec<Value>) -> Call {
    Call {
        name: c.segs.join("."),
        args: args
            .into_iter()
            .map(|value| CallArg { key: None, value })
            .collect(),
        recv: c.recv.clone(),
    }
}

/// Literal arguments of a paren-less call starting at `i`: `"a", "b" . $x`.
fn bare_args(toks: &[Tok], mut i: usize, syn: &Syntax) -> (Vec<Value>, usize) {
    let mut args = Vec::new();
    loop {
        let v = match toks.get(i) {
            Some(Tok::Str(l)) => Value::Str(l.clone()),
            Some(Tok::Words(ws)) => Value::List(ws.iter().cloned().map(Value::Str).collect()),
            _ => break,
        };
        args.push(v);
        i += 1;
        match toks.get(i) {
            Some(Tok::Op(",")) => i += 1,
            Some(Tok::Op(o)) if syn.concat.contains(o) => {
                // `"rm -rf " . $dir`: the argument goes on non-literally.
                if let Some(Value::Str(l)) = args.last_mut() {
                    l.push_dyn();
                }
                break;
            }
            _ => break,
        }
    }
    (args, i)
}

fn push_item<'t, 'a>(stack: &mut [Frame<'t, 'a>], item: Item<'t, 'a>) {
    if let Some(f) = stack.last_mut() {
        if f.items.len() < 4096 {
            f.items.push(item);
        }
    }
}

fn finish_arg(f: &mut Frame, syn: &Syntax) {
    let items = std::mem::take(&mut f.items);
    if items.is_empty() {
        return;
    }
    if f.args.len() < 256 {
        f.args.push(arg_of(items, syn));
    }
}

/// Closes a frame: records a call, and returns its value and the chain it
/// may continue (`require('x').y`).
fn close_frame(
    mut frame: Frame,
    syn: &Syntax,
    out: &mut Extracted,
    i: usize,
) -> (Value, Option<Chain>) {
    finish_arg(&mut frame, syn);
    match frame.kind {
        Kind::Call { name, recv } => {
            let module = syn
                .module_fns
                .contains(&name.as_str())
                .then(|| first_static(&frame.args))
                .flatten()
                .map(|m| normalize_module(&m));
            if syn.list_fns.contains(&name.as_str()) {
                if frame.args.iter().any(|a| a.key.is_some()) {
                    return (Value::Object(frame.args), None);
                }
                let list = Value::List(frame.args.into_iter().map(|a| a.value).collect());
                return (list, None);
            }
            if let (Some(m), Some(a)) = (&module, &frame.assign) {
                out.aliases.push((a.clone(), m.clone()));
            }
            let seg = module.clone().unwrap_or_else(|| name.clone());
            out.calls.push(Call {
                name: name.clone(),
                args: frame.args.clone(),
                recv,
            });
            let chain = Chain {
                segs: vec![seg],
                recv: if module.is_some() {
                    Vec::new()
                } else {
                    frame.args.clone()
                },
                end: i,
                ident_end: false,
                assign: None,
            };
            (
                Value::Call {
                    name,
                    args: frame.args,
                },
                Some(chain),
            )
        }
        Kind::List => (
            Value::List(frame.args.into_iter().map(|a| a.value).collect()),
            None,
        ),
        Kind::Object => (Value::Object(frame.args), None),
        Kind::Group => {
            let value = if frame.args.len() == 1 {
                frame.args.pop().map_or(Value::Dyn, |a| a.value)
            } else {
                Value::List(frame.args.into_iter().map(|a| a.value).collect())
            };
            (value, None)
        }
    }
}

fn first_static(args: &[CallArg]) -> Option<String> {
    match &args.first()?.value {
        Value::Str(l) => l.as_static(),
        _ => None,
    }
}

/// `node:fs/promises` → `fs`.
pub(crate) fn normalize_module(m: &str) -> String {
    let m = m.strip_prefix("node:").unwrap_or(m);
    let m = m.strip_suffix("/promises").unwrap_or(m);
    m.replace('/', ".")
}

/// Turns one argument's items into a (possibly keyword) value.
fn arg_of(items: Vec<Item>, syn: &Syntax) -> CallArg {
    let key = match (items.first(), items.get(1)) {
        (Some(Item::Tok(Tok::Ident(k))), Some(Item::Tok(Tok::Op("=" | ":" | "=>")))) => {
            Some((*k).to_string())
        }
        (Some(Item::Tok(Tok::Str(k))), Some(Item::Tok(Tok::Op(":" | "=>")))) => k.as_static(),
        (Some(Item::Tok(Tok::Num)), Some(Item::Tok(Tok::Op("=>")))) => Some("#".to_string()),
        _ => None,
    };
    let rest = if key.is_some() {
        &items[2..]
    } else {
        &items[..]
    };
    CallArg {
        key,
        value: value_of(rest, syn),
    }
}

fn value_of(items: &[Item], syn: &Syntax) -> Value {
    // `os.path.expanduser('~')`, `new Foo(…)`: the call's value, not its name.
    if let Some((Item::Val(v), head)) = items.split_last() {
        let name_only = head.iter().all(|i| match i {
            Item::Tok(Tok::Ident(_)) => true,
            Item::Tok(Tok::Op(o)) => syn.member.contains(o),
            _ => false,
        });
        if name_only {
            return v.clone();
        }
    }
    match items {
        [] => Value::Dyn,
        [Item::Val(v)] => v.clone(),
        [Item::Tok(Tok::Ident(w))] => Value::Ident((*w).to_string()),
        [Item::Tok(Tok::Words(ws))] => Value::List(ws.iter().cloned().map(Value::Str).collect()),
        _ => concat(items, syn).map_or(Value::Dyn, Value::Str),
    }
}

/// A concatenation of strings and operands (`"rm -rf " + d`, awk `"a" d`).
/// Operands other than strings become non-literal parts; any other
/// operator makes the whole value opaque.
fn concat(items: &[Item], syn: &Syntax) -> Option<Lit> {
    let mut lit = Lit::default();
    let mut saw_str = false;
    let mut in_operand = false;
    for item in items {
        match item {
            Item::Tok(Tok::Str(l)) => {
                if in_operand {
                    return None;
                }
                lit.append(l.clone());
                saw_str = true;
            }
            Item::Tok(Tok::Op(o)) if syn.concat.contains(o) => in_operand = false,
            Item::Tok(Tok::Op(o)) if syn.member.contains(o) => {
                if !in_operand {
                    return None;
                }
            }
            Item::Tok(Tok::Ident(_) | Tok::Num) | Item::Val(_) => {
                lit.push_dyn();
                in_operand = true;
            }
            _ => return None,
        }
    }
    saw_str.then_some(lit)
}

#[cfg(test)]
mod tests {
    use super::super::python;
    use super::*;

    fn calls(src: &str) -> Extracted {
        let toks = python::tokenise(src);
        extract(&toks, &python::SYNTAX)
    }

    #[test]
    fn chains_and_modules() {
        let e = calls("__import__('os').system('rm -rf ~')");
        let c = e.calls.iter().find(|c| c.name == "os.system").unwrap();
        assert_eq!(c.args[0].value, Value::Str(Lit::text("rm -rf ~")));
        let e = calls("import pathlib; pathlib.Path('/').rmdir()");
        let c = e
            .calls
            .iter()
            .find(|c| c.name == "pathlib.Path.rmdir")
            .unwrap();
        assert_eq!(c.recv[0].value, Value::Str(Lit::text("/")));
        let e = calls("subprocess.run(['rm', '-rf', x], check=True)");
        let c = &e.calls[0];
        assert_eq!(c.args[1].key.as_deref(), Some("check"));
        assert!(matches!(&c.args[0].value, Value::List(v) if v.len() == 3));
        let e = calls("s = os.system\ns('x')");
        assert_eq!(e.aliases, vec![("s".to_string(), "os.system".to_string())]);
        let e = calls("os.system('rm -rf ' + d)");
        assert_eq!(
            e.calls[0].args[0].value,
            Value::Str(Lit {
                pieces: vec![
                    super::super::lex::Piece::Text("rm -rf ".into()),
                    super::super::lex::Piece::Dyn
                ]
            })
        );
        let e = calls("os.system('rm -rf %s' % d)");
        assert_eq!(e.calls[0].args[0].value, Value::Dyn);
    }
}
