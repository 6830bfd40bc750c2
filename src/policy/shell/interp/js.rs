//! JavaScript (Node, Deno, Bun): tokeniser (quotes, template literals with
//! `${}` parts non-literal, comments, regex literals), `require`/`import`
//! aliases including destructuring, and the process, filesystem and socket
//! calls.

use super::calls::{normalize_module, Syntax};
use super::lex::{push, regex_allowed, skip_regex, string_body, Cur, Delims, Esc, Interp, Tok};
use super::payload::Act;

pub(crate) const SYNTAX: Syntax = Syntax {
    member: &[".", "?."],
    concat: &["+"],
    module_fns: &["require", "import"],
    list_fns: &[],
    bare_literals: true,
    bare_idents: false,
};

pub(crate) const ACTIONS: &[(&str, Act)] = &[
    ("child_process.exec", Act::Run),
    ("child_process.execSync", Act::Run),
    ("child_process.spawn", Act::Run),
    ("child_process.spawnSync", Act::Run),
    ("child_process.execFile", Act::Run),
    ("child_process.execFileSync", Act::Run),
    ("*.execSync", Act::Run),
    ("*.spawnSync", Act::Run),
    ("*.execFileSync", Act::Run),
    ("exec", Act::Run),
    ("spawn", Act::Run),
    ("execFile", Act::Run),
    ("execa", Act::Run),
    ("execaSync", Act::Run),
    ("execaCommand", Act::Run),
    ("execaCommandSync", Act::Run),
    ("shelljs.exec", Act::Run),
    ("Deno.run", Act::Run),
    ("Deno.Command", Act::Run),
    ("Bun.spawn", Act::Run),
    ("Bun.spawnSync", Act::Run),
    ("Bun.$", Act::Run),
    ("$", Act::Run),
    ("fs.rmSync", Act::DelOpt),
    ("fs.rm", Act::DelOpt),
    ("fs.rmdir", Act::DelOpt),
    ("fs.rmdirSync", Act::DelOpt),
    ("fs.unlink", Act::Del(false)),
    ("fs.unlinkSync", Act::Del(false)),
    ("*.rmSync", Act::DelOpt),
    ("*.rmdirSync", Act::DelOpt),
    ("*.unlinkSync", Act::Del(false)),
    ("fs-extra.remove", Act::Del(true)),
    ("fs-extra.removeSync", Act::Del(true)),
    ("fs-extra.emptyDirSync", Act::Del(true)),
    ("rimraf", Act::Del(true)),
    ("rimraf.sync", Act::Del(true)),
    ("rimrafSync", Act::Del(true)),
    ("Deno.remove", Act::DelOpt),
    ("Deno.removeSync", Act::DelOpt),
    ("eval", Act::Eval),
    ("Function", Act::Eval),
    ("vm.runInThisContext", Act::Eval),
    ("vm.runInNewContext", Act::Eval),
    ("net.connect", Act::Socket),
    ("net.createConnection", Act::Socket),
    ("net.Socket", Act::Socket),
    ("tls.connect", Act::Socket),
    ("dgram.createSocket", Act::Socket),
    ("Deno.connect", Act::Socket),
    ("Deno.connectTls", Act::Socket),
    ("Bun.connect", Act::Socket),
];

pub(crate) fn tokenise(src: &str) -> Vec<Tok<'_>> {
    let mut cur = Cur::new(src);
    let mut toks: Vec<Tok> = Vec::new();
    if cur.rest().starts_with("#!") {
        cur.skip_line();
    }
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
            '/' if cur.peek2() == Some('/') => {
                cur.skip_line();
                continue;
            }
            '/' if cur.peek2() == Some('*') => {
                cur.pos += 2;
                cur.skip_past("*/");
                continue;
            }
            '/' if regex_allowed(&toks) => {
                cur.bump();
                skip_regex(&mut cur);
                Tok::Num
            }
            '\'' | '"' | '`' => {
                cur.bump();
                let mut buf = [0u8; 4];
                let close: &str = c.encode_utf8(&mut buf);
                let interp = if c == '`' {
                    Interp::DollarBrace
                } else {
                    Interp::None
                };
                Tok::Str(string_body(
                    &mut cur,
                    &Delims { close, nest: None },
                    Esc::C,
                    interp,
                ))
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => Tok::Ident(cur.ident("$")),
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

/// Aliases from `const {a, b: c} = require('m')`, `import x from 'm'`,
/// `import * as x from 'm'`, `import {a as b} from 'm'`.
pub(crate) fn imports(toks: &[Tok]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if out.len() > 256 {
            break;
        }
        match t {
            // `{ … } = require('m')` / `await import('m')`
            Tok::Op("}") => {
                let Some(module) = required_after(toks, i + 1) else {
                    continue;
                };
                if let Some(open) = toks
                    .get(..i)
                    .and_then(|h| h.iter().rposition(|t| *t == Tok::Op("{")))
                {
                    destructured(
                        toks.get(open + 1..i).unwrap_or_default(),
                        &module,
                        ":",
                        &mut out,
                    );
                }
            }
            Tok::Ident("import") => {
                let Some(from) = toks
                    .get(i..)
                    .and_then(|r| r.iter().take(64).position(|t| *t == Tok::Ident("from")))
                else {
                    continue;
                };
                let Some(Tok::Str(m)) = toks.get(i + from + 1) else {
                    continue;
                };
                let Some(module) = m.as_static().map(|m| normalize_module(&m)) else {
                    continue;
                };
                let spec = toks.get(i + 1..i + from).unwrap_or_default();
                let mut j = 0;
                while let Some(t) = spec.get(j) {
                    match t {
                        Tok::Op("{") => {
                            let end = spec
                                .iter()
                                .position(|t| *t == Tok::Op("}"))
                                .unwrap_or(spec.len());
                            destructured(
                                spec.get(j + 1..end).unwrap_or_default(),
                                &module,
                                "as",
                                &mut out,
                            );
                            j = end + 1;
                        }
                        Tok::Op("*") => {
                            if let Some(Tok::Ident(a)) = spec.get(j + 2) {
                                out.push(((*a).to_string(), module.clone()));
                            }
                            j += 3;
                        }
                        Tok::Ident(a) => {
                            out.push(((*a).to_string(), module.clone()));
                            j += 1;
                        }
                        _ => j += 1,
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// `= require('m')` (or `= await import('m')`) at `i`: the module.
fn required_after(toks: &[Tok], i: usize) -> Option<String> {
    if toks.get(i) != Some(&Tok::Op("=")) {
        return None;
    }
    let mut j = i + 1;
    if toks.get(j) == Some(&Tok::Ident("await")) {
        j += 1;
    }
    match (toks.get(j), toks.get(j + 1), toks.get(j + 2)) {
        (Some(Tok::Ident("require" | "import")), Some(Tok::Op("(")), Some(Tok::Str(m))) => {
            m.as_static().map(|m| normalize_module(&m))
        }
        _ => None,
    }
}

/// `a, b: c` (or `a as c`) → a → m.a, c → m.b.
fn destructured(spec: &[Tok], module: &str, rename: &str, out: &mut Vec<(String, String)>) {
    for part in spec.split(|t| *t == Tok::Op(",")) {
        let names: Vec<&str> = part
            .iter()
            .filter_map(|t| match t {
                Tok::Ident(w) if *w != rename => Some(*w),
                _ => None,
            })
            .collect();
        match names.as_slice() {
            [a] => out.push(((*a).to_string(), format!("{module}.{a}"))),
            [orig, alias] => out.push(((*alias).to_string(), format!("{module}.{orig}"))),
            _ => {}
        }
    }
}
