//! Producers feeding deleters: `find / | xargs rm`, `ls ~ | xargs -I{} sh -c
//! 'rm -rf {}'`, `parallel rm -rf ::: …`. Which protected paths a producer
//! lists, and what the consumer runs once those paths are substituted in.

use super::expand::Arg;
use super::paths::{classify, PathClass};
use super::wrappers::{basename, join, quote_all};
use super::ShellFinding;

/// At most this many paths or inputs are substituted per stage (each is
/// analysed again, and jobs may nest).
const MAX_INPUTS: usize = 4;

/// Protected paths (root, system directories, home) a producer lists on
/// stdout: `find ROOT…`, `fd PATTERN ROOT…`, `ls ROOT…`, `echo ROOT…`.
pub(crate) fn enumerated_roots(name: &str, args: &[Arg<'_>], cwd: Option<&str>) -> Vec<String> {
    let operands: Vec<&Arg> = match name {
        "find" => args
            .iter()
            .skip_while(|a| matches!(a.text(), "-H" | "-L" | "-P"))
            .take_while(|a| !a.value.starts_with('-') && !matches!(a.text(), "(" | "!" | ","))
            .collect(),
        "fd" | "fdfind" => args
            .iter()
            .filter(|a| !a.value.starts_with('-'))
            .skip(1)
            .collect(),
        "ls" | "echo" | "printf" => args.iter().filter(|a| !a.value.starts_with('-')).collect(),
        _ => return Vec::new(),
    };
    operands
        .into_iter()
        .filter(|a| !a.dynamic && a.value.trim_end_matches('/') != "/tmp")
        .filter(|a| protected(classify(&a.value, cwd)))
        .take(MAX_INPUTS)
        .map(|a| a.value.to_string())
        .collect()
}

/// Commands that pass (some of) the lines they read on: `find / | grep x |
/// xargs rm` still deletes under `/`.
pub(crate) fn is_filter(name: &str) -> bool {
    matches!(
        name,
        "grep"
            | "egrep"
            | "fgrep"
            | "rg"
            | "sort"
            | "uniq"
            | "head"
            | "tail"
            | "sed"
            | "awk"
            | "cut"
            | "tr"
            | "tee"
            | "cat"
            | "tac"
            | "shuf"
    )
}

fn protected(class: PathClass) -> bool {
    matches!(
        class,
        PathClass::Root | PathClass::SystemTop | PathClass::SystemChild | PathClass::Home
    )
}

/// Stands for a consumer's unknown inputs: a computed list to the rules.
pub(crate) const UNKNOWN_INPUT: &str = "$(cat)";

/// How the last `xargs`/`parallel` among the wrappers runs its command.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Consumer {
    /// Replacement string (`xargs -I X`/`-i`/`--replace`, `{}` for
    /// `parallel`); `None` when inputs are appended instead.
    pub repl: Option<String>,
    /// `parallel` joins its command words into shell text.
    pub parallel: bool,
}

impl Consumer {
    /// The replacement string is used inside shell text (`sh -c 'rm {}'`,
    /// `parallel 'rm -rf {}'`): unknown inputs there are a computed list.
    pub(crate) fn scripted(&self, cmd: &[Arg<'_>]) -> bool {
        self.repl.as_deref().is_some_and(|r| {
            cmd.iter()
                .any(|a| a.value.contains(r) && a.value.contains(' '))
        })
    }
}

pub(crate) fn consumer(wrappers: &[Arg<'_>]) -> Consumer {
    let Some(pos) = wrappers
        .iter()
        .rposition(|a| matches!(basename(&a.value), "xargs" | "parallel"))
    else {
        return Consumer::default();
    };
    let parallel = basename(&wrappers[pos].value) == "parallel";
    let opts = &wrappers[pos + 1..];
    let mut repl = parallel.then(|| "{}".to_string());
    for (k, a) in opts.iter().enumerate() {
        let v = a.text();
        let found = match v {
            "-I" => opts.get(k + 1).map(|n| n.value.to_string()),
            "-i" | "--replace" => Some("{}".into()),
            _ if v.starts_with("--replace=") => Some(v["--replace=".len()..].into()),
            _ if v.starts_with("-I") || v.starts_with("-i") => Some(v[2..].into()),
            _ => None,
        };
        if found.is_some() {
            repl = found;
            break;
        }
    }
    Consumer { repl, parallel }
}

/// The consumer's command with `input` in place of the replacement string,
/// or appended when the command does not use it.
pub(crate) fn substitute(cmd: &[Arg<'_>], repl: Option<&str>, input: &str) -> Vec<Arg<'static>> {
    let mut used = false;
    let mut out: Vec<Arg<'static>> = cmd
        .iter()
        .map(
            |a| match repl.filter(|r| !r.is_empty() && a.value.contains(*r)) {
                Some(r) => {
                    used = true;
                    Arg::owned(a.value.replace(r, input))
                }
                None => Arg {
                    value: a.value.to_string().into(),
                    if_empty: a.if_empty.clone(),
                    dynamic: a.dynamic,
                    subst: a.subst,
                    fetches: a.fetches,
                },
            },
        )
        .collect();
    if !used {
        out.push(Arg::owned(input.to_string()));
    }
    out
}

/// A plain deleter fed a protected path: the pipeline is the deletion.
pub(crate) fn deletion(fed: &[Arg<'_>], input: &str, cwd: Option<&str>) -> Option<ShellFinding> {
    let name = basename(&fed.first()?.value);
    if !matches!(
        name,
        "rm" | "unlink" | "rmdir" | "shred" | "srm" | "trash" | "trash-put"
    ) {
        return None;
    }
    let class = classify(input, cwd);
    Some(ShellFinding::destructive(
        "shell.pipe_delete",
        matches!(class, PathClass::Root | PathClass::SystemTop),
        format!("{} (fed the paths under {input})", join(fed)),
    ))
}

/// GNU `parallel CMD ::: A B`: the shell text that runs, or `None` when
/// inputs come from stdin or a file. Without a command the inputs are the
/// commands. With one, all inputs go into one job (`{}` or appended), so
/// nested `parallel` stays linear: `rm -rf {} ::: a b` → `rm -rf 'a' 'b'`.
pub(crate) fn parallel_inline(cmd: &[Arg<'_>]) -> Option<Vec<String>> {
    let sep = cmd.iter().position(|a| a.value == ":::")?;
    let inputs: Vec<String> = cmd[sep + 1..]
        .iter()
        .take_while(|a| !a.value.starts_with(":::"))
        .take(MAX_INPUTS)
        .map(|a| a.value.to_string())
        .collect();
    let template = &cmd[..sep];
    if template.is_empty() {
        return Some(inputs);
    }
    let quoted = quote_all(inputs.iter().cloned());
    let has_slot = template.iter().any(|a| a.value.contains("{}"));
    // Words holding spaces were meant to stay whole (`-q`, `bash -c '…'`);
    // otherwise parallel joins the words into one command line.
    let keep_words = template.len() > 1 && template.iter().any(|a| a.value.contains(' '));
    let job = if keep_words {
        let mut words: Vec<String> = template
            .iter()
            .map(|a| a.value.replace("{}", &quoted))
            .collect();
        if !has_slot {
            words.extend(inputs);
        }
        quote_all(words.into_iter())
    } else if has_slot {
        join(template).replace("{}", &quoted)
    } else {
        format!("{} {quoted}", join(template))
    };
    Some(vec![job])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &str) -> Vec<Arg<'_>> {
        s.split_whitespace().map(Arg::literal).collect()
    }

    #[test]
    fn producers() {
        let cases: &[(&str, &[&str])] = &[
            ("find / -type f", &["/"]),
            ("find -L ~ -name x", &["~"]),
            ("find . -name '*.orig'", &[]),
            ("find /tmp -mtime +3", &[]),
            ("ls /etc", &["/etc"]),
            ("echo / ~", &["/", "~"]),
            ("fd -t f . /usr", &["/usr"]),
            ("ls src", &[]),
            ("cat /etc/hosts", &[]),
        ];
        for (cmd, want) in cases {
            let a = lits(cmd);
            let got = enumerated_roots(&a[0].value, &a[1..], None);
            assert_eq!(got, *want, "{cmd}");
        }
    }

    #[test]
    fn replacement_strings() {
        let repl = |s: &str| consumer(&lits(s)).repl;
        assert_eq!(repl("xargs -I {}"), Some("{}".into()));
        assert_eq!(repl("xargs -I% -0"), Some("%".into()));
        assert_eq!(repl("xargs --replace"), Some("{}".into()));
        assert_eq!(repl("sudo xargs -0 -n1"), None);
        assert_eq!(repl("parallel -j4"), Some("{}".into()));
        assert!(consumer(&lits("parallel -j4")).parallel);
        let fed = substitute(&lits("sh -c rm%-rf%{}"), Some("{}"), "/");
        assert_eq!(join(&fed), "sh -c rm%-rf%/");
        assert_eq!(join(&substitute(&lits("rm -f"), None, "~")), "rm -f ~");
    }

    #[test]
    fn parallel_jobs() {
        let jobs = parallel_inline(&lits("rm -rf ::: build dist")).unwrap();
        assert_eq!(jobs, vec!["rm -rf 'build' 'dist'"]);
        let jobs = parallel_inline(&lits("rm -rf {}/x ::: /")).unwrap();
        assert_eq!(jobs, vec!["rm -rf '/'/x"]);
        assert_eq!(
            parallel_inline(&lits("::: ls pwd")).unwrap(),
            vec!["ls", "pwd"]
        );
        assert_eq!(parallel_inline(&lits("rm -rf")), None);
    }
}
