//! Tests for policy defaults and policy-file parsing.

use super::*;

#[test]
fn defaults_match_documented_env_defaults() {
    let c = PolicyConfig::default();
    let toggles: Vec<bool> = ActionType::ALL.iter().map(|a| c.toggle(*a).0).collect();
    // execute_code, deploy, create_billing, delete_files, network_access, write_file
    assert_eq!(toggles, [true, false, false, true, true, true]);
    assert_eq!(
        c.approval_required,
        [ActionType::Deploy, ActionType::CreateBilling]
    );
    assert!(c.approve_recursive_delete);
    assert_eq!(
        c.protected_branches,
        ["main", "master", "production", "release"]
    );
    assert!(c.network_allowlist.is_empty());
    assert!(c.validate().is_ok());
}

#[test]
fn good_file_merges_over_settings() {
    let mut c = PolicyConfig {
        network_allowlist: vec!["from-env.example".into()],
        ..PolicyConfig::default()
    };
    let text = r#"
        [actions]
        deployments = true
        code_execution = false
        [network]
        allowlist = ["api.openai.com", "*.github.com"]
        [shell]
        extra_destructive_patterns = ['\bpkill\s+-9\s+-1\b']
        protected_branches = ["main", "release/*"]
        [paths]
        protected = ["/srv/data"]
        [approval]
        required = ["deploy", "create_billing", "delete_files"]
        recursive_delete = false
    "#;
    c.apply_file(text).unwrap();
    assert!(c.enable_deployments && !c.enable_code_execution);
    assert!(!c.enable_billing && c.enable_network_access && c.enable_file_deletion);
    assert_eq!(c.network_allowlist, ["api.openai.com", "*.github.com"]);
    assert_eq!(c.extra_destructive_patterns, [r"\bpkill\s+-9\s+-1\b"]);
    assert_eq!(c.protected_branches, ["main", "release/*"]);
    assert_eq!(c.protected_paths, ["/srv/data"]);
    assert_eq!(
        c.approval_required,
        [
            ActionType::Deploy,
            ActionType::CreateBilling,
            ActionType::DeleteFiles
        ]
    );
    assert!(!c.approve_recursive_delete);
}

#[test]
fn empty_and_partial_files_keep_other_settings() {
    for text in ["", "[actions]", "[network]\n", "# only a comment\n"] {
        let mut c = PolicyConfig::default();
        c.apply_file(text).unwrap();
        assert_eq!(c, PolicyConfig::default(), "{text:?}");
    }
    let mut c = PolicyConfig::default();
    c.apply_file("[approval]\nrequired = []").unwrap();
    assert!(c.approval_required.is_empty());
    assert!(c.enable_file_deletion);
}

#[test]
fn example_file_is_valid() {
    let mut c = PolicyConfig::default();
    c.apply_file(include_str!("../../policy.example.toml"))
        .unwrap();
    assert!(!c.network_allowlist.is_empty());
    assert_eq!(c.shell_egress, super::ShellEgress::Approval);
}

#[test]
fn shell_egress_is_read_and_checked() {
    let mut c = PolicyConfig::default();
    c.apply_file("[network]\nshell_egress = \"deny\"").unwrap();
    assert_eq!(c.shell_egress, super::ShellEgress::Deny);
    let err = c
        .apply_file("[network]\nshell_egress = \"sometimes\"")
        .unwrap_err();
    assert!(err.to_string().contains("shell_egress"), "{err}");
    assert_eq!(c.shell_egress, super::ShellEgress::Deny);
}

#[test]
fn bad_files_name_the_problem_and_leave_config_unchanged() {
    // (file text, substring the error must contain)
    let cases = [
        ("[actions]\ndeploymnets = true", "deploymnets"),
        ("[netwrok]\nallowlist = []", "netwrok"),
        ("[network]\nallowlist = []\nextra = 1", "extra"),
        ("top_level = 1", "top_level"),
        ("[actions]\ndeployments = \"yes\"", "deployments"),
        ("[network]\nallowlist = \"api.openai.com\"", "allowlist"),
        (
            "[shell]\nextra_destructive_patterns = ['(unclosed']",
            "shell.extra_destructive_patterns[0]",
        ),
        (
            "[shell]\nextra_destructive_patterns = ['ok', '[z-a]']",
            "shell.extra_destructive_patterns[1]",
        ),
        (
            "[shell]\nprotected_branches = ['']",
            "shell.protected_branches[0]",
        ),
        (
            "[approval]\nrequired = ['deploy', 'launch_missiles']",
            "approval.required[1]",
        ),
        (
            "[approval]\nrequired = ['deploy', 'launch_missiles']",
            "launch_missiles",
        ),
        (
            "[network]\nallowlist = ['ok.com', 'https://x.com/']",
            "network.allowlist",
        ),
        ("[network]\nallowlist = ['*']", "entry 0"),
        ("[paths]\nprotected = ['relative/dir']", "paths.protected"),
        ("[actions\n", "TOML"),
    ];
    for (text, needle) in cases {
        let mut c = PolicyConfig::default();
        let err = c.apply_file(text).unwrap_err();
        assert_eq!(
            crate::error::ErrorCode::from(&err).as_str(),
            "invalid_policy",
            "{text}"
        );
        let msg = err.to_string();
        assert!(msg.contains(needle), "{text:?}: {msg}");
        assert_eq!(c, PolicyConfig::default(), "{text:?} mutated config");
    }
}

#[test]
fn hooks_section_lists_tools_and_rejects_unknown_keys_and_empty_names() {
    let mut c = PolicyConfig::default();
    c.apply_file(
        r#"
        [actions]
        file_writes = false
        [hooks]
        deny_tools = ["mcp__github__delete_repository"]
        ask_tools = ["mcp__slack__post_message", "WebSearch"]
        "#,
    )
    .unwrap();
    assert!(!c.enable_file_writes);
    assert_eq!(c.hook_deny_tools, ["mcp__github__delete_repository"]);
    assert_eq!(c.hook_ask_tools.len(), 2);
    for bad in [
        "[hooks]\nallow_tools = [\"x\"]",
        "[hooks]\ndeny_tools = [\" \"]",
    ] {
        let before = c.clone();
        let err = c.apply_file(bad).unwrap_err().to_string();
        assert!(err.contains("tools"), "{err}");
        assert_eq!(c, before);
    }
}

#[test]
fn plugins_section_is_read() {
    let mut c = PolicyConfig::default();
    c.apply_file(
        "[plugins]\npaths = [\"p\"]\nplugin_failure = \"ignore\"\nallow_overrides = true\noverride_rules = [\"network.not_allowlisted\"]",
    )
    .unwrap();
    assert_eq!(c.plugins.paths, [std::path::PathBuf::from("p")]);
    assert_eq!(
        c.plugins.failure,
        crate::policy::plugins::PluginFailure::Ignore
    );
    assert!(c.plugins.allow_overrides);
    assert!(c
        .apply_file("[plugins]\nplugin_failure = \"sometimes\"")
        .is_err());
}

#[test]
fn a_toml_error_names_the_place_but_never_quotes_the_line() {
    let secret = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    let text = format!("[actions]\n# key {secret}\ndeployments = \"{secret}\n");
    let err = PolicyConfig::default().apply_file(&text).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("line 3"), "{msg}");
    assert!(!msg.contains(secret), "{msg}");
}
