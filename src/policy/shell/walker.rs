//! Walks a parsed script through every nesting form (subshells, groups,
//! substitutions, `bash -c`, `eval`, here-documents, pipelines into shells)
//! and applies the rule tables to each unwrapped simple command.

use super::ast::{Command, Part, Pipeline, RedirKind, Redirect, Script, Simple, Word};
use super::expand::{expand, expand_with, expand_words_with, printed_text, Arg};
use super::parser::{parse, parse_dquoted};
use super::paths::is_block_device;
use super::remote::{interpreter, invocation, is_source, Interp};
use super::state::ScriptState;
use super::wrappers::{basename, join, unwrap};
use super::{
    dedup, feed, fs_rules, sql, sql_client, tool_rules, Category, RuleCtx, ShellFinding,
    ShellOptions, MAX_DEPTH, MAX_FINDINGS,
};

pub(crate) struct Walker<'o> {
    opts: &'o ShellOptions,
    cwd: Option<&'o str>,
    /// Analysing a container or remote payload (no working directory).
    foreign: bool,
    findings: Vec<ShellFinding>,
    too_complex: bool,
    state: ScriptState,
}

/// What flows into a command's stdin from earlier in its pipeline.
#[derive(Default)]
struct Upstream {
    /// Description of a downloading/decoding command.
    remote: Option<String>,
    /// Literal text (`echo …`, `printf …`, `cat <<EOF`).
    literal: Option<String>,
    /// Protected paths the previous stage lists (`find /`, `ls ~`).
    roots: Vec<String>,
}

/// What a command sends down its pipeline.
#[derive(Default)]
struct Output {
    remote: Option<String>,
    literal: Option<String>,
}

impl<'o> Walker<'o> {
    pub(crate) fn new(opts: &'o ShellOptions, cwd: Option<&'o str>) -> Self {
        Walker {
            opts,
            cwd,
            foreign: false,
            findings: Vec::new(),
            too_complex: false,
            state: ScriptState::default(),
        }
    }

    pub(crate) fn finish(mut self) -> Vec<ShellFinding> {
        dedup(&mut self.findings);
        self.findings
    }

    fn push(&mut self, f: ShellFinding) {
        if self.findings.len() < MAX_FINDINGS * 4 {
            self.findings.push(f);
        }
    }

    fn remote(&mut self, description: String) {
        self.push(ShellFinding::new(
            "shell.remote_pipe_exec",
            Category::RemoteCode,
            false,
            description,
        ));
    }

    fn flag_too_complex(&mut self) {
        if !self.too_complex {
            self.too_complex = true;
            self.push(ShellFinding::destructive(
                "shell.too_complex",
                false,
                format!("command nesting exceeds {MAX_DEPTH} levels"),
            ));
        }
    }

    /// Parses and analyses shell text found at nesting `depth`.
    pub(crate) fn run_text(&mut self, text: &str, depth: usize) {
        if depth >= MAX_DEPTH {
            self.flag_too_complex();
            return;
        }
        match parse(text, depth) {
            Ok(script) => self.script(&script, depth),
            Err(_) => self.flag_too_complex(),
        }
    }

    fn script(&mut self, script: &Script, depth: usize) {
        if depth >= MAX_DEPTH {
            self.flag_too_complex();
            return;
        }
        for p in &script.pipelines {
            self.pipeline(p, depth);
        }
    }

    fn pipeline(&mut self, p: &Pipeline, depth: usize) {
        let mut up = Upstream::default();
        let last = p.commands.len().saturating_sub(1);
        for (i, cmd) in p.commands.iter().enumerate() {
            if i > 0 {
                self.fed(cmd, &up.roots, depth);
            }
            let out = self.command(cmd, depth, &up, i < last);
            if up.remote.is_none() {
                up.remote = out.remote;
            }
            up.literal = out.literal;
            up.roots = if i < last {
                self.enumerated(cmd, std::mem::take(&mut up.roots))
            } else {
                Vec::new()
            };
        }
    }

    /// Protected paths a pipeline stage lists on stdout (a filter such as
    /// `grep` passes on the paths it was given, `input`).
    fn enumerated(&self, cmd: &Command, input: Vec<String>) -> Vec<String> {
        let Command::Simple(s) = cmd else {
            return Vec::new();
        };
        let args = expand_words_with(&s.words, Some(&self.state.vars));
        let start = unwrap(&args).start;
        match args.get(start..).and_then(|c| c.split_first()) {
            Some((first, _)) if feed::is_filter(basename(&first.value)) => input,
            Some((first, rest)) => feed::enumerated_roots(basename(&first.value), rest, self.cwd),
            None => Vec::new(),
        }
    }

    /// A stage whose appended arguments (`xargs`, `parallel`) are the
    /// protected paths `roots`, or unknown: analysed with them put in.
    fn fed(&mut self, cmd: &Command, roots: &[String], depth: usize) {
        // The stage is analysed twice (as written and fed): only near the
        // top, so nested feeds cannot double the work level after level.
        let Command::Simple(s) = cmd else {
            return;
        };
        if depth >= MAX_DEPTH / 4 {
            return;
        }
        let args = expand_words_with(&s.words, Some(&self.state.vars));
        let un = unwrap(&args);
        let (Some(wrappers), Some(payload)) = (args.get(..un.start), args.get(un.start..)) else {
            return;
        };
        if !un.appended || payload.is_empty() {
            return;
        }
        let consumer = feed::consumer(wrappers);
        // One root is enough to judge the stage, and keeps nesting linear.
        let input = match roots.first() {
            Some(root) => root.as_str(),
            None if consumer.scripted(payload) => feed::UNKNOWN_INPUT,
            None => return,
        };
        let fed = feed::substitute(payload, consumer.repl.as_deref(), input);
        if let Some(f) = roots
            .first()
            .and_then(|r| feed::deletion(&fed, r, self.cwd))
        {
            self.push(f);
        }
        if consumer.parallel {
            self.run_text(&join(&fed), depth + 1);
        }
        self.argv(&fed, depth + 1, None, None, false);
    }

    /// `piped`: the output feeds a later pipeline stage.
    fn command(&mut self, cmd: &Command, depth: usize, up: &Upstream, piped: bool) -> Output {
        match cmd {
            Command::Simple(s) => self.simple(s, depth, up),
            Command::Subshell { body, redirects } | Command::Group { body, redirects } => {
                self.redirects(redirects, depth);
                self.script(body, depth + 1);
                Output {
                    remote: (piped && super::remote::script_fetches(body, depth))
                        .then(|| "(downloaded content)".to_string()),
                    literal: None,
                }
            }
            Command::Function { name, body } => {
                if is_fork_bomb(name, body, 0) {
                    self.push(ShellFinding::destructive(
                        "shell.fork_bomb",
                        true,
                        format!("fork bomb: function {name} spawns itself"),
                    ));
                }
                self.command(body, depth + 1, &Upstream::default(), false);
                Output::default()
            }
        }
    }

    fn word_substs(&mut self, word: &Word, depth: usize) {
        for part in word.parts() {
            match part {
                Part::Subst(s) | Part::ProcSubst(s) => self.script(s, depth + 1),
                Part::Param(p) => {
                    for s in &p.nested {
                        self.script(s, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    /// Checks redirections; returns here-document / here-string text.
    fn redirects(&mut self, redirects: &[Redirect], depth: usize) -> Option<String> {
        let mut stdin = None;
        for r in redirects {
            self.word_substs(&r.target, depth);
            match r.kind {
                RedirKind::Write | RedirKind::Append | RedirKind::ReadWrite | RedirKind::Dup => {
                    let target = expand(&r.target).value;
                    if is_block_device(&target) {
                        self.push(ShellFinding::destructive(
                            "shell.disk_overwrite",
                            true,
                            format!("> {target}"),
                        ));
                    }
                }
                RedirKind::HereDoc { .. } => {
                    if let Some(h) = &r.heredoc {
                        if h.expand && (h.body.contains('$') || h.body.contains('`')) {
                            self.heredoc_substs(&h.body, depth);
                        }
                        stdin = Some(h.body.clone());
                    }
                }
                RedirKind::HereString => stdin = Some(expand(&r.target).value.into_owned()),
                RedirKind::Read => stdin = None,
            }
        }
        stdin
    }

    /// Command substitutions in an unquoted-delimiter here-document run.
    fn heredoc_substs(&mut self, body: &str, depth: usize) {
        match parse_dquoted(body, depth + 1) {
            Ok(word) => self.word_substs(&word, depth),
            Err(_) => self.flag_too_complex(),
        }
    }

    fn simple(&mut self, s: &Simple, depth: usize, up: &Upstream) -> Output {
        for w in s.assigns.iter().chain(&s.words) {
            self.word_substs(w, depth);
        }
        let here = self.redirects(&s.redirects, depth);
        let stdin = here.or_else(|| up.literal.clone());
        let args = expand_words_with(&s.words, Some(&self.state.vars));
        if args.is_empty() {
            for w in &s.assigns {
                let a = expand_with(w, Some(&self.state.vars));
                self.state.assign(&a);
            }
        }
        let out = self.argv(&args, depth, stdin.as_deref(), up.remote.as_deref(), false);
        if out.remote.is_some() {
            for r in &s.redirects {
                if matches!(r.kind, RedirKind::Write | RedirKind::Append) {
                    let target = expand(&r.target).value;
                    self.state.downloaded_to(&target);
                }
            }
        }
        out
    }

    /// Analyses one argument vector: unwraps it, follows nested code, applies rules.
    fn argv(
        &mut self,
        args: &[Arg<'_>],
        depth: usize,
        stdin: Option<&str>,
        remote_in: Option<&str>,
        appended_in: bool,
    ) -> Output {
        if depth >= MAX_DEPTH {
            self.flag_too_complex();
            return Output::default();
        }
        let un = unwrap(args);
        if un.foreign && !self.foreign {
            // A container or remote payload: its paths are not ours.
            let cwd = self.cwd.take();
            self.foreign = true;
            let out = self.argv(args, depth, stdin, remote_in, appended_in);
            (self.cwd, self.foreign) = (cwd, false);
            return out;
        }
        for f in &un.findings {
            self.push(f.clone());
        }
        for text in &un.scripts {
            self.run_text(text, depth + 1);
        }
        let cmd = args.get(un.start..).unwrap_or_default();
        let Some((first, rest)) = cmd.split_first() else {
            return Output::default();
        };
        if un.no_exec {
            return Output::default();
        }
        let name = basename(&first.value);
        // Built eagerly only where a finding or pattern check needs it.
        let desc = || join(cmd);
        if first.fetches {
            self.remote(format!(
                "downloaded content executed as a command: {}",
                desc()
            ));
        }
        if self.state.runs_downloaded(first) {
            self.remote(format!("downloaded file executed: {}", desc()));
        }
        if !self.opts.extra_patterns.is_empty() {
            let joined = desc();
            for re in &self.opts.extra_patterns {
                if re.is_match(&joined) {
                    let f = ShellFinding::destructive("policy.extra_pattern", false, &joined);
                    self.push(f);
                }
            }
        }
        if let Some(kind) = interpreter(name) {
            self.interpreter(kind, cmd, depth, stdin, remote_in);
        }
        match name {
            "eval" => {
                if rest.iter().any(|a| a.fetches) {
                    self.remote(desc());
                }
                self.run_text(&join(rest), depth + 1);
            }
            "source" | "." => match rest.first() {
                Some(a) if a.fetches => self.remote(desc()),
                Some(a) if a.value == "/dev/stdin" => {
                    if let Some(src) = remote_in {
                        self.remote(format!("{src} | {}", desc()));
                    }
                }
                _ => {}
            },
            "find" => {
                for inner in fs_rules::find_exec_commands(rest) {
                    self.argv(inner, depth + 1, None, None, false);
                }
            }
            "cd" | "pushd" => self.state.change_dir(rest),
            "export" | "declare" | "typeset" | "local" | "readonly" => {
                for a in rest.iter().filter(|a| a.value.contains('=')) {
                    self.state.assign(a);
                }
            }
            _ => {}
        }
        if matches!(name, "source" | ".")
            && rest.first().is_some_and(|a| self.state.runs_downloaded(a))
        {
            self.remote(format!("downloaded file executed: {}", desc()));
        }
        if let Some(client) = sql_client::client(name, rest) {
            let mut texts = client.texts;
            if client.reads_stdin {
                texts.extend(stdin.map(String::from));
            }
            for text in texts {
                for f in sql::analyze(&text) {
                    self.push(f);
                }
            }
        }
        let ctx = RuleCtx {
            name,
            args: rest,
            appended: appended_in || un.appended,
            opts: self.opts,
            cwd: self.cwd,
            foreign: self.foreign,
            base: self.state.base.as_deref(),
            cmd,
        };
        let mut found = Vec::new();
        fs_rules::check(&ctx, &mut found);
        tool_rules::check(&ctx, &mut found);
        for f in found {
            self.push(f);
        }
        let source = is_source(name, rest);
        if source {
            self.state.record_downloads(name, rest);
        }
        // `echo "$(curl …)" | sh` pipes downloaded text just like curl itself.
        let relays = matches!(name, "echo" | "printf") && rest.iter().any(|a| a.fetches);
        Output {
            remote: (source || relays).then(desc),
            literal: printed_text(name, rest, stdin),
        }
    }

    fn interpreter(
        &mut self,
        kind: Interp,
        cmd: &[Arg<'_>],
        depth: usize,
        stdin: Option<&str>,
        remote_in: Option<&str>,
    ) {
        let inv = invocation(kind, cmd.get(1..).unwrap_or_default());
        if let Some(code) = inv.code {
            if code.fetches {
                self.remote(join(cmd));
            }
            self.run_text(&code.value, depth + 1);
        }
        if inv.operand.is_some_and(|a| a.fetches) {
            self.remote(join(cmd));
        }
        if inv.operand.is_some_and(|a| self.state.runs_downloaded(a)) {
            self.remote(format!("downloaded file executed: {}", join(cmd)));
        }
        if inv.reads_stdin {
            if let Some(src) = remote_in {
                self.remote(format!("{src} | {}", join(cmd)));
            }
            if let (Interp::Shell, Some(text)) = (kind, stdin) {
                self.run_text(text, depth + 1);
            }
        }
    }
}

/// A function whose body runs itself in a pipeline or in the background.
fn is_fork_bomb(name: &str, body: &Command, depth: usize) -> bool {
    if name.is_empty() || depth >= MAX_DEPTH {
        return false;
    }
    let calls_self = |c: &Command| match c {
        Command::Simple(s) => s.words.first().is_some_and(|w| {
            let v = expand(w).value;
            basename(&v) == name
        }),
        _ => false,
    };
    match body {
        Command::Group { body, .. } | Command::Subshell { body, .. } => {
            body.pipelines.iter().any(|p| {
                let spawns =
                    p.commands.iter().any(calls_self) && (p.commands.len() >= 2 || p.background);
                spawns || p.commands.iter().any(|c| is_fork_bomb(name, c, depth + 1))
            })
        }
        Command::Simple(_) | Command::Function { .. } => false,
    }
}
