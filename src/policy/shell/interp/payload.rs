//! From extracted calls to what the payload does: commands to run through
//! the shell analyser, paths it deletes, code it evaluates, and the
//! socket-plus-shell pairing of a reverse shell.

use super::calls::{extract, Call, CallArg, Syntax, Value, BACKTICK};
use super::io::{self, IO};
use super::lex::{Lit, Piece, Tok};
use super::Lang;

/// What a call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act {
    /// Spawns a process: a command string or an argument vector.
    Run,
    /// Spawns a process on a pseudo-terminal (`pty.spawn`).
    Pty,
    /// Deletes its path arguments (recursively or not).
    Del(bool),
    /// Deletes, recursively when a `recursive` option is true.
    DelOpt,
    /// Deletes the path its receiver was built from (`Path('/x').unlink()`).
    DelRecv,
    /// Perl/Ruby `open`: pipes run commands, `>&` duplicates handles.
    Open,
    /// Evaluates code in the same language.
    Eval,
    /// Opens a network socket.
    Socket,
    /// Duplicates file descriptors onto standard streams.
    Dup,
}

/// A path the payload deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deletion {
    pub path: Lit,
    pub recursive: bool,
    /// The call, for descriptions.
    pub call: String,
}

/// What the payload would do.
#[derive(Debug, Default)]
pub(crate) struct Payload {
    /// Shell commands it runs (literal parts; non-literal ones as `${…}`).
    pub commands: Vec<String>,
    pub deletions: Vec<Deletion>,
    /// Code in the same language it evaluates (`exec("…")`, `eval "…"`).
    pub nested: Vec<String>,
    /// Description when a socket is wired to a shell.
    pub reverse_shell: Option<String>,
    /// A network socket is opened (which call).
    pub socket: Option<String>,
    /// A shell is attached to something: descriptors duplicated, a pty, a
    /// shell program or a non-literal command spawned.
    pub attach: Option<String>,
    /// Files written, and whether by appending.
    pub writes: Vec<(Lit, bool)>,
    /// Files read.
    pub reads: Vec<Lit>,
    /// URLs and hosts reached.
    pub destinations: Vec<Lit>,
    /// The call that sends data out, if any.
    pub sends: Option<String>,
}

pub(crate) const MAX_ITEMS: usize = 256;

impl Payload {
    pub(crate) fn command(&mut self, cmd: String) {
        if self.commands.len() < MAX_ITEMS {
            self.commands.push(cmd);
        }
    }

    pub(crate) fn attach(&mut self, what: &str) {
        if self.attach.is_none() {
            self.attach = Some(what.to_string());
        }
    }

    pub(crate) fn finish(&mut self, lang: Lang) {
        if let (Some(s), Some(a)) = (&self.socket, &self.attach) {
            self.reverse_shell = Some(format!(
                "{} payload connects a socket ({s}) to a shell ({a})",
                lang.name()
            ));
        }
    }
}

pub(crate) fn build(
    lang: Lang,
    toks: &[Tok],
    syn: &Syntax,
    table: &[(&str, Act)],
    mut aliases: Vec<(String, String)>,
) -> Payload {
    let ex = extract(toks, syn);
    aliases.extend(ex.aliases);
    let mut p = Payload::default();
    for call in &ex.calls {
        let names = resolve(&call.name, &aliases);
        if let Some(io) = names.iter().find_map(|n| lookup(n, IO)) {
            io::apply(io, call, &mut p);
        }
        let Some(act) = names.iter().find_map(|n| lookup(n, table)) else {
            continue;
        };
        apply(act, call, &mut p);
    }
    p.finish(lang);
    p
}

/// The names `name` may stand for, aliases applied (`sp.run` → `subprocess.run`).
fn resolve(name: &str, aliases: &[(String, String)]) -> Vec<String> {
    let mut out = vec![name.to_string()];
    let mut cur = name.to_string();
    for _ in 0..4 {
        let (head, tail) = match cur.split_once('.') {
            Some((h, t)) => (h, Some(t)),
            None => (cur.as_str(), None),
        };
        let Some((_, target)) = aliases.iter().rev().find(|(a, _)| a == head) else {
            break;
        };
        let next = match tail {
            Some(t) => format!("{target}.{t}"),
            None => target.clone(),
        };
        if next == cur {
            break;
        }
        out.push(next.clone());
        cur = next;
    }
    if !name.contains('.') {
        for (_, star) in aliases.iter().filter(|(a, _)| a == "*") {
            out.push(format!("{star}.{name}"));
        }
    }
    out
}

/// Table lookup: exact, `*.m` = any receiver, dotted = suffix match.
fn lookup<T: Copy>(name: &str, table: &[(&str, T)]) -> Option<T> {
    table.iter().find_map(|(pat, act)| {
        let hit = if let Some(m) = pat.strip_prefix("*.") {
            name == m || name.strip_suffix(m).is_some_and(|h| h.ends_with('.'))
        } else if pat.contains('.') {
            name == *pat || name.strip_suffix(pat).is_some_and(|h| h.ends_with('.'))
        } else {
            name == *pat
        };
        hit.then_some(*act)
    })
}

fn positional(args: &[CallArg]) -> impl Iterator<Item = &Value> {
    args.iter().filter(|a| a.key.is_none()).map(|a| &a.value)
}

fn apply(act: Act, call: &Call, p: &mut Payload) {
    match act {
        Act::Run => run(call, &call.args, p),
        Act::Pty => {
            p.attach(&call.name);
            run(call, &call.args, p);
        }
        Act::Del(recursive) => delete(call, &call.args, recursive, p),
        Act::DelOpt => delete(call, &call.args, recursive_opt(&call.args), p),
        Act::DelRecv => delete(call, &call.recv, false, p),
        Act::Open => open(call, p),
        Act::Eval => {
            if let Some(Value::Str(l)) = positional(&call.args).next() {
                if let (Some(code), true) = (l.as_static(), p.nested.len() < MAX_ITEMS) {
                    p.nested.push(code);
                }
            }
        }
        Act::Socket => {
            if p.socket.is_none() {
                p.socket = Some(call.name.clone());
            }
        }
        Act::Dup => p.attach(&call.name),
    }
}

/// The command a spawning call runs.
enum Command {
    /// One string, run by a shell (or as a program name).
    Text(Lit),
    /// An argument vector.
    Argv(Vec<Lit>),
    Unknown,
}

fn lit_of(v: &Value) -> Lit {
    match v {
        Value::Str(l) => l.clone(),
        _ => Lit::dynamic(),
    }
}

fn list_from_object(kvs: &[CallArg]) -> Option<&Vec<Value>> {
    kvs.iter().find_map(|a| match (&a.key, &a.value) {
        (Some(k), Value::List(v)) if matches!(k.as_str(), "cmd" | "args" | "argv") => Some(v),
        _ => None,
    })
}

/// `skip_mode`: the first positional argument is a mode, not the program
/// (`os.spawnlp(os.P_WAIT, …)`).
fn command_of(args: &[CallArg], skip_mode: bool) -> Command {
    let mut words: Vec<Lit> = Vec::new();
    let mut from_list = false;
    let mut skip = skip_mode;
    for a in args {
        if let Some(k) = &a.key {
            if let (true, Value::List(v)) = (matches!(k.as_str(), "args" | "cmd"), &a.value) {
                words.extend(v.iter().map(lit_of));
                from_list = true;
            }
            continue;
        }
        match &a.value {
            Value::Str(l) => {
                words.push(l.clone());
                skip = false;
            }
            Value::List(v) => {
                words.extend(v.iter().map(lit_of));
                from_list = true;
                skip = false;
            }
            Value::Object(kvs) => {
                if let Some(v) = list_from_object(kvs) {
                    words.extend(v.iter().map(lit_of));
                    from_list = true;
                }
            }
            _ if skip => skip = false,
            _ => break,
        }
        if words.len() > MAX_ITEMS {
            break;
        }
    }
    match words.len() {
        0 => Command::Unknown,
        1 if !from_list => Command::Text(words.remove(0)),
        _ => {
            // `execvp('rm', ['rm', …])`, `spawnlp(mode, 'rm', 'rm', …)`: the
            // program, then argv[0] again.
            let same = match (words.first(), words.get(1)) {
                (Some(a), Some(b)) => match (a.as_static(), b.as_static()) {
                    (Some(a), Some(b)) => basename(&a) == basename(&b),
                    _ => false,
                },
                _ => false,
            };
            if same {
                words.remove(0);
            }
            Command::Argv(words)
        }
    }
}

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

fn is_shell(program: &str) -> bool {
    let name = basename(program.trim_matches(|c| c == '"' || c == '\''));
    let name = name.strip_suffix(".exe").unwrap_or(name);
    matches!(
        name,
        "sh" | "bash"
            | "zsh"
            | "dash"
            | "ksh"
            | "ash"
            | "mksh"
            | "csh"
            | "tcsh"
            | "fish"
            | "busybox"
            | "cmd"
            | "powershell"
            | "pwsh"
    )
}

fn run(call: &Call, args: &[CallArg], p: &mut Payload) {
    let has_fd_option = args.iter().any(|a| {
        matches!(a.key.as_deref(), Some("stdin" | "stdout" | "stderr"))
            && !matches!(a.value, Value::Str(_) | Value::Ident(_))
    });
    if has_fd_option {
        p.attach(&format!("{} with redirected streams", call.name));
    }
    let skip_mode = call.name.contains("spawnl") || call.name.contains("spawnv");
    match command_of(args, skip_mode) {
        Command::Text(l) => {
            let text = l.shell_text();
            if l.pieces.iter().all(|x| *x == Piece::Dyn) {
                p.attach(&format!("{} of a computed command", call.name));
            }
            if text.split_whitespace().next().is_some_and(is_shell) {
                p.attach(&text);
            }
            p.command(text);
        }
        Command::Argv(words) => {
            if let Some(first) = words.first() {
                if first.pieces.iter().all(|x| *x == Piece::Dyn) {
                    p.attach(&format!("{} of a computed command", call.name));
                } else if first.as_static().is_some_and(|f| is_shell(&f)) {
                    p.attach(&first.shell_text());
                }
            }
            let joined: Vec<String> = words.iter().map(Lit::shell_word).collect();
            p.command(joined.join(" "));
        }
        Command::Unknown => {
            if call.name != BACKTICK && args.iter().any(|a| a.key.is_none()) {
                p.attach(&format!("{} of a computed command", call.name));
            }
        }
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Ident(w) => matches!(w.as_str(), "true" | "True" | "TRUE" | "T" | "1"),
        Value::Dyn => false,
        _ => false,
    }
}

fn recursive_opt(args: &[CallArg]) -> bool {
    args.iter().any(|a| match (&a.key, &a.value) {
        (Some(k), v) if k == "recursive" => truthy(v),
        (None, Value::Object(kvs)) => kvs
            .iter()
            .any(|kv| kv.key.as_deref() == Some("recursive") && truthy(&kv.value)),
        _ => false,
    })
}

/// The path an argument names: a string, `Path('…')`, `os.path.join(…)`,
/// `expanduser('~')`, `Path.home()`.
pub(crate) fn path_of(v: &Value) -> Option<Lit> {
    match v {
        Value::Str(l) => Some(l.clone()),
        Value::Call { name, args } => {
            let last = name.rsplit('.').next().unwrap_or(name);
            let mut pos = positional(args);
            match last {
                "home" | "homedir" | "home_dir" if args.is_empty() => Some(Lit::text("~")),
                "join" if name.contains("path") || name.starts_with("File") => {
                    let mut out = Lit::default();
                    for v in pos {
                        let part = path_of(v).unwrap_or_else(Lit::dynamic);
                        if part.as_static().is_some_and(|s| s.starts_with('/')) {
                            out = Lit::default();
                        } else if !out.pieces.is_empty() {
                            out.push_char('/');
                        }
                        out.append(part);
                    }
                    Some(out)
                }
                "Path" | "PurePath" | "PosixPath" | "expanduser" | "abspath" | "realpath"
                | "normpath" | "resolve" | "expand_path" | "normalizePath" | "path" | "File"
                | "Pathname" => pos.next().and_then(path_of),
                _ => None,
            }
        }
        _ => None,
    }
}

fn delete(call: &Call, args: &[CallArg], recursive: bool, p: &mut Payload) {
    for v in positional(args) {
        let paths: Vec<Lit> = match v {
            Value::List(vs) => vs.iter().filter_map(path_of).collect(),
            other => path_of(other).into_iter().collect(),
        };
        for path in paths {
            if p.deletions.len() < MAX_ITEMS {
                p.deletions.push(Deletion {
                    call: format!("{}({})", call.name, path.shell_text()),
                    path,
                    recursive,
                });
            }
        }
    }
}

/// Perl `open(F, "cmd |")`, `open(my $f, '-|', 'cmd', …)`, `open(STDIN, ">&S")`;
/// Ruby `open("|cmd")`.
fn open(call: &Call, p: &mut Payload) {
    let args: Vec<&Value> = positional(&call.args).collect();
    let text = |v: &Value| match v {
        Value::Str(l) => Some(l.clone()),
        _ => None,
    };
    let strs: Vec<Option<Lit>> = args.iter().map(|v| text(v)).collect();
    for l in strs.iter().flatten() {
        let t = l.with_dyn("");
        let t = t.trim_start();
        if t.starts_with(">&") || t.starts_with("<&") || t.starts_with("+<&") {
            p.attach(&format!("{}(… \"{t}\")", call.name));
        }
    }
    // Three-argument pipe open: the command follows the mode.
    let mode = strs
        .get(1)
        .and_then(|m| m.as_ref())
        .and_then(Lit::as_static);
    if matches!(mode.as_deref(), Some("-|" | "|-")) {
        let rest: Vec<CallArg> = call
            .args
            .iter()
            .filter(|a| a.key.is_none())
            .skip(2)
            .cloned()
            .collect();
        run(call, &rest, p);
        return;
    }
    // Two-argument (Perl) or one-argument (Ruby) form.
    let spec = if args.len() >= 2 {
        strs.get(1)
    } else {
        strs.first()
    };
    if let Some(Some(l)) = spec {
        let t = l.shell_text();
        let trimmed = t.trim();
        let cmd = trimmed
            .strip_prefix('|')
            .or_else(|| trimmed.strip_suffix('|'))
            .map(str::trim);
        if let Some(cmd) = cmd {
            if cmd.split_whitespace().next().is_some_and(is_shell) {
                p.attach(cmd);
            }
            p.command(cmd.to_string());
        }
    }
}
