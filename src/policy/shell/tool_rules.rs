//! Rules for developer and infrastructure tools: the data tables
//! (destroyers, system changes) plus the matchers a row cannot express
//! (git, kubectl, gsutil, docker on computed lists, redis, system changes).

use std::sync::OnceLock;

use super::expand::Arg;
use super::table_destroyers::DESTROYERS;
use super::table_system::SYSTEM;
use super::{git_rules, system_rules, table, RuleCtx, ShellFinding};

static TABLES: OnceLock<table::Index> = OnceLock::new();

pub(crate) fn check(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    TABLES
        .get_or_init(|| table::Index::new(&[DESTROYERS, SYSTEM]))
        .check(ctx, out);
    git_rules::check(ctx, out);
    system_rules::check(ctx, out);
    match ctx.name {
        "kubectl" | "oc" => kubectl(ctx, out),
        "gsutil" | "gcloud" => gcs(ctx, out),
        "docker" | "podman" | "nerdctl" => docker(ctx, out),
        "redis-cli" | "valkey-cli" => redis(ctx, out),
        _ => {}
    }
}

/// Non-option arguments; options listed in `valued` consume the next one.
fn positionals<'a>(args: &'a [Arg], valued: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let v = a.text();
        if v == "--" {
            out.extend(args[i + 1..].iter().map(|a| a.text()));
            break;
        }
        if v.len() > 1 && v.starts_with('-') {
            i += if valued.contains(&v) { 2 } else { 1 };
            continue;
        }
        out.push(v);
        i += 1;
    }
    out
}

fn any_value(args: &[Arg<'_>], values: &[&str]) -> bool {
    args.iter().any(|a| values.contains(&a.text()))
}

/// `--long`, or a short cluster (`-af`) containing `short`.
fn has_opt(args: &[Arg<'_>], short: char, long: &str) -> bool {
    args.iter().any(|a| {
        let v = a.text();
        v == long
            || (v.len() > 1 && v.starts_with('-') && !v.starts_with("--") && v[1..].contains(short))
    })
}

fn kubectl(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let pos = positionals(
        ctx.args,
        &[
            "-n",
            "--namespace",
            "--context",
            "--cluster",
            "--kubeconfig",
            "-s",
            "--server",
            "--user",
            "--token",
            "-l",
            "--selector",
            "-f",
            "--filename",
            "-o",
            "--output",
            "--grace-period",
            "--timeout",
            "--field-selector",
            "--as",
            "--request-timeout",
            "-c",
            "--container",
        ],
    );
    if pos.first() != Some(&"delete") {
        return;
    }
    let kinds = pos.get(1).copied().unwrap_or_default();
    if kinds
        .split(',')
        .map(|k| k.split('/').next().unwrap_or(k))
        .any(|k| matches!(k, "namespace" | "namespaces" | "ns"))
    {
        ctx.flag(out, "kubectl.delete_namespace", false);
    }
    if any_value(ctx.args, &["--all", "--all-namespaces", "-A"]) {
        ctx.flag(out, "kubectl.delete_all", false);
    }
}

fn gcs(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let pos = positionals(ctx.args, &["-o", "-h", "--project"]);
    let rm = match ctx.name {
        "gsutil" => pos.first() == Some(&"rm"),
        _ => pos.first() == Some(&"storage") && pos.get(1) == Some(&"rm"),
    };
    if rm && (has_opt(ctx.args, 'r', "--recursive") || has_opt(ctx.args, 'R', "--recursive")) {
        ctx.flag(out, "gcs.recursive_delete", false);
    }
}

fn docker(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let pos = positionals(
        ctx.args,
        &[
            "-H",
            "--host",
            "--context",
            "-c",
            "--config",
            "-l",
            "--log-level",
            "--filter",
        ],
    );
    let computed = ctx.appended || ctx.args.iter().any(|a| a.subst);
    let force = has_opt(ctx.args, 'f', "--force");
    let rule = match (pos.first().copied(), pos.get(1).copied()) {
        (Some("system"), Some("prune")) if has_opt(ctx.args, 'a', "--all") => {
            "docker.system_prune_all"
        }
        (Some("volume"), Some("prune")) => "docker.volume_prune",
        (Some("volume"), Some("rm")) if computed => "docker.force_remove_computed",
        (Some("rm" | "rmi"), _) | (Some("container" | "image"), Some("rm"))
            if force && computed =>
        {
            "docker.force_remove_computed"
        }
        _ => return,
    };
    ctx.flag(out, rule, false);
}

fn redis(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let pos = positionals(
        ctx.args,
        &[
            "-h",
            "-p",
            "-s",
            "-a",
            "-u",
            "-n",
            "-r",
            "-i",
            "-d",
            "--user",
            "--pass",
            "--tls-cert",
            "--cacert",
        ],
    );
    if pos
        .first()
        .is_some_and(|c| c.eq_ignore_ascii_case("flushall") || c.eq_ignore_ascii_case("flushdb"))
    {
        ctx.flag(out, "redis.flush", false);
    }
}
