//! The tool-rule table engine: one row names a program, a subcommand path,
//! the options that make it dangerous or harmless, and what to report.

use std::collections::HashMap;

use super::expand::Arg;
use super::paths::is_block_device;
use super::{Category, Outcome, RuleCtx, ShellFinding};

/// How far into the positionals a subcommand path may start: global
/// option values (`--profile prod`, `-C dir`) and a device operand
/// (`parted /dev/sda mklabel`) come first.
const MAX_SKIP: usize = 4;

/// One row of the tool table.
///
/// Option specs (`any`, `unless`): `--long` matches itself and `--long=…`;
/// `-x` (one letter) also matches a short-option cluster of at most five
/// letters holding `x` (`-wsv`, not `-destroy`); `-long` (one dash, several letters) matches exactly;
/// `~text` matches any argument containing `text` (ASCII case-insensitive).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ToolRule {
    /// Stable rule id.
    pub rule: &'static str,
    /// Command names (basename); `python*` matches by prefix.
    pub programs: &'static [&'static str],
    /// Consecutive positionals, `a|b` for alternatives, `*` for any one.
    pub path: &'static [&'static str],
    /// The path must start at the first positional.
    pub anchored: bool,
    /// At least one of these must be present (empty: none needed).
    pub any: &'static [&'static str],
    /// None of these may be present (dry runs, read-only modes).
    pub unless: &'static [&'static str],
    /// A positional after the first is a block device.
    pub device: bool,
    pub category: Category,
    pub outcome: Outcome,
    pub critical: bool,
    /// A command the row matches (tested, and listed in README).
    #[cfg_attr(not(test), allow(dead_code))]
    pub example: &'static str,
}

/// A destructive denial of `programs` … `path`; refine with the builders.
pub(crate) const fn row(
    rule: &'static str,
    programs: &'static [&'static str],
    path: &'static [&'static str],
    example: &'static str,
) -> ToolRule {
    ToolRule {
        rule,
        programs,
        path,
        anchored: false,
        any: &[],
        unless: &[],
        device: false,
        category: Category::Destructive,
        outcome: Outcome::Deny,
        critical: false,
        example,
    }
}

impl ToolRule {
    pub(crate) const fn any(self, any: &'static [&'static str]) -> Self {
        ToolRule { any, ..self }
    }
    pub(crate) const fn unless(self, unless: &'static [&'static str]) -> Self {
        ToolRule { unless, ..self }
    }
    pub(crate) const fn anchored(self) -> Self {
        ToolRule {
            anchored: true,
            ..self
        }
    }
    pub(crate) const fn device(self) -> Self {
        ToolRule {
            device: true,
            ..self
        }
    }
    pub(crate) const fn critical(self) -> Self {
        ToolRule {
            critical: true,
            ..self
        }
    }
    pub(crate) const fn approval(self) -> Self {
        ToolRule {
            outcome: Outcome::Approval,
            ..self
        }
    }
    /// Credentials minted or handed out, sent for approval.
    pub(crate) const fn credential(self) -> Self {
        ToolRule {
            category: Category::CredentialAccess,
            outcome: Outcome::Approval,
            ..self
        }
    }
    /// A system state change sent for approval.
    pub(crate) const fn system(self) -> Self {
        ToolRule {
            category: Category::SystemChange,
            outcome: Outcome::Approval,
            ..self
        }
    }

    fn names(&self, name: &str) -> bool {
        self.programs.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => *p == name,
        })
    }

    /// Whether the row matches `name args`.
    pub(crate) fn matches(&self, name: &str, args: &[Arg<'_>]) -> bool {
        if !self.names(name) {
            return false;
        }
        let pos = positionals(args);
        let path_ok = self.path.is_empty() || {
            let last = if self.anchored { 0 } else { MAX_SKIP };
            (0..=last.min(pos.len())).any(|s| path_at(self.path, &pos[s..]))
        };
        path_ok
            && (self.any.is_empty() || self.any.iter().any(|spec| present(spec, args)))
            && !self.unless.iter().any(|spec| present(spec, args))
            && (!self.device || pos.iter().skip(1).any(|p| is_block_device(p)))
    }

    fn finding(&self, ctx: &RuleCtx) -> ShellFinding {
        ShellFinding::new(
            self.rule,
            self.category,
            self.critical,
            super::wrappers::join(ctx.cmd),
        )
        .with_outcome(self.outcome)
    }
}

/// Non-option arguments (everything after `--`); option values count too.
fn positionals<'a>(args: &'a [Arg<'_>]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut ended = false;
    for a in args {
        let v = a.text();
        if !ended && v == "--" {
            ended = true;
        } else if ended || !(v.len() > 1 && v.starts_with('-')) {
            out.push(v);
        }
    }
    out
}

fn path_at(path: &[&str], pos: &[&str]) -> bool {
    path.len() <= pos.len()
        && path
            .iter()
            .zip(pos)
            .all(|(want, got)| *want == "*" || want.split('|').any(|w| w == *got))
}

/// Whether the option spec (see [`ToolRule`]) is present in `args`.
pub(crate) fn present(spec: &str, args: &[Arg<'_>]) -> bool {
    if let Some(text) = spec.strip_prefix('~') {
        let text = text.to_ascii_lowercase();
        return args
            .iter()
            .any(|a| a.text().to_ascii_lowercase().contains(&text));
    }
    let short = spec
        .strip_prefix('-')
        .filter(|s| s.len() == 1)
        .and_then(|s| s.chars().next());
    args.iter().take_while(|a| a.value != "--").any(|a| {
        let v = a.text();
        if v == spec {
            return true;
        }
        if spec.starts_with("--") {
            return v.strip_prefix(spec).is_some_and(|r| r.starts_with('='));
        }
        match short {
            Some(c) => {
                !v.starts_with("--")
                    && (3..=6).contains(&v.len())
                    && v.starts_with('-')
                    && v[1..].chars().all(|k| k.is_ascii_alphanumeric())
                    && v[1..].contains(c)
            }
            None => false,
        }
    })
}

/// Rows by program name, so a command costs one lookup, not a table scan.
pub(crate) struct Index {
    exact: HashMap<&'static str, Vec<&'static ToolRule>>,
    /// Rows with a `prefix*` program.
    prefixed: Vec<&'static ToolRule>,
}

impl Index {
    pub(crate) fn new(tables: &[&'static [ToolRule]]) -> Self {
        let mut index = Index {
            exact: HashMap::new(),
            prefixed: Vec::new(),
        };
        for r in tables.iter().flat_map(|t| t.iter()) {
            for p in r.programs {
                if p.ends_with('*') {
                    index.prefixed.push(r);
                } else {
                    index.exact.entry(p).or_default().push(r);
                }
            }
        }
        index
    }

    /// Reports every row that matches the command.
    pub(crate) fn check(&self, ctx: &RuleCtx, out: &mut Vec<ShellFinding>) {
        let exact = self
            .exact
            .get(ctx.name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for r in exact.iter().chain(&self.prefixed) {
            if r.matches(ctx.name, ctx.args) {
                out.push(r.finding(ctx));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &str) -> Vec<Arg<'_>> {
        s.split_whitespace().map(Arg::literal).collect()
    }

    #[test]
    fn option_specs() {
        let cases: &[(&str, &str, bool)] = &[
            ("--zap-all", "sgdisk --zap-all /dev/sda", true),
            ("--prune", "git gc --prune=now", true),
            ("--prune", "git gc --pruned", false),
            ("-w", "badblocks -wsv /dev/sdb", true),
            ("-w", "badblocks --wipe", false),
            ("-n", "zfs destroy -nv tank", true),
            ("-d", "terraform -destroy", false),
            ("-destroy", "terraform apply -destroy", true),
            ("-v", "docker compose down -- -v", false),
            ("~dropdatabase(", "mongosh --eval db.dropDatabase()", true),
        ];
        for (spec, cmd, want) in cases {
            assert_eq!(present(spec, &lits(cmd)), *want, "{spec} in {cmd}");
        }
    }

    #[test]
    fn paths_skip_global_values_but_not_far() {
        let r = row("t", &["aws"], &["s3api", "delete-bucket"], "");
        assert!(r.matches("aws", &lits("s3api delete-bucket --bucket b")));
        assert!(r.matches(
            "aws",
            &lits("--profile p --region r s3api delete-bucket --bucket b")
        ));
        assert!(!r.matches("aws", &lits("s3api list-buckets")));
        assert!(!r.matches("gcloud", &lits("s3api delete-bucket")));
        let a = row("t", &["service"], &["*", "stop"], "").anchored();
        assert!(a.matches("service", &lits("nginx stop")));
        assert!(!a.matches("service", &lits("a nginx stop")));
        let p = row("t", &["python*"], &["manage.py", "flush"], "");
        assert!(p.matches("python3.12", &lits("manage.py flush --noinput")));
        let d = row("t", &["bmaptool"], &["copy"], "").device();
        assert!(d.matches("bmaptool", &lits("copy img /dev/sdb")));
        assert!(!d.matches("bmaptool", &lits("copy img out.img")));
    }
}
