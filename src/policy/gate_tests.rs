//! Gate-level tests: seed case, toggles, approvals, request errors and no-panic properties.

use super::*;
use proptest::prelude::*;
use serde_json::json;

fn gate() -> PolicyGate {
    PolicyGate::new(PolicyConfig {
        network_allowlist: vec!["api.openai.com".into(), "*.github.com".into()],
        ..PolicyConfig::default()
    })
    .unwrap()
}

fn gate_with(edit: impl FnOnce(&mut PolicyConfig)) -> PolicyGate {
    let mut cfg = PolicyConfig::default();
    edit(&mut cfg);
    PolicyGate::new(cfg).unwrap()
}

#[test]
fn seed_destructive_command_is_denied() {
    let d = gate()
        .check_action(ActionType::ExecuteCode, &json!({"command": "rm -rf /"}))
        .unwrap();
    assert!(!d.allowed);
    assert!(
        d.reason.to_lowercase().contains("destructive"),
        "{}",
        d.reason
    );
}

#[test]
fn gate_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PolicyGate>();
}

#[test]
fn execute_code_table() {
    let g = gate_with(|c| c.extra_destructive_patterns = vec![r"\bpkill\s+-9\s+-1\b".into()]);
    // (context, allowed, rule, reason prefix)
    let cases = [
        (
            json!({"command": "ls -la"}),
            true,
            "allow.default",
            "Action allowed by policy",
        ),
        (
            json!({"command": "ls", "cwd": "/tmp"}),
            true,
            "allow.default",
            "Action allowed by policy",
        ),
        (
            json!({"command": "rm -rf /"}),
            false,
            "shell.rm_recursive_root",
            "Destructive command detected: ",
        ),
        (
            json!({"command": "pkill -9 -1"}),
            false,
            "policy.extra_pattern",
            "Destructive command detected: ",
        ),
        (
            json!({"command": "psql", "query": "DROP TABLE users"}),
            false,
            "sql.drop",
            "Destructive command detected: ",
        ),
        (
            json!({"command": "psql", "query": "SELECT 1"}),
            true,
            "allow.default",
            "Action allowed by policy",
        ),
        (
            json!({"command": "psql", "query": null}),
            true,
            "allow.default",
            "Action allowed by policy",
        ),
    ];
    for (ctx, allowed, rule, reason) in cases {
        let d = g.check_action(ActionType::ExecuteCode, &ctx).unwrap();
        assert_eq!((d.allowed, d.rule.as_str()), (allowed, rule), "{ctx}");
        assert!(d.reason.starts_with(reason), "{ctx}: {}", d.reason);
        assert!(!d.requires_approval);
        if allowed {
            assert_eq!(d.reason, "Action allowed by policy");
            assert!(d.risk <= Risk::Low);
        } else {
            assert!(d.risk >= Risk::High && !d.findings.is_empty());
        }
    }
}

#[test]
fn most_severe_finding_decides() {
    let f = |rule, category, risk_critical| ShellFinding::new(rule, category, risk_critical, rule);
    let findings = [
        f("a", Category::RemoteCode, false),
        f("b", Category::Destructive, false),
        f("c", Category::RemoteCode, true),
        f("d", Category::Destructive, true),
        f("e", Category::Destructive, true),
    ];
    let d = shell_decision(&findings);
    assert_eq!((d.rule.as_str(), d.risk), ("d", Risk::Critical));
    assert_eq!(d.findings, ["a", "b", "c", "d", "e"]);
    let d = shell_decision(&findings[..1]);
    assert_eq!(d.reason, "Remote code execution detected: a");
    assert_eq!(d.risk, Risk::High);
    assert_eq!(d.category, Some(Category::RemoteCode));
    assert!(shell_decision(&[]).allowed);
}

#[test]
fn any_denial_outweighs_approvals() {
    let ask = ShellFinding::new("ask", Category::SystemChange, false, "ask").needs_approval();
    let deny = ShellFinding::new("deny", Category::Egress, false, "deny");
    let d = shell_decision(&[ask.clone(), deny]);
    assert_eq!((d.allowed, d.rule.as_str()), (false, "deny"));
    assert_eq!(d.category, Some(Category::Egress));
    let d = shell_decision(&[ask]);
    assert!(d.allowed && d.requires_approval);
    assert_eq!((d.rule.as_str(), d.risk), ("ask", Risk::Medium));
    assert_eq!(d.reason, "System change detected: ask");
    assert_eq!(d.category, Some(Category::SystemChange));
}

#[test]
fn toggle_and_approval_table() {
    type Edit = fn(&mut PolicyConfig);
    // (config edit, action, context, allowed, requires_approval, rule, reason)
    let cases: &[(Edit, ActionType, Value, bool, bool, &str, &str)] = &[
        (|_| {}, ActionType::Deploy, json!({}), false, false, "action.disabled",
            "Deployments are disabled by policy (ENABLE_DEPLOYMENTS=false)"),
        (|_| {}, ActionType::CreateBilling, json!({"amount": 5}), false, false, "action.disabled",
            "Billing operations are disabled by policy (ENABLE_BILLING=false)"),
        (|c| c.enable_deployments = true, ActionType::Deploy, json!({"env": "prod"}), true, true,
            "approval.required", "Deployments require human approval"),
        (|c| c.enable_billing = true, ActionType::CreateBilling, json!({}), true, true,
            "approval.required", "Billing operations require human approval"),
        (|c| { c.enable_deployments = true; c.approval_required.clear(); }, ActionType::Deploy,
            json!({}), true, true, "approval.required", "Deployments require human approval"),
        (|c| c.enable_code_execution = false, ActionType::ExecuteCode, json!({"command": "ls"}),
            false, false, "action.disabled",
            "Code execution is disabled by policy (ENABLE_CODE_EXECUTION=false)"),
        (|c| c.enable_network_access = false, ActionType::NetworkAccess, json!({"url": "x"}),
            false, false, "action.disabled",
            "Network access is disabled by policy (ENABLE_NETWORK_ACCESS=false)"),
        (|c| c.enable_file_deletion = false, ActionType::DeleteFiles, json!({"path": "/tmp/x"}),
            false, false, "action.disabled",
            "File deletion is disabled by policy (ENABLE_FILE_DELETION=false)"),
        (|c| c.approval_required = vec![ActionType::ExecuteCode], ActionType::ExecuteCode,
            json!({"command": "ls"}), true, true, "approval.required",
            "Action 'execute_code' requires human approval (policy approval.required)"),
        (|c| c.approval_required = vec![ActionType::ExecuteCode], ActionType::ExecuteCode,
            json!({"command": "rm -rf /"}), false, false, "shell.rm_recursive_root",
            "Destructive command detected: rm -rf /"),
        (|c| c.approval_required = vec![ActionType::DeleteFiles], ActionType::DeleteFiles,
            json!({"path": "/tmp/x"}), true, true, "approval.required",
            "Action 'delete_files' requires human approval (policy approval.required)"),
        (|c| c.network_allowlist = vec!["a.com".into()], ActionType::NetworkAccess,
            json!({"url": "https://a.com/"}), true, false, "allow.default", "Action allowed by policy"),
        (|c| { c.network_allowlist = vec!["a.com".into()];
               c.approval_required = vec![ActionType::NetworkAccess]; },
            ActionType::NetworkAccess, json!({"url": "https://a.com/"}), true, true,
            "approval.required",
            "Action 'network_access' requires human approval (policy approval.required)"),
        (|_| {}, ActionType::DeleteFiles, json!({"path": "/tmp/x"}), true, false, "allow.default",
            "Action allowed by policy"),
        (|_| {}, ActionType::DeleteFiles, json!({"path": "/tmp/x", "recursive": true}), true, true,
            "approval.recursive_delete", "Recursive deletion requires human approval"),
        (|c| c.approve_recursive_delete = false, ActionType::DeleteFiles,
            json!({"path": "/tmp/x", "recursive": true}), true, false, "allow.default",
            "Action allowed by policy"),
        (|_| {}, ActionType::DeleteFiles, json!({"path": "/etc", "recursive": true}), false, false,
            "paths.system", "Deletion of '/etc' is denied: it is the system directory '/etc'"),
        (|c| c.protected_paths = vec!["/srv/data".into()], ActionType::DeleteFiles,
            json!({"paths": ["/tmp/a", "/srv/data/x"]}), false, false, "paths.protected",
            "Deletion of '/srv/data/x' is denied: it is inside the protected path '/srv/data'"),
        (|_| {}, ActionType::DeleteFiles, json!({"paths": ["build"], "cwd": "/home/al/p"}), true,
            false, "allow.default", "Action allowed by policy"),
        (|_| {}, ActionType::DeleteFiles, json!({"paths": [".."], "cwd": "/home/al/p"}), false,
            false, "paths.home", "Deletion of '..' (resolves to '/home/al') is denied: it is the home directory '/home/*'"),
    ];
    for (edit, action, ctx, allowed, approval, rule, reason) in cases {
        let d = gate_with(*edit).check_action(*action, ctx).unwrap();
        assert_eq!(
            (
                d.allowed,
                d.requires_approval,
                d.rule.as_str(),
                d.reason.as_str()
            ),
            (*allowed, *approval, *rule, *reason),
            "{action} {ctx}"
        );
    }
}

#[test]
fn request_error_table() {
    let g = gate();
    // (action name, context, error code, message fragment)
    let cases = [
        (
            "launch_missiles",
            json!({}),
            "unknown_action",
            "valid actions: execute_code",
        ),
        ("Deploy", json!({}), "unknown_action", "'Deploy'"),
        ("execute_code", json!({}), "missing_field", "'command'"),
        (
            "execute_code",
            json!({"command": null}),
            "missing_field",
            "'command'",
        ),
        (
            "execute_code",
            json!({"command": 42}),
            "invalid_field",
            "'command'",
        ),
        (
            "execute_code",
            json!({"command": ["rm", "-rf", "/"]}),
            "invalid_field",
            "got an array",
        ),
        (
            "execute_code",
            json!({"command": "  "}),
            "invalid_field",
            "must not be empty",
        ),
        (
            "execute_code",
            json!({"command": "ls", "cwd": 1}),
            "invalid_field",
            "'cwd'",
        ),
        (
            "execute_code",
            json!({"command": "ls", "query": {}}),
            "invalid_field",
            "'query'",
        ),
        (
            "execute_code",
            json!("rm -rf /"),
            "invalid_field",
            "must be a JSON object",
        ),
        ("execute_code", json!(null), "invalid_field", "got null"),
        ("network_access", json!({}), "missing_field", "'url'"),
        (
            "network_access",
            json!({"url": 1}),
            "invalid_field",
            "'url'",
        ),
        (
            "network_access",
            json!({"host": false}),
            "invalid_field",
            "'host'",
        ),
        (
            "network_access",
            json!({"host": "a.com", "port": 70000}),
            "invalid_field",
            "'port'",
        ),
        (
            "network_access",
            json!([1, 2]),
            "invalid_field",
            "got an array",
        ),
        ("delete_files", json!({}), "missing_field", "'paths'"),
        (
            "delete_files",
            json!({"paths": []}),
            "invalid_field",
            "at least one",
        ),
        (
            "delete_files",
            json!({"paths": "/tmp"}),
            "invalid_field",
            "'paths'",
        ),
        (
            "delete_files",
            json!({"paths": ["/tmp", 3]}),
            "invalid_field",
            "element 1",
        ),
        (
            "delete_files",
            json!({"path": ["/tmp"]}),
            "invalid_field",
            "'path'",
        ),
        (
            "delete_files",
            json!({"path": ""}),
            "invalid_field",
            "must not be empty",
        ),
        (
            "delete_files",
            json!({"path": "/tmp/x", "recursive": "yes"}),
            "invalid_field",
            "'recursive'",
        ),
        (
            "delete_files",
            json!({"path": "x", "cwd": "relative"}),
            "invalid_field",
            "'cwd'",
        ),
        ("deploy", json!(7), "invalid_field", "must be a JSON object"),
    ];
    for (action, ctx, code, fragment) in cases {
        let err = g.check(action, &ctx).unwrap_err();
        assert_eq!(
            crate::error::ErrorCode::from(&err).as_str(),
            code,
            "{action} {ctx}: {err}"
        );
        assert!(err.to_string().contains(fragment), "{action} {ctx}: {err}");
    }
}

#[test]
fn network_checks_both_url_and_host() {
    let g = gate();
    let cases = [
        (json!({"url": "https://api.openai.com/"}), true),
        (json!({"host": "api.openai.com", "port": 443}), true),
        (
            json!({"url": "https://api.openai.com/", "host": "evil.com"}),
            false,
        ),
        (
            json!({"url": "https://evil.com/", "host": "api.openai.com"}),
            false,
        ),
        (json!({"url": null, "host": "raw.github.com"}), true),
    ];
    for (ctx, allowed) in cases {
        let d = g.check_action(ActionType::NetworkAccess, &ctx).unwrap();
        assert_eq!(d.allowed, allowed, "{ctx}: {}", d.reason);
    }
    let d = PolicyGate::new(PolicyConfig::default())
        .unwrap()
        .check("network_access", &json!({"url": "https://example.com"}))
        .unwrap();
    assert!(
        !d.allowed && d.reason.contains("allowlist is empty"),
        "{}",
        d.reason
    );
}

#[test]
fn invalid_configs_are_rejected() {
    type Edit = fn(&mut PolicyConfig);
    let cases: &[(Edit, &str)] = &[
        (
            |c| c.network_allowlist = vec!["*".into()],
            "network.allowlist",
        ),
        (
            |c| c.extra_destructive_patterns = vec!["(".into()],
            "shell.extra_destructive_patterns[0]",
        ),
        (
            |c| c.protected_paths = vec!["rel".into()],
            "paths.protected",
        ),
    ];
    for (edit, needle) in cases {
        let mut cfg = PolicyConfig::default();
        edit(&mut cfg);
        let err = PolicyGate::new(cfg).unwrap_err();
        assert_eq!(
            crate::error::ErrorCode::from(&err).as_str(),
            "invalid_policy"
        );
        assert!(err.to_string().contains(needle), "{err}");
    }
}

#[test]
fn decision_serialises_for_the_api() {
    let d = gate()
        .check_action(ActionType::ExecuteCode, &json!({"command": "ls"}))
        .unwrap();
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(
        v,
        json!({"allowed": true, "reason": "Action allowed by policy", "requires_approval": false,
               "rule": "allow.default", "risk": "low", "category": null, "findings": []})
    );
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::hash_map("[a-z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Strings biased towards URL/path syntax.
fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9:/@.%\\[\\]~$*?#\\\\ -]{0,40}",
        "(https?|file|gopher)://[a-z0-9.:@\\[\\]%-]{0,30}(/[a-z.]{0,10})?",
        "(/|~/|\\$HOME/|\\.\\./)?([a-z.]{1,6}/){0,4}[a-z.*]{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn string_fields_never_panic(text in arb_text(), recursive in any::<bool>()) {
        let g = gate_with(|c| {
            c.network_allowlist = vec!["*.example.com".into(), "127.0.0.1".into()];
            c.protected_paths = vec!["/srv/data".into()];
            c.enable_deployments = true;
        });
        let contexts = [
            (ActionType::NetworkAccess, json!({"url": text})),
            (ActionType::NetworkAccess, json!({"host": text})),
            (ActionType::NetworkAccess, json!({"host": "a.example.com", "port": text})),
            (ActionType::DeleteFiles, json!({"path": text, "recursive": recursive})),
            (ActionType::DeleteFiles, json!({"paths": [text], "cwd": text})),
            (ActionType::ExecuteCode, json!({"command": text, "cwd": text, "query": text})),
            (ActionType::Deploy, json!({"target": text})),
        ];
        for (action, ctx) in contexts {
            if let Ok(d) = g.check_action(action, &ctx) {
                prop_assert!(!d.reason.is_empty());
                prop_assert!(d.allowed || !d.requires_approval);
            }
        }
        let _ = g.check(&text, &json!({}));
    }

    #[test]
    fn arbitrary_contexts_never_panic(ctx in arb_json()) {
        let g = gate();
        for action in ActionType::ALL {
            let _ = g.check_action(action, &ctx);
        }
    }

    #[test]
    fn policy_files_never_panic(text in any::<String>()) {
        let mut c = PolicyConfig::default();
        let _ = c.apply_file(&text);
    }
}
