//! The policy file is reloaded on change and on SIGHUP; a bad file is refused
//! and the previous policy keeps serving.

mod support;

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::nats::NatsServer;
use support::warden::WardenProcess;

async fn allowed(warden: &WardenProcess, url: &str) -> bool {
    let body = format!(r#"{{"action": "network_access", "context": {{"url": "{url}"}}}}"#);
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/safety/check", warden.base_url()))
        .body(body)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    answer["allowed"].as_bool().expect("a decision")
}

/// Polls until the decision for `url` is `want` (reloads are asynchronous).
async fn wait_until(warden: &WardenProcess, url: &str, want: bool) {
    for _ in 0..100 {
        if allowed(warden, url).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} never became allowed={want}");
}

fn write_policy(path: &std::path::Path, hosts: &str) {
    let text = format!("[network]\nallowlist = [{hosts}]\n");
    std::fs::write(path, text).expect("write policy file");
}

/// A warden whose policy file (in the returned temp dir) allowlists `hosts`.
fn start_with_policy(hosts: &str) -> (tempfile::TempDir, NatsServer, WardenProcess) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("policy.toml");
    write_policy(&path, hosts);
    let nats = NatsServer::start();
    let warden = WardenProcess::start(&[
        ("NATS_URL", &nats.url()),
        ("WARDEN_STORE", "memory"),
        ("WARDEN_POLICY_FILE", path.to_str().expect("utf8 path")),
    ]);
    (dir, nats, warden)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_changes_apply_and_bad_files_are_refused() {
    let (dir, _nats, warden) = start_with_policy(r#""api.openai.com""#);
    let path = dir.path().join("policy.toml");
    assert!(allowed(&warden, "https://api.openai.com/v1").await);
    assert!(!allowed(&warden, "https://example.org/").await);

    // mtime granularity: make sure the rewrite is seen as a change.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    write_policy(&path, r#""api.openai.com", "example.org""#);
    wait_until(&warden, "https://example.org/", true).await;

    tokio::time::sleep(Duration::from_millis(1100)).await;
    std::fs::write(&path, "[network]\nallowlist = [\"*\"]\nunknown_key = 1\n").expect("write");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        allowed(&warden, "https://example.org/").await,
        "old policy still serving"
    );
    assert!(
        !allowed(&warden, "https://evil.test/").await,
        "bad file not applied"
    );

    let metrics = warden.metrics().await;
    assert!(
        metrics.contains(r#"warden_policy_reloads_total{outcome="rejected"}"#),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_file() {
    let (dir, _nats, warden) = start_with_policy(r#""api.openai.com""#);
    let path = dir.path().join("policy.toml");
    assert!(!allowed(&warden, "https://example.net/").await);
    // Rewrite and keep the old mtime so only SIGHUP can trigger the reload.
    let before = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    write_policy(&path, r#""example.net""#);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(before))
        .expect("restore mtime");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !allowed(&warden, "https://example.net/").await,
        "no reload without a signal"
    );
    let status = Command::new("kill")
        .args(["-HUP", &warden.pid().to_string()])
        .status()
        .expect("kill -HUP");
    assert!(status.success());
    wait_until(&warden, "https://example.net/", true).await;
}
