//! `warden hook` as Claude Code and other agent runtimes run it: the binary,
//! one event on stdin per process. Recorded event shapes for every tool
//! (`tests/corpora/claude-code-events.json`) get the answer `warden check`
//! gives for the same action; malformed input fails closed with exit 2;
//! `PostToolUse` output with a secret is fed back by kind; the local audit file
//! is written and redacted; central mode asks a real `warden serve` (REST and
//! NATS) and falls back within the timeout when it is killed or hangs;
//! `install`/`uninstall` keep every other setting.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::nats::NatsServer;
use support::warden::WardenProcess;

const ALLOWLIST: &str = "api.anthropic.com,*.github.com";

/// A scratch home and working directory for one test.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn audit(&self) -> PathBuf {
        self.path().join("audit.jsonl")
    }

    fn audit_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(self.audit())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit lines are JSON"))
            .collect()
    }

    /// Runs `warden <args>` with `stdin`, a clean environment and `env`.
    fn run(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(args)
            .current_dir(self.path())
            .env_clear()
            .env("HOME", self.path())
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("NETWORK_ALLOWLIST", ALLOWLIST)
            .env("WARDEN_HOOK_AUDIT_FILE", self.audit())
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("warden runs");
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin.as_bytes()).expect("write stdin");
        drop(input);
        child.wait_with_output().expect("warden exits")
    }

    fn hook(&self, event: &Value, env: &[(&str, &str)]) -> (Option<Value>, i32, String) {
        let out = self.run(&["hook", "claude-code"], &event.to_string(), env);
        let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let answer = (!stdout.is_empty())
            .then(|| serde_json::from_str(&stdout).expect("hook answer is JSON"));
        (
            answer,
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

fn corpus() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpora/claude-code-events.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("corpus")).expect("JSON");
    doc["events"].as_array().expect("events").clone()
}

/// `allow` / `deny` / `ask` of a Claude Code answer (no answer = allow).
fn permission(answer: &Option<Value>) -> &str {
    match answer {
        None => "allow",
        Some(a) => {
            assert_eq!(
                a["hookSpecificOutput"]["hookEventName"], "PreToolUse",
                "{a}"
            );
            a["hookSpecificOutput"]["permissionDecision"]
                .as_str()
                .expect("a permissionDecision")
        }
    }
}

fn verdict_of_check(answer: &Value) -> &'static str {
    match (
        answer["allowed"].as_bool(),
        answer["requires_approval"].as_bool(),
    ) {
        (Some(false), _) => "deny",
        (Some(true), Some(true)) => "ask",
        (Some(true), Some(false)) => "allow",
        _ => panic!("not a decision: {answer}"),
    }
}

#[test]
fn every_recorded_tool_event_gets_the_answer_warden_check_gives() {
    let sandbox = Sandbox::new();
    let events = corpus();
    let checks: Vec<&Value> = events.iter().filter_map(|e| e.get("check")).collect();
    let lines: String = checks.iter().map(|c| format!("{c}\n")).collect();
    let out = sandbox.run(&["check"], &lines, &[("NATS_URL", "nats://127.0.0.1:1")]);
    let checked: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("check answers are JSON"))
        .collect();
    assert_eq!(checked.len(), checks.len());
    let mut checked = checked.into_iter();

    for case in &events {
        let name = case["name"].as_str().expect("name");
        let (answer, code, stderr) = sandbox.hook(&case["event"], &[]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let got = permission(&answer);
        assert_eq!(got, case["expect"], "{name}: {answer:?}");
        let reason = answer
            .as_ref()
            .map(|a| a["hookSpecificOutput"]["permissionDecisionReason"].to_string())
            .unwrap_or_default();
        if let Some(rule) = case["rule"].as_str() {
            if got != "allow" {
                assert!(reason.contains(rule), "{name}: {reason}");
            }
        }
        if let Some(secret) = case["secret"].as_str() {
            assert!(
                !reason.contains(secret),
                "{name} echoed the secret: {reason}"
            );
        }
        if case.get("check").is_some() {
            let check = checked.next().expect("a check answer");
            assert_eq!(
                verdict_of_check(&check),
                got,
                "{name}: warden check said {check}"
            );
            if got != "allow" {
                let rule = check["rule"].as_str().expect("rule");
                assert!(reason.contains(rule), "{name}: {reason} vs {check}");
            }
        }
    }

    let audit = sandbox.audit_lines();
    assert_eq!(audit.len(), events.len(), "one audit line per decision");
    let raw = std::fs::read_to_string(sandbox.audit()).expect("audit");
    assert!(
        !raw.contains("sk_live_51H8xYzAbCdEfGhIjKlMnOpQrStUvWx"),
        "{raw}"
    );
    assert!(raw.contains("[REDACTED:STRIPE_KEY]"), "{raw}");
    let destructive = audit
        .iter()
        .find(|l| l["rule"] == "shell.rm_recursive_root")
        .expect("the rm decision is audited");
    assert_eq!(destructive["decision"], "deny");
    assert_eq!(destructive["source"], "local");
    assert_eq!(
        destructive["session_id"],
        "3f1c2a9e-5b7d-4e21-9a0c-1d2e3f4a5b6c"
    );
}

#[test]
fn malformed_input_fails_closed_with_exit_2() {
    let sandbox = Sandbox::new();
    let cases = [
        "",
        "not json",
        "[1, 2]",
        r#"{"tool_name": "Bash", "tool_input": {"command": "ls"}}"#,
        r#"{"hook_event_name": "PreToolUse", "tool_input": {"command": "ls"}}"#,
        r#"{"hook_event_name": "PreToolUse", "tool_name": "Bash"}"#,
        r#"{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"cmd": "rm -rf /"}}"#,
        r#"{"hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": {"content": "x"}}"#,
        r#"{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": 7}"#,
    ];
    for input in cases {
        let out = sandbox.run(&["hook", "claude-code"], input, &[]);
        assert_eq!(out.status.code(), Some(2), "{input:?}");
        let answer: Value = serde_json::from_slice(&out.stdout).expect("a JSON denial");
        assert_eq!(
            answer["hookSpecificOutput"]["permissionDecision"], "deny",
            "{input:?}"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("blocked"), "{input:?}: {stderr}");
    }
}

#[test]
fn a_broken_configuration_blocks_and_names_the_variable() {
    let sandbox = Sandbox::new();
    let event = &corpus()[0]["event"];
    for (variable, value) in [
        ("WARDEN_HOOK_TIMEOUT", "soon"),
        ("ENABLE_CODE_EXECUTION", "perhaps"),
        ("WARDEN_POLICY_FILE", "/nonexistent/policy.toml"),
    ] {
        let (answer, code, stderr) = sandbox.hook(event, &[(variable, value)]);
        assert_eq!(code, 2, "{variable}");
        assert_eq!(permission(&answer), "deny");
        assert!(stderr.contains(variable), "{variable}: {stderr}");
    }
}

#[test]
fn other_events_get_no_answer() {
    let sandbox = Sandbox::new();
    let event = json!({"session_id": "s", "cwd": "/tmp", "hook_event_name": "UserPromptSubmit", "prompt": "rm -rf /"});
    let (answer, code, _) = sandbox.hook(&event, &[]);
    assert_eq!((answer, code), (None, 0));
}

#[test]
fn post_tool_use_feeds_back_secret_kinds_and_audits_them() {
    let sandbox = Sandbox::new();
    let secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
    let event = json!({
        "session_id": "s-post", "transcript_path": "/tmp/t.jsonl", "cwd": "/home/dev/project",
        "permission_mode": "default", "hook_event_name": "PostToolUse", "tool_name": "Bash",
        "tool_input": {"command": "cat ~/.config/gh/hosts.yml", "description": "Show gh config"},
        "tool_response": {"stdout": format!("github.com:\n    oauth_token: {secret}\n"), "stderr": "", "interrupted": false, "isImage": false},
        "tool_use_id": "toolu_post"
    });
    let (answer, code, _) = sandbox.hook(&event, &[]);
    assert_eq!(code, 0);
    let answer = answer.expect("feedback");
    assert_eq!(answer["decision"], "block");
    assert_eq!(answer["hookSpecificOutput"]["hookEventName"], "PostToolUse");
    let text = answer.to_string();
    assert!(!text.contains(secret), "{text}");
    assert!(text.contains("GITHUB_TOKEN"), "{text}");
    let audit = sandbox.audit_lines();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["event"], "PostToolUse");
    assert!(audit[0]["findings"].to_string().contains("GITHUB_TOKEN"));
    assert!(!std::fs::read_to_string(sandbox.audit())
        .expect("audit")
        .contains(secret));

    let clean = json!({"hook_event_name": "PostToolUse", "tool_name": "Bash", "cwd": "/tmp",
        "tool_input": {"command": "ls"}, "tool_response": {"stdout": "a\nb\n", "stderr": ""}});
    assert_eq!(sandbox.hook(&clean, &[]).0, None);
}

#[test]
fn policy_file_tool_lists_apply_to_mcp_tools() {
    let sandbox = Sandbox::new();
    let policy = sandbox.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[hooks]\ndeny_tools = [\"mcp__github__delete_*\"]\nask_tools = [\"mcp__slack__post_message\"]\n",
    )
    .expect("write policy");
    let policy = policy.to_str().expect("utf-8 path");
    let env = [("WARDEN_POLICY_FILE", policy)];
    let event = |tool: &str| json!({"session_id": "s", "cwd": "/tmp", "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": {}});
    let decide = |tool: &str| permission(&sandbox.hook(&event(tool), &env).0).to_string();
    assert_eq!(decide("mcp__github__delete_repository"), "deny");
    assert_eq!(decide("mcp__slack__post_message"), "ask");
    assert_eq!(decide("mcp__github__get_issue"), "allow");
    // The policy file itself is warden's: an agent may not rewrite it.
    let write = json!({"session_id": "s", "cwd": "/tmp", "hook_event_name": "PreToolUse", "tool_name": "Write",
        "tool_input": {"file_path": policy, "content": "[hooks]\n"}});
    let (answer, _, _) = sandbox.hook(&write, &env);
    assert_eq!(permission(&answer), "deny");
    assert!(answer
        .expect("answer")
        .to_string()
        .contains("write.warden_policy"));
}

fn hook_schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/hook.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("JSON")
}

#[test]
fn generic_json_protocol_matches_its_schema_and_examples() {
    let sandbox = Sandbox::new();
    let schema = hook_schema();
    let request = jsonschema::draft202012::new(&schema["request_schema"]).expect("compiles");
    let reply = jsonschema::draft202012::new(&schema["reply_schema"]).expect("compiles");
    for example in schema["examples"].as_array().expect("examples") {
        assert!(request.is_valid(&example["request"]), "{example}");
        assert!(reply.is_valid(&example["reply"]), "{example}");
        let out = sandbox.run(&["hook", "json"], &example["request"].to_string(), &[]);
        assert_eq!(out.status.code(), Some(0));
        let got: Value = serde_json::from_slice(&out.stdout).expect("JSON reply");
        assert!(reply.is_valid(&got), "{got}");
        for field in ["decision", "rule", "category", "source"] {
            assert_eq!(got[field], example["reply"][field], "{field}: {got}");
        }
    }
    let out = sandbox.run(&["hook", "json"], r#"{"input": {}}"#, &[]);
    assert_eq!(out.status.code(), Some(2));
    let got: Value = serde_json::from_slice(&out.stdout).expect("JSON reply");
    assert!(reply.is_valid(&got), "{got}");
    assert_eq!(got["decision"], "deny");
}

// ---------------------------------------------------------------- install

#[test]
fn install_keeps_everything_is_idempotent_and_uninstall_takes_out_exactly_its_entries() {
    let sandbox = Sandbox::new();
    let settings = sandbox.path().join(".claude/settings.json");
    std::fs::create_dir_all(settings.parent().expect("dir")).expect("mkdir");
    let original = json!({
        "model": "opus",
        "permissions": {"allow": ["Bash(npm test:*)"], "deny": ["Read(./.env)"]},
        "env": {"FOO": "bar"},
        "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "python3 ~/guard.py"}]}],
            "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]
        }
    });
    let text = serde_json::to_string_pretty(&original).expect("encode");
    std::fs::write(&settings, &text).expect("write settings");

    let out = sandbox.run(&["hook", "install", "--project"], "", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("JSON");
    let backup = std::fs::read_to_string(sandbox.path().join(".claude/settings.json.bak"))
        .expect("a backup");
    assert_eq!(backup, text);
    assert_eq!(installed["model"], "opus");
    assert_eq!(installed["permissions"], original["permissions"]);
    assert_eq!(installed["hooks"]["Stop"], original["hooks"]["Stop"]);
    let pre = installed["hooks"]["PreToolUse"].as_array().expect("array");
    assert_eq!(pre.len(), 2, "the existing guard stays: {pre:?}");
    assert_eq!(pre[0], original["hooks"]["PreToolUse"][0]);
    let ours = pre[1]["hooks"][0]["command"].as_str().expect("command");
    assert!(ours.ends_with("warden hook claude-code"), "{ours}");
    assert_eq!(pre[1]["matcher"], "*");
    assert_eq!(installed["hooks"]["PostToolUse"][0]["matcher"], "Bash");

    // Idempotent: a second install changes nothing.
    let out = sandbox.run(&["hook", "install"], "", &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("unchanged"));
    let again: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("JSON");
    assert_eq!(again, installed);

    // Pointing it at a central warden updates the command in place.
    let out = sandbox.run(
        &[
            "hook",
            "install",
            "--central",
            "http://warden.internal:8080",
        ],
        "",
        &[],
    );
    assert!(out.status.success());
    let central: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("JSON");
    let pre = central["hooks"]["PreToolUse"].as_array().expect("array");
    assert_eq!(pre.len(), 2);
    assert!(pre[1]["hooks"][0]["command"]
        .as_str()
        .expect("command")
        .starts_with("WARDEN_URL=http://warden.internal:8080 "));

    let out = sandbox.run(&["hook", "uninstall"], "", &[]);
    assert!(out.status.success());
    let after: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("JSON");
    assert_eq!(after, original);
}

#[test]
fn install_into_a_fresh_user_settings_file_and_out_again() {
    let sandbox = Sandbox::new();
    let settings = sandbox.path().join(".claude/settings.json");
    let out = sandbox.run(&["hook", "install", "--user"], "", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("JSON");
    assert_eq!(
        installed["hooks"]["PreToolUse"].as_array().map(Vec::len),
        Some(1)
    );
    let out = sandbox.run(&["hook", "uninstall", "--user"], "", &[]);
    assert!(out.status.success());
    let after: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("JSON");
    assert_eq!(after, json!({}));
    // A settings file that is not JSON is left alone.
    std::fs::write(&settings, "{ not json").expect("write");
    let out = sandbox.run(&["hook", "install", "--user"], "", &[]);
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read_to_string(&settings).expect("read"),
        "{ not json"
    );
}

#[test]
fn hook_test_prints_an_answer_per_sample() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(&["hook", "test"], "", &[]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().count() >= 8, "{text}");
    assert!(
        text.contains("deny") && text.contains("ask") && text.contains("allow"),
        "{text}"
    );
    assert!(!sandbox.audit().exists(), "hook test records nothing");
}

// ---------------------------------------------------------------- central

fn needs_approval_event() -> Value {
    json!({"session_id": "run-hook-central", "transcript_path": "/tmp/t.jsonl", "cwd": "/home/dev/project",
        "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Write",
        "tool_input": {"file_path": "/home/dev/project/.env", "content": "DEBUG=1\n"}, "tool_use_id": "toolu_c"})
}

fn reason(answer: &Option<Value>) -> String {
    answer
        .as_ref()
        .map(|a| {
            a["hookSpecificOutput"]["permissionDecisionReason"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default()
}

#[test]
fn central_rest_decides_and_a_killed_or_hung_central_falls_back_within_the_timeout() {
    let sandbox = Sandbox::new();
    let nats = NatsServer::start();
    let mut central = WardenProcess::start(&[
        ("NATS_URL", &nats.url()),
        ("WARDEN_STORE", "memory"),
        ("NETWORK_ALLOWLIST", ALLOWLIST),
        // The central policy differs from the local one: deployments-like
        // strictness for shell commands is not needed, approval for writes is.
        (
            "WARDEN_APPROVAL_REQUIRED",
            "deploy,create_billing,write_file",
        ),
    ]);
    let url = central.base_url();
    // Generous while the central answers (a loaded CI machine), tight for the fallback.
    let env = [("WARDEN_URL", url.as_str()), ("WARDEN_HOOK_TIMEOUT", "5s")];
    let tight = [
        ("WARDEN_URL", url.as_str()),
        ("WARDEN_HOOK_TIMEOUT", "300ms"),
    ];

    // The central policy applies (locally this write is allowed) and the ask
    // carries the decision id an admin approves.
    let write = corpus()
        .into_iter()
        .find(|c| c["name"] == "write_source")
        .expect("write_source");
    let (answer, code, _) = sandbox.hook(&write["event"], &env);
    assert_eq!(code, 0);
    assert_eq!(
        permission(&answer),
        "ask",
        "{answer:?} {:?}",
        sandbox.audit_lines().pop()
    );
    assert!(reason(&answer).contains("decision "), "{answer:?}");
    let (local, _, _) = sandbox.hook(&write["event"], &[]);
    assert_eq!(permission(&local), "allow");

    let (answer, _, _) = sandbox.hook(&needs_approval_event(), &env);
    assert_eq!(permission(&answer), "ask");
    let audit = sandbox.audit_lines();
    assert!(audit
        .iter()
        .any(|l| l["source"] == "central" && l["decision_id"].is_string()));

    // Hung: the process is stopped, connections are accepted by the kernel
    // and never answered. The local decision arrives within the timeout.
    let pid = central.pid().to_string();
    Command::new("kill")
        .args(["-STOP", &pid])
        .status()
        .expect("kill -STOP");
    let started = Instant::now();
    let (answer, code, _) = sandbox.hook(&write["event"], &tight);
    let elapsed = started.elapsed();
    Command::new("kill")
        .args(["-CONT", &pid])
        .status()
        .expect("kill -CONT");
    assert_eq!(code, 0);
    assert_eq!(permission(&answer), "allow", "local policy: {answer:?}");
    assert!(elapsed < Duration::from_millis(300 + 700), "{elapsed:?}");
    let last = sandbox.audit_lines().pop().expect("audited");
    assert_eq!(last["source"], "local_fallback");
    assert!(last["reason"]
        .as_str()
        .expect("reason")
        .contains("central warden unavailable"));

    // Killed mid-test: refused at once, the local decision stands and says so.
    central.kill();
    let destructive = corpus()
        .into_iter()
        .find(|c| c["name"] == "bash_destructive")
        .expect("bash_destructive");
    let started = Instant::now();
    let (answer, code, _) = sandbox.hook(&destructive["event"], &env);
    assert_eq!(code, 0);
    assert!(
        started.elapsed() < Duration::from_millis(2000),
        "refused, not waited for"
    );
    assert_eq!(permission(&answer), "deny");
    assert!(
        reason(&answer).contains("central warden unavailable"),
        "{answer:?}"
    );
}

#[test]
fn central_over_nats_decides_with_the_central_policy() {
    let sandbox = Sandbox::new();
    let nats = NatsServer::start();
    let _central = WardenProcess::start(&[
        ("NATS_URL", &nats.url()),
        ("WARDEN_STORE", "memory"),
        (
            "WARDEN_APPROVAL_REQUIRED",
            "deploy,create_billing,write_file",
        ),
    ]);
    let nats_url = nats.url();
    let env = [
        ("NATS_URL", nats_url.as_str()),
        ("WARDEN_HOOK_CENTRAL", "true"),
        ("WARDEN_HOOK_TIMEOUT", "2s"),
    ];
    let (answer, code, _) = sandbox.hook(&needs_approval_event(), &env);
    assert_eq!(code, 0);
    assert_eq!(permission(&answer), "ask");
    let audit = sandbox.audit_lines();
    assert_eq!(audit[0]["source"], "central", "{audit:?}");
    assert!(audit[0]["decision_id"].is_string());
}
