use crate::policy::{Category, Decision, PolicyConfig, PolicyGate};
use serde_json::json;

const CWD: &str = "/home/dev/project";

fn gate() -> PolicyGate {
    PolicyGate::new(PolicyConfig {
        protected_paths: vec!["/srv/data".into()],
        ..PolicyConfig::default()
    })
    .expect("policy builds")
    .protect_own_files(&[
        "/etc/warden/policy.toml".into(),
        "/home/dev/warden/tokens".into(),
    ])
    .recognise_env_secrets(
        vec![(
            "DATABASE_URL".into(),
            "postgres://app:s3cr3t-pw@db/app".into(),
        )],
        vec!["DATABASE_URL".into()],
    )
}

fn write(path: &str, content: Option<&str>) -> Decision {
    let mut ctx = json!({"path": path, "cwd": CWD});
    if let Some(c) = content {
        ctx["content"] = c.into();
    }
    gate()
        .check("write_file", &ctx)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn verdict(d: &Decision) -> &'static str {
    match (d.allowed, d.requires_approval) {
        (false, _) => "deny",
        (true, true) => "ask",
        (true, false) => "allow",
    }
}

#[test]
fn protected_targets_table() {
    let cases = [
        ("/etc/passwd", "deny", "write.system_path"),
        ("/usr/local/bin/ls", "deny", "write.system_path"),
        ("../../../../etc/cron.d/job", "deny", "write.system_path"),
        ("/dev/sda", "deny", "write.device"),
        ("~/.ssh/authorized_keys", "deny", "write.credential_store"),
        (
            "/home/dev/.aws/credentials",
            "deny",
            "write.credential_store",
        ),
        ("/srv/data/db.sqlite", "deny", "write.protected_path"),
        ("/etc/warden/policy.toml", "deny", "write.system_path"),
        ("../warden/tokens", "deny", "write.warden_policy"),
        (".git/config", "deny", "write.git_internals"),
        (".git/hooks/pre-commit", "deny", "write.git_internals"),
        ("sub/module/.git/HEAD", "deny", "write.git_internals"),
        (".claude/settings.json", "ask", "write.agent_settings"),
        (
            "/home/dev/.claude/settings.local.json",
            "ask",
            "write.agent_settings",
        ),
        (".env", "ask", "write.credential_file"),
        ("config/.env.production", "ask", "write.credential_file"),
        ("~/.npmrc", "ask", "write.credential_file"),
        ("certs/server.key", "ask", "write.credential_file"),
    ];
    for (path, want, rule) in cases {
        let d = write(path, Some("x = 1\n"));
        assert_eq!(
            (verdict(&d), d.rule.as_str()),
            (want, rule),
            "{path}: {d:?}"
        );
        assert!(d.category.is_some(), "{path}: a category");
    }
}

#[test]
fn ordinary_targets_are_allowed_near_misses_included() {
    for path in [
        "src/main.rs",
        "/home/dev/project/README.md",
        "/tmp/scratch.txt",
        ".env.example",
        ".gitignore",
        ".github/workflows/ci.yml",
        "docs/.git-notes.md",
        "~/.ssh.md",
        "claude/settings.json",
        ".claude/commands/review.md",
        "policy.toml",
        "~/.bashrc",
    ] {
        let d = write(path, Some("fn main() {}\n"));
        assert_eq!(verdict(&d), "allow", "{path}: {d:?}");
    }
}

#[test]
fn a_live_secret_in_content_asks_and_names_only_the_kind() {
    let key = "sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH";
    let content = format!("OPENAI_API_KEY={key}\nDB=postgres://app:s3cr3t-pw@db/app\n");
    let d = write("src/config.py", Some(&content));
    assert_eq!(verdict(&d), "ask");
    assert_eq!(d.rule, "write.secret_in_content");
    assert_eq!(d.category, Some(Category::CredentialAccess));
    let shown = format!("{} {:?}", d.reason, d.findings);
    assert!(
        !shown.contains(key) && !shown.contains("s3cr3t-pw"),
        "{shown}"
    );
    assert!(d.reason.contains("OPENAI_API_KEY"), "{}", d.reason);
    assert!(
        d.findings.iter().any(|f| f.contains("DATABASE_URL")),
        "{:?}",
        d.findings
    );
}

#[test]
fn placeholders_and_plain_code_are_not_secrets() {
    for content in [
        "api_key = os.environ[\"OPENAI_API_KEY\"]\n",
        "password = \"\"\n",
        "const TOKEN_HEADER = \"Authorization\";\n",
    ] {
        let d = write("src/app.py", Some(content));
        assert_eq!(verdict(&d), "allow", "{content:?}: {d:?}");
    }
}

#[test]
fn a_denied_path_stays_denied_whatever_the_content() {
    let d = write(
        "/etc/profile.d/x.sh",
        Some("ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"),
    );
    assert_eq!(verdict(&d), "deny");
}

#[test]
fn an_asked_path_with_a_secret_lists_both() {
    let d = write(
        ".env",
        Some("GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n"),
    );
    assert_eq!(d.rule, "write.credential_file");
    assert!(
        d.findings
            .iter()
            .any(|f| f.starts_with("secret in content")),
        "{:?}",
        d.findings
    );
}

#[test]
fn unresolvable_relative_paths_ask() {
    let d = gate()
        .check("write_file", &json!({"path": "../../x"}))
        .expect("decides");
    assert_eq!(
        (verdict(&d), d.rule.as_str()),
        ("ask", "write.path_unresolved")
    );
}

#[test]
fn malformed_contexts_are_errors_not_decisions() {
    let g = gate();
    let cases = [
        (json!({}), "missing_field"),
        (json!({"path": ""}), "invalid_field"),
        (json!({"path": 3}), "invalid_field"),
        (json!({"path": "a\u{0}b"}), "invalid_field"),
        (json!({"path": "x", "content": 1}), "invalid_field"),
        (json!({"path": "x", "cwd": "rel"}), "invalid_field"),
    ];
    for (ctx, code) in cases {
        let err = g.check("write_file", &ctx).expect_err("an error");
        assert_eq!(crate::error::ErrorCode::from(&err).as_str(), code, "{ctx}");
    }
}

#[test]
fn disabled_writes_are_denied_and_approval_required_applies() {
    let off = PolicyGate::new(PolicyConfig {
        enable_file_writes: false,
        ..PolicyConfig::default()
    })
    .expect("policy builds");
    let d = off
        .check("write_file", &json!({"path": "a.txt"}))
        .expect("decides");
    assert_eq!(verdict(&d), "deny");
    assert!(d.reason.contains("ENABLE_FILE_WRITES"), "{}", d.reason);

    let ask = PolicyGate::new(PolicyConfig {
        approval_required: vec![crate::policy::ActionType::WriteFile],
        ..PolicyConfig::default()
    })
    .expect("policy builds");
    let d = ask
        .check("write_file", &json!({"path": "a.txt"}))
        .expect("decides");
    assert_eq!(verdict(&d), "ask");
}

#[test]
fn without_env_secrets_the_built_in_rules_still_apply() {
    let plain = PolicyGate::new(PolicyConfig::default()).expect("policy builds");
    let d = plain
        .check(
            "write_file",
            &json!({"path": "k.txt", "content": "AKIAIOSFODNN7EXAMPLE"}),
        )
        .expect("decides");
    assert_eq!(verdict(&d), "ask", "{d:?}");
}
