//! Irrecoverable git: force pushes and deletions of protected branches,
//! `clean -f`, `reset --hard`, discarding the whole work tree, `stash
//! clear`, and expiring the reflog and pruning in one command.

use super::expand::Arg;
use super::{Category, Outcome, RuleCtx, ShellFinding};

pub(crate) fn check(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    if ctx.name != "git" {
        return;
    }
    let args = ctx.args;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.text() {
            "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" | "--exec-path"
            | "--config-env" => i += 2,
            v if v.starts_with('-') => i += 1,
            _ => break,
        }
    }
    let Some(sub) = args.get(i) else {
        return;
    };
    let rest = &args[i + 1..];
    match sub.text() {
        "push" => push(ctx, rest, out),
        "clean" if clean_forced(rest) => ctx.flag(out, "git.clean_force", false),
        "reset" if any_value(rest, &["--hard"]) => ctx.flag(out, "git.reset_hard", false),
        "checkout" if checkout_discards(rest) => ctx.flag(out, "git.discard_changes", false),
        // `-f`/`--discard-changes` throws away every uncommitted change.
        "checkout" | "switch" if any_value(rest, &["-f", "--force", "--discard-changes"]) => {
            ctx.flag(out, "git.discard_changes", false);
        }
        "restore" if restore_discards(rest) => ctx.flag(out, "git.discard_changes", false),
        "stash" if rest.first().is_some_and(|a| a.value == "clear") => {
            ctx.flag(out, "git.stash_clear", false);
        }
        "branch" => branch(ctx, rest, out),
        "reflog" if reflog_expires_now(rest) => approval(ctx, out, "git.reflog_expire"),
        "gc" if any_prefix(rest, &["--prune=now", "--prune=all"]) => {
            approval(ctx, out, "git.gc_prune_now");
        }
        _ => {}
    }
}

/// `git reflog expire --expire=now` and `git gc --prune=now` in one command
/// leave nothing to recover from: the pair is denied as `git.history_purge`.
pub(crate) fn combine(findings: &mut Vec<ShellFinding>) {
    let seen = |rule: &str| findings.iter().any(|f| f.rule == rule);
    if seen("git.reflog_expire") && seen("git.gc_prune_now") {
        findings.push(ShellFinding::destructive(
            "git.history_purge",
            false,
            "git reflog expire + git gc --prune=now",
        ));
    }
}

fn approval(ctx: &RuleCtx, out: &mut Vec<ShellFinding>, rule: &'static str) {
    ctx.report(out, rule, Category::Destructive, Outcome::Approval);
}

fn any_value(args: &[Arg<'_>], values: &[&str]) -> bool {
    args.iter().any(|a| values.contains(&a.text()))
}

fn any_prefix(args: &[Arg<'_>], prefixes: &[&str]) -> bool {
    args.iter()
        .any(|a| prefixes.iter().any(|p| a.text().starts_with(p)))
}

fn short(v: &str) -> Option<&str> {
    (v.len() > 1 && v.starts_with('-') && !v.starts_with("--")).then(|| &v[1..])
}

/// `-f`/`--force` without `-n`/`--dry-run`/`-i`/`--interactive`.
fn clean_forced(rest: &[Arg<'_>]) -> bool {
    let (mut force, mut safe) = (false, false);
    for a in rest {
        let v = a.text();
        if v == "--" {
            break;
        }
        force |= v == "--force";
        safe |= matches!(v, "--dry-run" | "--interactive");
        if let Some(s) = short(v) {
            force |= s.contains('f');
            safe |= s.contains(['n', 'i']);
        }
    }
    force && !safe
}

/// A pathspec naming the whole tree: `.`, `./`, `:/`, `*`, `:(top)`.
fn whole_tree(v: &str) -> bool {
    matches!(v, "." | "./" | ":/" | ":" | "*" | ":(top)" | ":/*" | "./*")
}

/// `git checkout [-f] [TREE] -- .` / `git checkout .`: every uncommitted
/// change is thrown away. One named file (`git checkout -- a.rs`) is a
/// scoped undo and stays allowed.
fn checkout_discards(rest: &[Arg<'_>]) -> bool {
    if any_value(rest, &["-p", "--patch", "-b", "-B", "--orphan"]) {
        return false;
    }
    let mut ended = false;
    for a in rest {
        let v = a.text();
        if !ended && v == "--" {
            ended = true;
        } else if (ended || !v.starts_with('-')) && whole_tree(v) {
            return true;
        }
    }
    false
}

/// `git restore .` (work tree, the default) with or without `--source`;
/// `--staged` alone only unstages.
fn restore_discards(rest: &[Arg<'_>]) -> bool {
    let (mut staged, mut worktree, mut patch) = (false, false, false);
    let mut whole = false;
    let mut ended = false;
    let mut skip = false;
    for a in rest {
        let v = a.text();
        if skip {
            skip = false;
            continue;
        }
        if !ended && v == "--" {
            ended = true;
            continue;
        }
        if !ended && v.starts_with('-') {
            staged |= v == "--staged";
            worktree |= v == "--worktree";
            patch |= v == "--patch";
            skip = v == "-s" || v == "--source";
            if let Some(s) = short(v) {
                staged |= s.contains('S');
                worktree |= s.contains('W');
                patch |= s.contains('p');
            }
            continue;
        }
        whole |= whole_tree(v);
    }
    whole && !patch && (worktree || !staged)
}

/// `-D`/`--delete --force` of a protected branch → deny; `-d` → approval.
fn branch(ctx: &RuleCtx, rest: &[Arg<'_>], out: &mut Vec<ShellFinding>) {
    let (mut delete, mut force) = (false, false);
    let mut names = Vec::new();
    for a in rest {
        let v = a.text();
        match v {
            "--delete" => delete = true,
            "--force" => force = true,
            _ if v.starts_with("--") => {}
            _ => match short(v) {
                Some(s) => {
                    delete |= s.contains(['d', 'D']);
                    force |= s.contains(['D', 'f']);
                }
                None => names.push(v),
            },
        }
    }
    let protected = &ctx.opts.protected_branches;
    if !delete || !names.iter().any(|n| protected.iter().any(|p| p == n)) {
        return;
    }
    if force {
        ctx.flag(out, "git.delete_protected_branch", false);
    } else {
        approval(ctx, out, "git.delete_protected_branch");
    }
}

/// `git reflog expire --expire=now|all` (or `--expire-unreachable=…`).
fn reflog_expires_now(rest: &[Arg<'_>]) -> bool {
    rest.first().is_some_and(|a| a.value == "expire")
        && rest.iter().any(|a| {
            let v = a.text();
            ["--expire=", "--expire-unreachable="].iter().any(|p| {
                v.strip_prefix(p)
                    .is_some_and(|t| matches!(t, "now" | "all" | "0"))
            })
        })
}

fn push(ctx: &RuleCtx, rest: &[Arg<'_>], out: &mut Vec<ShellFinding>) {
    let (mut force, mut delete, mut mirror, mut skip) = (false, false, false, false);
    let mut operands = Vec::new();
    for a in rest {
        let v = a.text();
        if skip {
            skip = false;
            continue;
        }
        match v {
            "--force" => force = true,
            "--delete" => delete = true,
            "--mirror" => mirror = true,
            "-o" | "--push-option" | "--repo" | "--receive-pack" | "--exec" => skip = true,
            _ if v.starts_with("--force-with-lease") => force = true,
            _ if v.starts_with("--") => {}
            _ if v.len() > 1 && v.starts_with('-') => {
                force |= v.contains('f');
                delete |= v.contains('d');
            }
            _ => operands.push(v),
        }
    }
    let protected = &ctx.opts.protected_branches;
    if mirror && !protected.is_empty() {
        ctx.flag(out, "git.force_push_protected", false);
    }
    for spec in operands.iter().skip(1) {
        let plus = spec.starts_with('+');
        let spec = spec.trim_start_matches('+');
        let (src, dst) = spec.split_once(':').unwrap_or((spec, spec));
        let dst = dst.strip_prefix("refs/heads/").unwrap_or(dst);
        if !protected.iter().any(|b| b == dst) {
            continue;
        }
        if src.is_empty() || delete {
            ctx.flag(out, "git.delete_protected_branch", false);
        } else if force || plus {
            ctx.flag(out, "git.force_push_protected", false);
        }
    }
}
