//! Rego policy plugins through the REST surface: the example plugins deny with
//! `category: plugin`, ask, and a bad plugin keeps warden from starting.

mod support;

use std::path::PathBuf;

use serde_json::{json, Value};
use support::nats::NatsServer;
use support::warden::WardenProcess;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/policies")
}

async fn check(warden: &WardenProcess, action: &str, context: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}/api/v1/safety/check", warden.base_url()))
        .json(&json!({"action": action, "context": context}))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_plugins_decide_through_rest() {
    let nats = NatsServer::start();
    let plugins = examples();
    let warden = WardenProcess::start(&[
        ("NATS_URL", &nats.url()),
        ("WARDEN_STORE", "memory"),
        ("ENABLE_BILLING", "true"),
        (
            "WARDEN_POLICY_PLUGINS",
            plugins.to_str().expect("utf8 path"),
        ),
    ]);

    // Per-agent allowlist, seen through sudo and bash -c.
    let denied = check(
        &warden,
        "execute_code",
        json!({"command": "git status && sudo bash -c 'curl -s https://example.org'", "agent": "docs-bot"}),
    )
    .await;
    assert_eq!(denied["allowed"], false, "{denied}");
    assert_eq!(denied["category"], "plugin", "{denied}");
    assert_eq!(
        denied["rule"], "plugin.warden.agent_allowlist.program_not_allowed",
        "{denied}"
    );
    assert!(denied["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f.as_str().is_some_and(|f| f.contains("may not run curl"))));

    // The same command from an agent not listed stays as the built-in gate says.
    let other = check(
        &warden,
        "execute_code",
        json!({"command": "git status", "agent": "build-bot"}),
    )
    .await;
    assert_eq!(other["allowed"], true, "{other}");
    assert_eq!(other["requires_approval"], false, "{other}");

    // Labels: an untrusted run gets no network.
    let net = check(
        &warden,
        "network_access",
        json!({"url": "https://example.org/", "labels": ["untrusted"]}),
    )
    .await;
    assert_eq!(net["allowed"], false, "{net}");

    // Billing over the ceiling is denied by the plugin.
    let bill = check(&warden, "create_billing", json!({"amount": 5000})).await;
    assert_eq!(bill["allowed"], false, "{bill}");
    assert_eq!(
        bill["rule"], "plugin.warden.billing_limit.amount_over_limit",
        "{bill}"
    );
}

#[test]
fn a_bad_plugin_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("broken.rego"),
        "package warden\n\ndeny contains x if {\n",
    )
    .expect("write");
    let plugins = dir.path().to_str().expect("utf8");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["policy", "test", plugins])
        .output()
        .expect("run warden");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.rego:4:"), "{stderr}");

    // The server does not start with it either.
    let nats = NatsServer::start();
    let port = support::free_port().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["serve", "--store", "memory"])
        .env("WARDEN_POLICY_PLUGINS", plugins)
        .env("WARDEN_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("NATS_URL", nats.url())
        .output()
        .expect("run warden");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.rego:4:"), "{stderr}");
}

#[test]
fn policy_test_runs_the_example_tests() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["policy", "test", examples().to_str().expect("utf8")])
        .output()
        .expect("run warden");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("PASS data.warden.business_hours_test.test_weekend_deploy_is_denied"),
        "{stdout}"
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_reload_on_change_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plugin = dir.path().join("tf.rego");
    let deny_terraform = "package warden.tf\n\ndeny contains {\"rule\": \"tf\", \"reason\": \"no terraform\"} if {\n  some c in input.analysis.commands\n  c.program == \"terraform\"\n}\n";
    std::fs::write(
        &plugin,
        deny_terraform.replace("terraform\"\n}", "tofu\"\n}"),
    )
    .expect("write");
    let nats = NatsServer::start();
    let warden = WardenProcess::start(&[
        ("NATS_URL", &nats.url()),
        ("WARDEN_STORE", "memory"),
        ("WARDEN_POLICY_PLUGINS", dir.path().to_str().expect("utf8")),
    ]);
    let terraform = || json!({"command": "terraform plan"});
    assert_eq!(
        check(&warden, "execute_code", terraform()).await["allowed"],
        true
    );

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    std::fs::write(&plugin, deny_terraform).expect("write");
    let mut denied = false;
    for _ in 0..100 {
        let d = check(&warden, "execute_code", terraform()).await;
        if d["allowed"] == false {
            assert_eq!(d["rule"], "plugin.warden.tf.tf", "{d}");
            denied = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(denied, "the changed plugin was never applied");

    // A broken file is refused; the plugins in force keep serving.
    std::fs::write(
        dir.path().join("broken.rego"),
        "package warden\n\ndeny contains x if {\n",
    )
    .expect("write");
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        check(&warden, "execute_code", terraform()).await["allowed"],
        false
    );
    let metrics = warden.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|l| l.contains("policy_reloads") && l.contains("rejected") && !l.ends_with(" 0")),
        "a rejected reload is counted"
    );
}
