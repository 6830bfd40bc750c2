//! Plugin loading, refusal, evaluation, fail-closed combination and the gate's `check_on`.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;

use super::combine::{combine, PLUGIN_ERROR_RULE};
use super::*;
use crate::policy::{Category, Decision, PolicyConfig, PolicyGate, Risk};

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

fn load(dir: &tempfile::TempDir) -> Result<PluginSet, String> {
    PluginSet::load(&[dir.path().to_path_buf()])
}

const TERRAFORM: &str = r#"package warden

deny contains {"rule": "no_terraform_apply", "reason": "terraform apply is for CI only"} if {
    some c in input.analysis.commands
    c.program == "terraform"
    c.args[0] == "apply"
}

ask contains {"rule": "kubectl", "reason": "kubectl needs a human"} if {
    some c in input.analysis.commands
    c.program == "kubectl"
}
"#;

fn gate_with(dir: &tempfile::TempDir, cfg: PolicyConfig) -> PolicyGate {
    let plugins = load(dir).expect("plugins load");
    PolicyGate::new(cfg)
        .expect("gate")
        .with_plugins(Arc::new(plugins))
}

#[test]
fn loads_rego_and_data_with_hashes() {
    let dir = dir_with(&[
        ("a.rego", TERRAFORM),
        ("data.json", r#"{"allowed": {"bot": ["ls"]}}"#),
        ("README.md", "ignored"),
    ]);
    let set = load(&dir).expect("load");
    assert_eq!(set.files().len(), 2);
    assert!(set.files().iter().all(|f| f.sha256.starts_with("sha256:")));
    assert_eq!(set.packages, ["warden"]);
}

#[test]
fn a_syntax_error_is_refused_naming_file_and_line() {
    let dir = dir_with(&[(
        "bad.rego",
        "package warden\n\ndeny contains x if {\n  x := \n}\n",
    )]);
    let err = load(&dir).expect_err("refused");
    assert!(err.contains("bad.rego"), "{err}");
    assert!(err.contains(":4:") || err.contains(":5:"), "{err}");
    assert!(!err.contains('\n'));
}

#[test]
fn bad_json_data_is_refused_naming_the_file() {
    let dir = dir_with(&[("a.rego", TERRAFORM), ("d.json", "{\n\"x\": }")]);
    let err = load(&dir).expect_err("refused");
    assert!(err.contains("d.json"), "{err}");
}

#[test]
fn a_foreign_package_is_refused() {
    let dir = dir_with(&[("a.rego", "package other\n\ndeny := true\n")]);
    let err = load(&dir).expect_err("refused");
    assert!(err.contains("package 'other'"), "{err}");
}

#[test]
fn evaluates_deny_and_ask_with_prefixed_rule_ids() {
    let dir = dir_with(&[("a.rego", TERRAFORM)]);
    let set = load(&dir).expect("load");
    let input = json!({"analysis": {"commands": [
        {"program": "terraform", "args": ["apply", "-auto-approve"]},
        {"program": "kubectl", "args": ["get", "pods"]}
    ]}});
    let v = set.evaluate(&input);
    assert_eq!(v.error, None);
    assert_eq!(v.deny.len(), 1);
    assert_eq!(v.deny[0].rule, "plugin.warden.no_terraform_apply");
    assert_eq!(v.ask[0].rule, "plugin.warden.kubectl");
}

#[test]
fn large_numbers_in_the_input_survive() {
    let dir = dir_with(&[(
        "b.rego",
        "package warden.billing\n\ndeny contains {\"rule\": \"max\", \"reason\": \"too much\"} if input.context.amount > 1000\n",
    )]);
    let set = load(&dir).expect("load");
    let v = set.evaluate(&json!({"context": {"amount": 1500.25}}));
    assert_eq!(v.error, None);
    assert_eq!(v.deny[0].rule, "plugin.warden.billing.max");
    let v = set.evaluate(&json!({"context": {"amount": 10}}));
    assert!(v.deny.is_empty());
}

#[test]
fn a_runtime_error_fails_closed_unless_ignored() {
    // Two values for one complete rule: a conflict only at evaluation time.
    let dir = dir_with(&[(
        "c.rego",
        "package warden\n\nx := input.a\nx := input.b\n\ndeny contains {\"rule\": \"x\", \"reason\": \"r\"} if x\n",
    )]);
    let set = load(&dir).expect("load (input-dependent conflict)");
    let verdict = set.evaluate(&json!({"a": 1, "b": 2}));
    assert!(verdict.error.is_some(), "{verdict:?}");
    let builtin = Decision::allow(Risk::Low);
    let denied = combine(builtin.clone(), verdict.clone(), &PluginsConfig::default());
    assert!(!denied.allowed);
    assert_eq!(denied.rule, PLUGIN_ERROR_RULE);
    assert_eq!(denied.category, Some(Category::Plugin));
    let ignored = PluginsConfig {
        failure: PluginFailure::Ignore,
        ..PluginsConfig::default()
    };
    assert_eq!(combine(builtin.clone(), verdict, &ignored), builtin);
}

#[test]
fn a_malformed_deny_element_is_an_error() {
    let dir = dir_with(&[(
        "m.rego",
        "package warden\n\ndeny contains \"just a string\" if input.x\n",
    )]);
    let set = load(&dir).expect("load");
    assert!(set.evaluate(&json!({"x": true})).error.is_some());
}

fn hit(rule: &str) -> PluginHit {
    PluginHit {
        rule: rule.to_string(),
        reason: format!("because {rule}"),
    }
}

#[test]
fn combination_deny_then_ask_then_allow() {
    let cfg = PluginsConfig::default();
    let allow = Decision::allow(Risk::Low);
    let verdict = PluginVerdict {
        deny: vec![hit("plugin.warden.a"), hit("plugin.warden.b")],
        ask: vec![hit("plugin.warden.c")],
        ..PluginVerdict::default()
    };
    let d = combine(allow.clone(), verdict, &cfg);
    assert!(!d.allowed);
    assert_eq!(d.rule, "plugin.warden.a");
    assert_eq!(d.category, Some(Category::Plugin));
    assert_eq!(d.findings.len(), 2);
    let ask = PluginVerdict {
        ask: vec![hit("plugin.warden.c")],
        ..PluginVerdict::default()
    };
    let d = combine(allow.clone(), ask, &cfg);
    assert!(d.allowed && d.requires_approval);
    assert_eq!(d.rule, "plugin.warden.c");
    assert_eq!(
        combine(allow.clone(), PluginVerdict::default(), &cfg),
        allow
    );
    // A built-in denial keeps its rule; plugin denials join the findings.
    let builtin = Decision::deny("shell.rm_root", Risk::Critical, "no");
    let d = combine(
        builtin,
        PluginVerdict {
            deny: vec![hit("plugin.warden.a")],
            ..PluginVerdict::default()
        },
        &cfg,
    );
    assert_eq!(d.rule, "shell.rm_root");
    assert!(d.findings.iter().any(|f| f.starts_with("plugin.warden.a")));
}

#[test]
fn overrides_need_the_policy_flag_and_a_listed_rule() {
    let builtin = Decision::deny("network.not_allowlisted", Risk::High, "no");
    let verdict = PluginVerdict {
        allow_override: vec![hit("network.not_allowlisted")],
        ..PluginVerdict::default()
    };
    let off = PluginsConfig::default();
    assert!(!combine(builtin.clone(), verdict.clone(), &off).allowed);
    let unlisted = PluginsConfig {
        allow_overrides: true,
        ..PluginsConfig::default()
    };
    assert!(!combine(builtin.clone(), verdict.clone(), &unlisted).allowed);
    let on = PluginsConfig {
        allow_overrides: true,
        override_rules: vec!["network.not_allowlisted".to_string()],
        ..PluginsConfig::default()
    };
    let d = combine(builtin, verdict, &on);
    assert!(d.is_unconditional_allow());
    assert!(d.findings.iter().any(|f| f.starts_with("plugin.override")));
}

#[test]
fn the_gate_feeds_unwrapped_commands_to_plugins() {
    let dir = dir_with(&[("a.rego", TERRAFORM)]);
    let gate = gate_with(&dir, PolicyConfig::default());
    let d = gate
        .check_on(
            "execute_code",
            &json!({"command": "cd infra && sudo env TF_LOG=1 terraform apply -auto-approve"}),
            "rest",
        )
        .expect("decision");
    assert!(!d.allowed, "{d:?}");
    assert_eq!(d.rule, "plugin.warden.no_terraform_apply");
    assert_eq!(d.category, Some(Category::Plugin));
    let d = gate
        .check_on(
            "execute_code",
            &json!({"command": "bash -c 'kubectl get pods'"}),
            "rest",
        )
        .expect("decision");
    assert!(d.requires_approval, "{d:?}");
    let d = gate
        .check_on(
            "execute_code",
            &json!({"command": "terraform plan"}),
            "rest",
        )
        .expect("decision");
    assert!(d.is_unconditional_allow(), "{d:?}");
}

#[test]
fn a_timeout_is_contained() {
    // Nine million comprehension steps run past the budget. (The budget is
    // cooperative: it is checked between evaluation steps, not inside one
    // builtin call such as a single huge numbers.range.)
    let dir = dir_with(&[(
        "slow.rego",
        "package warden\n\ndeny contains {\"rule\": \"slow\", \"reason\": \"r\"} if {\n  input.slow\n  count([x | some x in numbers.range(1, 3000); some y in numbers.range(1, 3000); x == y + 5000]) > 0\n}\n",
    )]);
    let set = load(&dir).expect("load");
    let started = std::time::Instant::now();
    let v = set.evaluate(&json!({"slow": true}));
    let error = v.error.expect("timed out");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{error}"
    );
    // The set keeps serving afterwards.
    assert_eq!(set.evaluate(&json!({"slow": false})).error, None);
}

#[test]
fn test_rules_are_found_and_run() {
    let dir = dir_with(&[
        ("a.rego", TERRAFORM),
        (
            "a_test.rego",
            "package warden_test\n\nimport data.warden\n\ntest_denies_apply if {\n  count(warden.deny) == 1 with input as {\"analysis\": {\"commands\": [{\"program\": \"terraform\", \"args\": [\"apply\"]}]}}\n}\n\ntest_fails if {\n  count(warden.deny) == 1 with input as {}\n}\n",
        ),
    ]);
    assert!(load(&dir).expect("serving set").tests().is_empty());
    let set = PluginSet::load_with_tests(&[PathBuf::from(dir.path())]).expect("load");
    assert_eq!(set.tests().len(), 2, "{:?}", set.tests());
    assert_eq!(set.run_test("data.warden_test.test_denies_apply"), Ok(true));
    assert_ne!(set.run_test("data.warden_test.test_fails"), Ok(true));
}

#[test]
fn the_input_matches_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../schemas/plugin-input.json")).expect("schema");
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    let gate = PolicyGate::new(PolicyConfig::default()).expect("gate");
    let context = json!({"command": "sudo rm -rf / && echo $(whoami)", "agent": "a", "labels": ["x"], "run_id": "r1"});
    let builtin = gate.check("execute_code", &context).expect("decision");
    let (_, commands) = crate::policy::shell::analyze_command_collect(
        "sudo rm -rf / && echo $(whoami)",
        &crate::policy::shell::ShellOptions::default(),
        None,
    );
    assert!(
        commands
            .iter()
            .any(|c| c.program == "whoami" && c.depth == 1),
        "{commands:?}"
    );
    assert!(
        commands
            .iter()
            .any(|c| c.program == "rm" && c.wrappers == ["sudo"]),
        "{commands:?}"
    );
    let doc = input::build(
        "execute_code",
        &context,
        "rest",
        &builtin,
        &commands,
        time::OffsetDateTime::now_utc(),
    );
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{doc}");
    assert_eq!(doc["agent"], "a");
    assert_eq!(doc["decision"]["allowed"], false);
}
