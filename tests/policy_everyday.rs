//! The everyday corpus (issue 9, section 3): realistic commands a coding agent
//! runs on a developer machine or CI box must all be allowed, without approval.
//!
//! The commands live in `tests/corpora/everyday-commands.txt`, one per line,
//! grouped by `# == area ==` comment lines. Every one is checked as
//! `execute_code` with `cwd = /home/dev/project`, through the gate as the
//! library exposes it, and the test fails listing *every* command that was
//! denied or sent for approval (rule and reason), not only the first.
//!
//! # Exceptions, argued
//!
//! - **`sudo` (corpus area "sudo")**: `sudo apt-get install -y jq`, build
//!   dependencies, `sudo apt-get update` and read-only inspection
//!   (`sudo iptables -L -n`, `sudo lsof -i :443`, `sudo journalctl …`) are
//!   kept in the zero-block corpus on purpose. CI images and fresh dev boxes
//!   install tools this way every day (this project's own `scripts/deps.sh`
//!   does `sudo -n apt-get install`), `sudo` is a transparent wrapper for the
//!   analyser (the payload is what is judged), and neither package installs
//!   nor reads are in issue 9's system-change list (item 9). `sudo` *changes*
//!   (`sudo systemctl restart`, writes under `/etc`, `sudo make install`) are
//!   left out of the corpus: they are system changes, not everyday work.
//! - **Strings that only look dangerous**: `warden check execute_code
//!   --command 'rm -rf /'` and the `echo '{… "sudo /bin/rm -r -f /" …}' |
//!   warden check` line come from this project's README: the dangerous text
//!   is data handed to warden, never executed. Likewise `sed -i
//!   's/localhost:5432/…/'`, `openssl req … -subj '/CN=localhost'` and
//!   `docker run -p 127.0.0.1:6379:6379` name loopback without connecting
//!   to it, and `ssh -L 5432:localhost:5432 bastion.example.com` connects to
//!   the bastion (the forward target is resolved on the far side).
//! - **Credential-store paths handed to their own tool**: `ssh -i
//!   ~/.ssh/deploy_key host …`, `export KUBECONFIG=~/.kube/config-kind`,
//!   `chmod 400 ~/.ssh/deploy_key` / `chmod 700 ~/.ssh` (tightening, issue 9
//!   §3), `ls -la ~/.ssh`, `cat ~/.ssh/config` and `*.pub` reads stay in the
//!   corpus: the key is used or protected, never printed or sent anywhere,
//!   and items 1 and 7 except `*.pub` and `config` reads explicitly.
//! - **Loopback and private destinations ([`LOCAL_TARGETS`])**: issue 9
//!   item 8 denies shell egress to loopback and private ranges *by design*
//!   (an agent under prompt injection must not reach the metadata service,
//!   the admin port of a local daemon or the office LAN), even though
//!   `curl http://localhost:3000/health` is something a developer types all
//!   day. Those commands are therefore not in the zero-block corpus. Each
//!   has a public twin that differs only in the destination:
//!   [`local_targets_differ_from_everyday_work_only_in_their_destination`]
//!   checks the twins are allowed (so the destination is the only thing
//!   that can block the original), and
//!   [`local_targets_are_blocked`] checks the originals are denied or sent
//!   for approval.
//! - **Database clients pointed at a local server** (`psql -h localhost`,
//!   `redis-cli -h 127.0.0.1`; corpus area "local services through database
//!   clients") stay in the zero-block corpus: item 8 lists the programs
//!   whose destinations are egress (curl, wget, ssh, git, …), and database
//!   clients are not among them. Blocking a test database on loopback would
//!   stop ordinary development; if the lead decides otherwise, these lines
//!   move to [`LOCAL_TARGETS`].
//!
//! - **Known false positives ([`KNOWN_FALSE_POSITIVES`])**: corpus commands
//!   the current rules block although they are everyday work. They stay in
//!   the corpus and are tolerated only while blocked by the recorded rule,
//!   so a fix shows up as a failure asking to delete the row. They are bugs,
//!   not exceptions: the zero-block goal is met when the list is empty.
//!
//! Deliberately absent from the corpus (they belong to the deny/approval
//! tests): deletes outside the workspace, writes to system paths, reading
//! credential stores, downloads piped into a shell, irrecoverable git,
//! force pushes to protected branches.

use std::collections::{BTreeMap, HashSet};

use serde_json::json;
use warden::policy::{Decision, PolicyConfig, PolicyGate};

/// The corpus file, one command per line.
const CORPUS: &str = include_str!("corpora/everyday-commands.txt");

/// Working directory every command is checked in.
const CWD: &str = "/home/dev/project";

/// Fewest commands the corpus may hold (issue 9 asks for 1,000; the brief 1,200).
const MIN_COMMANDS: usize = 1_200;

/// Public hosts the corpus names, as a developer's `network.allowlist` would
/// list them: with it configured, a command naming one of them must still be
/// allowed without approval ("curl to an allowlisted host", issue 9 §3).
const DEV_ALLOWLIST: &[&str] = &[
    "github.com",
    "*.github.com",
    "*.githubusercontent.com",
    "gitlab.com",
    "registry.npmjs.org",
    "pypi.org",
    "files.pythonhosted.org",
    "crates.io",
    "static.crates.io",
    "docs.rs",
    "sh.rustup.rs",
    "www.rust-lang.org",
    "nodejs.org",
    "go.dev",
    "golang.org",
    "releases.hashicorp.com",
    "hub.docker.com",
    "ghcr.io",
    "gcr.io",
    "charts.bitnami.com",
    "httpbin.org",
    "ifconfig.me",
    "api.open-meteo.com",
    "api.stripe.com",
    "api.openai.com",
    "example.com",
    "*.example.com",
    "*.amazonaws.com",
    "1.1.1.1",
];

/// Everyday commands whose destination is loopback or a private address:
/// blocked by design once shell egress is checked (issue 9 item 8), each
/// with a public twin that differs only in the destination.
///
/// `(command, public twin, why a developer runs it)`.
const LOCAL_TARGETS: &[(&str, &str, &str)] = &[
    (
        "curl http://localhost:3000/health",
        "curl https://staging.example.com/health",
        "health check of the dev server",
    ),
    (
        "curl -s localhost:8080/api/v1/safety/check -d '{\"action\": \"execute_code\", \"context\": {\"command\": \"npm install express\"}}'",
        "curl -s https://warden.example.com/api/v1/safety/check -d '{\"action\": \"execute_code\", \"context\": {\"command\": \"npm install express\"}}'",
        "this project's README: calling a local warden over REST",
    ),
    (
        "curl -fsS http://127.0.0.1:8080/metrics | grep warden_policy_decisions_total",
        "curl -fsS https://warden.example.com/metrics | grep warden_policy_decisions_total",
        "reading the local Prometheus metrics",
    ),
    (
        "curl -s http://[::1]:8080/healthz",
        "curl -s https://api.example.com/healthz",
        "IPv6 loopback health check",
    ),
    (
        "wget -qO- http://localhost:9090/-/healthy",
        "wget -qO- https://prometheus.example.com/-/healthy",
        "is the local Prometheus up",
    ),
    (
        "http :8000/api/items",
        "http https://api.example.com/api/items",
        "HTTPie's shorthand for localhost",
    ),
    (
        "curl -X POST http://127.0.0.1:5000/api/login -H 'Content-Type: application/json' -d '{\"user\": \"dev\"}'",
        "curl -X POST https://api.example.com/api/login -H 'Content-Type: application/json' -d '{\"user\": \"dev\"}'",
        "exercising a local Flask endpoint",
    ),
    (
        "nc -z localhost 5432",
        "nc -z db.example.com 5432",
        "is the local Postgres listening",
    ),
    (
        "curl -s http://192.168.1.10:8123/api/states",
        "curl -s https://home.example.com/api/states",
        "a device on the developer's LAN",
    ),
    (
        "ssh dev@10.0.0.12 'tail -n 50 /var/log/app.log'",
        "ssh dev@build01.example.com 'tail -n 50 /var/log/app.log'",
        "a build box on the office VPN",
    ),
    (
        "git clone http://10.0.3.7:3000/team/infra.git",
        "git clone https://gitlab.com/team/infra.git",
        "a self-hosted Gitea on the LAN",
    ),
    (
        "pip install --index-url http://127.0.0.1:3141/root/dev/+simple/ mypkg",
        "pip install --index-url https://pypi.org/simple/ mypkg",
        "a local devpi mirror",
    ),
    (
        "npm --registry http://localhost:4873 install @acme/ui",
        "npm --registry https://registry.npmjs.org install @acme/ui",
        "a local Verdaccio registry",
    ),
    (
        "docker pull localhost:5000/myapp:dev",
        "docker pull ghcr.io/acme/myapp:dev",
        "a local registry used by kind clusters",
    ),
];

/// Corpus commands the gate blocks today although they are everyday work:
/// false positives of the current rules, each tolerated only while it is
/// still blocked by exactly the named rule. They are not exceptions to the
/// zero-block goal but open bugs: when the gate stops blocking one, the
/// default-gate test fails until its row is removed here, and issue 9 is
/// done only when this list is empty.
///
/// `(command, rule that blocks it today, why it is a false positive)`.
const KNOWN_FALSE_POSITIVES: &[(&str, &str, &str)] = &[];

/// One corpus command with where it came from.
struct Entry {
    line: usize,
    area: &'static str,
    command: &'static str,
}

/// Parses the corpus: `# == area ==` starts an area, other `#` lines are
/// comments, blank lines are skipped.
fn corpus() -> Vec<Entry> {
    let mut area = "";
    let mut entries = Vec::new();
    for (i, raw) in CORPUS.lines().enumerate() {
        if let Some(comment) = raw.strip_prefix('#') {
            let comment = comment.trim();
            if let Some(name) = comment
                .strip_prefix("==")
                .and_then(|rest| rest.strip_suffix("=="))
            {
                area = name.trim();
            }
            continue;
        }
        if raw.trim().is_empty() {
            continue;
        }
        entries.push(Entry {
            line: i + 1,
            area,
            command: raw,
        });
    }
    entries
}

fn gate(allowlist: &[&str]) -> PolicyGate {
    let cfg = PolicyConfig {
        network_allowlist: allowlist.iter().map(|h| (*h).to_string()).collect(),
        ..PolicyConfig::default()
    };
    PolicyGate::new(cfg).expect("policy builds")
}

fn check(gate: &PolicyGate, command: &str) -> Decision {
    gate.check("execute_code", &json!({"command": command, "cwd": CWD}))
        .unwrap_or_else(|e| panic!("check errored for {command:?}: {e}"))
}

fn verdict(d: &Decision) -> &'static str {
    if !d.allowed {
        "DENIED"
    } else if d.requires_approval {
        "APPROVAL"
    } else {
        "allowed"
    }
}

/// Every corpus command the gate does not allow unconditionally (except a
/// [`KNOWN_FALSE_POSITIVES`] row still blocked by its rule), one line each;
/// plus every known false positive that is no longer blocked as recorded.
fn blocked(gate: &PolicyGate) -> (Vec<String>, Vec<String>) {
    let mut blocked = Vec::new();
    let mut stale = Vec::new();
    for e in corpus() {
        let d = check(gate, e.command);
        let known = KNOWN_FALSE_POSITIVES
            .iter()
            .find(|(command, _, _)| *command == e.command);
        match known {
            Some((_, rule, _)) if !d.is_unconditional_allow() && d.rule == *rule => continue,
            Some((_, rule, _)) => stale.push(format!(
                "  line {}: {:?} is listed as blocked by {rule}, now {} rule={}",
                e.line,
                e.command,
                verdict(&d),
                d.rule
            )),
            None => {}
        }
        if !d.is_unconditional_allow() {
            blocked.push(format!(
                "  line {} [{}] {} rule={} risk={:?}: {}\n      command: {}",
                e.line,
                e.area,
                verdict(&d),
                d.rule,
                d.risk,
                d.reason,
                e.command
            ));
        }
    }
    (blocked, stale)
}

fn assert_none_blocked(gate: &PolicyGate, setting: &str) {
    let (blocked, stale) = blocked(gate);
    assert!(
        blocked.is_empty(),
        "{} of {} everyday commands were blocked ({setting}); each must be allowed \
         without approval, or moved out of the corpus with an argued exception \
         in tests/policy_everyday.rs:\n{}",
        blocked.len(),
        corpus().len(),
        blocked.join("\n")
    );
    assert!(
        stale.is_empty(),
        "KNOWN_FALSE_POSITIVES rows no longer blocked as recorded ({setting}); \
         remove them:\n{}",
        stale.join("\n")
    );
}

#[test]
fn corpus_is_large_varied_and_well_formed() {
    let entries = corpus();
    assert!(
        entries.len() >= MIN_COMMANDS,
        "corpus holds {} commands, at least {MIN_COMMANDS} wanted",
        entries.len()
    );
    let mut seen = HashSet::new();
    let mut problems = Vec::new();
    let mut per_area: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &entries {
        if e.area.is_empty() {
            problems.push(format!(
                "line {}: command before any `# == area ==`",
                e.line
            ));
        }
        if e.command != e.command.trim() {
            problems.push(format!("line {}: leading or trailing whitespace", e.line));
        }
        if !seen.insert(e.command) {
            problems.push(format!("line {}: duplicate {:?}", e.line, e.command));
        }
        *per_area.entry(e.area).or_default() += 1;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(per_area.len() >= 15, "only {} areas", per_area.len());
    let largest = per_area.values().max().copied().unwrap_or(0);
    assert!(
        largest * 5 < entries.len(),
        "one area holds {largest} of {} commands: the corpus is not varied",
        entries.len()
    );
    for (area, n) in &per_area {
        eprintln!("{n:5}  {area}");
    }
    eprintln!("{:5}  total", entries.len());
}

#[test]
fn everyday_corpus_is_allowed_by_the_default_gate() {
    assert_none_blocked(&gate(&[]), "PolicyConfig::default(), no network allowlist");
}

#[test]
fn everyday_corpus_is_allowed_with_a_developer_allowlist() {
    assert_none_blocked(
        &gate(DEV_ALLOWLIST),
        "network.allowlist = DEV_ALLOWLIST: every public host the corpus names",
    );
}

#[test]
fn known_false_positives_are_corpus_commands() {
    let entries = corpus();
    let corpus: HashSet<&str> = entries.iter().map(|e| e.command).collect();
    for (command, _, _) in KNOWN_FALSE_POSITIVES {
        assert!(corpus.contains(command), "{command:?} is not in the corpus");
    }
}

#[test]
fn local_targets_are_not_in_the_everyday_corpus() {
    let entries = corpus();
    let corpus: HashSet<&str> = entries.iter().map(|e| e.command).collect();
    for (command, twin, _) in LOCAL_TARGETS {
        assert!(
            !corpus.contains(command),
            "{command:?} is in the zero-block corpus but blocked by design"
        );
        assert_ne!(command, twin);
    }
}

#[test]
fn local_targets_differ_from_everyday_work_only_in_their_destination() {
    for allowlist in [&[][..], DEV_ALLOWLIST] {
        let gate = gate(allowlist);
        let blocked: Vec<String> = LOCAL_TARGETS
            .iter()
            .filter_map(|(_, twin, why)| {
                let d = check(&gate, twin);
                (!d.is_unconditional_allow()).then(|| {
                    format!(
                        "  {} rule={}: {} ({why})\n      command: {twin}",
                        verdict(&d),
                        d.rule,
                        d.reason
                    )
                })
            })
            .collect();
        assert!(
            blocked.is_empty(),
            "public twins of the local-target commands were blocked (allowlist {allowlist:?}):\n{}",
            blocked.join("\n")
        );
    }
}

#[test]
fn local_targets_are_blocked() {
    for allowlist in [&[][..], DEV_ALLOWLIST] {
        let gate = gate(allowlist);
        let allowed: Vec<String> = LOCAL_TARGETS
            .iter()
            .filter(|(command, _, _)| check(&gate, command).is_unconditional_allow())
            .map(|(command, _, why)| format!("  {command}  ({why})"))
            .collect();
        assert!(
            allowed.is_empty(),
            "loopback/private destinations still allowed (allowlist {allowlist:?}):\n{}",
            allowed.join("\n")
        );
    }
}
