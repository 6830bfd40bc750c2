//! Filesystem and disk rules: recursive deletion, `find -delete`, moving
//! or re-permissioning system directories, raw disk writes, `kill -1`.

use super::expand::Arg;
use super::paths::{classify, is_block_device, resolve, PathClass};
use super::protected::climb_above_variable;
use super::wrappers::basename;
use super::wrappers::is_opt;
use super::{RuleCtx, ShellFinding};

pub(crate) fn check(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    match ctx.name {
        "rm" => rm(ctx, out),
        "find" => find(ctx, out),
        "mv" => mv(ctx, out),
        "chmod" | "chown" | "chgrp" => chmod_like(ctx, out),
        "dd" | "dcfldd" | "dc3dd" => dd(ctx, out),
        "mkswap" | "blkdiscard" | "wipefs" => device_tool(ctx, out),
        "shred" => shred(ctx, out),
        "tee" | "cp" => copy_to_device(ctx, out),
        "rsync" => rsync(ctx, out),
        "kill" => kill(ctx, out),
        n if n.starts_with("mkfs") || n == "mke2fs" || n == "newfs" => mkfs(ctx, out),
        _ => {}
    }
}

/// Class of a path argument. For unresolved variables only the value they
/// would take if empty counts (`"$DIR/"` → `/`), or the path `..` climbs to
/// out of a leading variable (`$TMPDIR/../etc` → `/etc`); anything else is unknown.
fn target_class(arg: &Arg, ctx: &RuleCtx) -> PathClass {
    match local_class(arg, ctx) {
        PathClass::TopLevel | PathClass::Outside if ctx.foreign => PathClass::Safe,
        class => class,
    }
}

fn local_class(arg: &Arg, ctx: &RuleCtx) -> PathClass {
    let cwd = ctx.cwd();
    if !arg.dynamic {
        return classify(&resolve(&arg.value, ctx.base), cwd);
    }
    if let Some(climbed) = climb_above_variable(&arg.value) {
        let class = classify(&climbed, cwd);
        if class != PathClass::Safe {
            return class;
        }
    }
    match arg
        .if_empty
        .as_deref()
        .map(|e| classify(&resolve(e, ctx.base), cwd))
    {
        Some(c @ (PathClass::Root | PathClass::Home)) => c,
        _ => PathClass::Safe,
    }
}

/// (rule, critical) for deleting a path of this class.
fn deletion_rule(class: PathClass) -> Option<(&'static str, bool)> {
    match class {
        PathClass::Root => Some(("shell.rm_recursive_root", true)),
        PathClass::SystemTop => Some(("shell.rm_recursive_system", true)),
        PathClass::SystemChild => Some(("shell.rm_recursive_system", false)),
        PathClass::Home => Some(("shell.rm_recursive_home", false)),
        PathClass::TopLevel | PathClass::Outside => Some(("shell.rm_recursive_outside_cwd", false)),
        PathClass::Safe => None,
    }
}

/// A computed list such as `$(find …)`, as opposed to `"$(pwd)/build"`.
fn is_computed_list(arg: &Arg) -> bool {
    arg.subst
        && arg
            .value
            .strip_prefix("$(…)")
            .is_some_and(|rest| matches!(rest, "" | "/" | "/*"))
}

fn rm(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let (mut recursive, mut no_preserve, mut ended) = (false, false, false);
    let mut targets = Vec::new();
    for a in ctx.args {
        let v = a.text();
        if !ended && v == "--" {
            ended = true;
        } else if !ended && v.starts_with("--") {
            recursive |= v == "--recursive";
            no_preserve |= v == "--no-preserve-root";
        } else if !ended && is_opt(v) {
            recursive |= v[1..].contains(['r', 'R']);
        } else {
            targets.push(a);
        }
    }
    if no_preserve {
        ctx.flag(out, "shell.rm_no_preserve_root", true);
    }
    if !recursive {
        for t in targets {
            let class = target_class(t, ctx);
            if matches!(
                class,
                PathClass::Root | PathClass::SystemTop | PathClass::SystemChild
            ) {
                ctx.flag(out, "shell.rm_system_file", false);
            }
        }
        return;
    }
    for t in targets {
        if is_computed_list(t) {
            ctx.flag(out, "shell.rm_recursive_dynamic", false);
        } else if let Some((rule, critical)) = deletion_rule(target_class(t, ctx)) {
            ctx.flag(out, rule, critical);
        }
    }
    if ctx.appended {
        ctx.flag(out, "shell.rm_recursive_dynamic", false);
    }
}

/// The argument vectors of `-exec`/`-execdir`/`-ok`/`-okdir` actions.
pub(crate) fn find_exec_commands<'a, 'b>(args: &'a [Arg<'b>]) -> Vec<&'a [Arg<'b>]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if matches!(args[i].text(), "-exec" | "-execdir" | "-ok" | "-okdir") {
            let start = i + 1;
            let end = args[start..]
                .iter()
                .position(|a| a.value == ";" || a.value == "+")
                .map_or(args.len(), |k| start + k);
            out.push(&args[start..end]);
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn find(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let args = ctx.args;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.text() {
            "-H" | "-L" | "-P" => i += 1,
            "-D" => i += 2,
            v if v.starts_with("-O") => i += 1,
            _ => break,
        }
    }
    let rest = args.get(i..).unwrap_or(&[]);
    let n_roots = rest
        .iter()
        .take_while(|a| !a.value.starts_with('-') && !matches!(a.text(), "(" | "!" | ","))
        .count();
    let expr = &rest[n_roots..];
    let deletes = expr.iter().any(|a| a.value == "-delete")
        || find_exec_commands(expr).iter().any(|cmd| {
            cmd.first()
                .is_some_and(|c| matches!(basename(&c.value), "rm" | "shred" | "unlink"))
        });
    if !deletes {
        return;
    }
    let dot = [Arg::literal(".")];
    let roots = if n_roots == 0 {
        &dot[..]
    } else {
        &rest[..n_roots]
    };
    for root in roots {
        // Selective deletion under the shared temp directory is routine.
        if root.value.trim_end_matches('/') == "/tmp" {
            continue;
        }
        if let Some((_, critical)) = deletion_rule(target_class(root, ctx)) {
            ctx.flag(out, "shell.find_delete", critical);
        }
    }
}

fn mv(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let (mut target_dir, mut ended, mut skip) = (false, false, false);
    let mut operands = Vec::new();
    for a in ctx.args {
        let v = a.text();
        if skip {
            skip = false;
        } else if ended || !is_opt(v) {
            operands.push(a);
        } else if v == "--" {
            ended = true;
        } else if v == "-t" || v == "--target-directory" {
            target_dir = true;
            skip = true;
        } else if v.starts_with("--target-directory=")
            || (v.starts_with("-t") && !v.starts_with("--"))
        {
            target_dir = true;
        } else if v == "-S" || v == "--suffix" {
            skip = true;
        }
    }
    let sources = if target_dir {
        &operands[..]
    } else {
        &operands[..operands.len().saturating_sub(1)]
    };
    for s in sources {
        let class = target_class(s, ctx);
        if class.is_system_or_home() {
            ctx.flag(out, "shell.mv_system", class.critical());
        }
    }
}

fn chmod_like(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let (mut recursive, mut reference) = (false, false);
    let mut operands = Vec::new();
    for a in ctx.args {
        let v = a.text();
        if v == "--recursive" {
            recursive = true;
        } else if v.starts_with("--") {
            reference |= v.starts_with("--reference");
        } else if is_opt(v) && v[1..].chars().all(|c| "RcfvhHLP".contains(c)) {
            recursive |= v.contains('R');
        } else {
            operands.push(a);
        }
    }
    if !recursive {
        return;
    }
    let targets = if reference {
        &operands[..]
    } else {
        operands.get(1..).unwrap_or(&[])
    };
    let rule = if ctx.name == "chmod" {
        "shell.chmod_recursive_system"
    } else {
        "shell.chown_recursive_system"
    };
    for t in targets {
        let class = target_class(t, ctx);
        if class.is_system_or_home() {
            ctx.flag(out, rule, class.critical());
        }
    }
}

fn dd(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    if ctx
        .args
        .iter()
        .filter_map(|a| a.value.strip_prefix("of="))
        .any(is_block_device)
    {
        ctx.flag(out, "shell.disk_wipe", true);
    }
}

fn mkfs(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    // An image file (`mkfs.ext4 disk.img`) is harmless; a device or a
    // variable that may name one is not.
    if ctx
        .args
        .iter()
        .any(|a| !is_opt(&a.value) && (a.value.starts_with("/dev/") || a.dynamic))
    {
        ctx.flag(out, "shell.disk_format", true);
    }
}

fn device_tool(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let on_device = ctx
        .args
        .iter()
        .any(|a| is_block_device(&a.value) || (a.dynamic && !is_opt(&a.value)));
    let acts = match ctx.name {
        // wipefs without -a/-o only lists signatures.
        "wipefs" => ctx.args.iter().any(|a| {
            let v = a.text();
            v == "--all"
                || v.starts_with("--offset")
                || (is_opt(v) && !v.starts_with("--") && v.contains(['a', 'o']))
        }),
        _ => true,
    };
    if on_device && acts {
        let rule = if ctx.name == "mkswap" {
            "shell.disk_format"
        } else {
            "shell.disk_wipe"
        };
        ctx.flag(out, rule, true);
    }
}

fn shred(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    for a in ctx.args.iter().filter(|a| !is_opt(&a.value)) {
        if is_block_device(&a.value) {
            ctx.flag(out, "shell.disk_wipe", true);
        } else if matches!(
            target_class(a, ctx),
            PathClass::Root | PathClass::SystemTop | PathClass::SystemChild
        ) {
            ctx.flag(out, "shell.shred_system", false);
        }
    }
}

fn copy_to_device(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let operands: Vec<&Arg> = ctx.args.iter().filter(|a| !is_opt(&a.value)).collect();
    let targets = if ctx.name == "cp" {
        operands.last().map(|a| vec![*a]).unwrap_or_default()
    } else {
        operands
    };
    if targets.iter().any(|a| is_block_device(&a.value)) {
        ctx.flag(out, "shell.disk_overwrite", true);
    }
}

fn rsync(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    if !ctx.args.iter().any(|a| a.value.starts_with("--delete")) {
        return;
    }
    if let Some(dest) = ctx.args.iter().rev().find(|a| !is_opt(&a.value)) {
        let class = target_class(dest, ctx);
        if class.is_system_or_home() {
            ctx.flag(out, "shell.rsync_delete", class.critical());
        }
    }
}

fn kill(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    // `kill -9 -1` signals every process the user can reach.
    if ctx.args.iter().skip(1).any(|a| a.value == "-1") {
        ctx.flag(out, "shell.kill_all", false);
    }
}
