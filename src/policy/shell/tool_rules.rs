//! Rules for developer and infrastructure tools: git, kubectl, terraform,
//! cloud CLIs, docker and redis.

use super::expand::Arg;
use super::{RuleCtx, ShellFinding};

pub(crate) fn check(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    match ctx.name {
        "git" => git(ctx, out),
        "kubectl" | "oc" => kubectl(ctx, out),
        "terraform" | "tofu" | "terragrunt" => terraform(ctx, out),
        "aws" => aws(ctx, out),
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

fn git(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
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
        "push" => git_push(ctx, rest, out),
        "clean" => {
            let (mut f, mut d, mut x, mut dry) = (false, false, false, false);
            for a in rest {
                let v = a.text();
                f |= v == "--force";
                dry |= v == "--dry-run";
                if v.len() > 1 && v.starts_with('-') && !v.starts_with("--") {
                    f |= v.contains('f');
                    d |= v.contains('d');
                    x |= v.contains('x');
                    dry |= v.contains('n');
                }
            }
            if f && d && x && !dry {
                ctx.flag(out, "git.clean_force", false);
            }
        }
        "reset" if any_value(rest, &["--hard"]) => ctx.flag(out, "git.reset_hard", false),
        _ => {}
    }
}

fn git_push(ctx: &RuleCtx, rest: &[Arg<'_>], out: &mut Vec<ShellFinding>) {
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

fn terraform(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let pos = positionals(ctx.args, &[]);
    let destroy = match pos.first() {
        Some(&"destroy") => true,
        Some(&"apply") => any_value(ctx.args, &["-destroy", "--destroy"]),
        Some(_) => ctx.name == "terragrunt" && pos.contains(&"destroy"),
        None => false,
    };
    if destroy {
        ctx.flag(out, "terraform.destroy", false);
    }
}

fn aws(ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
    let pos = positionals(
        ctx.args,
        &[
            "--profile",
            "--region",
            "--output",
            "--endpoint-url",
            "--query",
            "--color",
            "--ca-bundle",
            "--cli-read-timeout",
            "--cli-connect-timeout",
            "--cli-binary-format",
        ],
    );
    let rule = match (pos.first().copied(), pos.get(1).copied()) {
        (Some("s3"), Some("rm")) if any_value(ctx.args, &["--recursive"]) => {
            "aws.s3_recursive_delete"
        }
        (Some("s3"), Some("rb")) if any_value(ctx.args, &["--force"]) => "aws.s3_remove_bucket",
        (Some("ec2"), Some("terminate-instances")) => "aws.ec2_terminate",
        (Some("rds"), Some("delete-db-instance" | "delete-db-cluster"))
        | (Some("dynamodb"), Some("delete-table")) => "aws.delete_database",
        _ => return,
    };
    ctx.flag(out, rule, false);
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
