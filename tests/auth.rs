//! Access control over REST: tokens, roles, protected mode, admin endpoints,
//! and start-up refusals for bad configuration.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use support::nats::NatsServer;
use support::warden::WardenProcess;

const AGENT: &str = "agent-token-for-tests-0001";
const ADMIN: &str = "admin-token-for-tests-0001";

fn start(nats: &NatsServer) -> WardenProcess {
    WardenProcess::start(&[
        ("NATS_URL", &nats.url()),
        ("WARDEN_STORE", "memory"),
        ("WARDEN_API_TOKENS", AGENT),
        ("WARDEN_ADMIN_TOKENS", ADMIN),
    ])
}

async fn call(
    warden: &WardenProcess,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", warden.base_url()))
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_roles_gate_every_route() {
    let nats = NatsServer::start();
    let warden = start(&nats);
    let check = r#"{"action": "execute_code", "context": {"command": "ls"}}"#;
    let post = reqwest::Method::POST;

    let (status, body) = call(&warden, post.clone(), "/api/v1/safety/check", None, check).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = call(
        &warden,
        post.clone(),
        "/api/v1/safety/check",
        Some("wrong-token-000000000000"),
        check,
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = call(
        &warden,
        post.clone(),
        "/api/v1/safety/check",
        Some(AGENT),
        check,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &warden,
        post.clone(),
        "/api/v1/safety/check",
        Some(ADMIN),
        check,
    )
    .await;
    assert_eq!(status, 200);

    let create = r#"{"run_id": "r1", "limit": 5}"#;
    let (status, body) = call(
        &warden,
        post.clone(),
        "/api/v1/safety/budget/create",
        Some(AGENT),
        create,
    )
    .await;
    assert_eq!(status, 403, "agents cannot create budgets: {body}");
    assert_eq!(body["error"]["code"], "forbidden");
    let (status, _) = call(
        &warden,
        post.clone(),
        "/api/v1/safety/budget/create",
        Some(ADMIN),
        create,
    )
    .await;
    assert_eq!(status, 200);

    let patch = reqwest::Method::PATCH;
    let (status, _) = call(
        &warden,
        patch.clone(),
        "/api/v1/safety/budget/r1",
        Some(AGENT),
        r#"{"limit": 50}"#,
    )
    .await;
    assert_eq!(status, 403, "an agent can never raise its own limit");
    let (status, _) = call(
        &warden,
        post.clone(),
        "/api/v1/safety/budget/r1/reset",
        Some(AGENT),
        "",
    )
    .await;
    assert_eq!(status, 403);

    let (status, _) = call(&warden, reqwest::Method::GET, "/healthz", None, "").await;
    assert_eq!(status, 200, "health is open");
    let (status, _) = call(&warden, reqwest::Method::GET, "/readyz", None, "").await;
    assert_eq!(status, 200, "readiness is open");
    let (status, _) = call(&warden, reqwest::Method::GET, "/metrics", None, "").await;
    assert_eq!(
        status, 401,
        "metrics need a token when tokens are configured"
    );
    let (status, _) = call(&warden, reqwest::Method::GET, "/metrics", Some(AGENT), "").await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_changes_are_applied_and_audited_with_the_actor() {
    let nats = NatsServer::start();
    let warden = start(&nats);
    let client = async_nats::connect(nats.url()).await.expect("connect");
    let mut audit = client
        .subscribe("safety.audit.budget")
        .await
        .expect("subscribe");
    client.flush().await.expect("flush");
    let post = reqwest::Method::POST;
    call(
        &warden,
        post.clone(),
        "/api/v1/safety/budget/create",
        Some(ADMIN),
        r#"{"run_id": "r2", "limit": 1}"#,
    )
    .await;
    let (_, status) = call(
        &warden,
        post.clone(),
        "/api/v1/safety/budget/spend",
        Some(AGENT),
        r#"{"run_id": "r2", "amount": 2}"#,
    )
    .await;
    assert_eq!(status["exceeded"], true);

    let (code, body) = call(
        &warden,
        reqwest::Method::PATCH,
        "/api/v1/safety/budget/r2",
        Some(ADMIN),
        r#"{"limit": 5}"#,
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["limit"].to_string(), "5.0");
    let (code, _) = call(
        &warden,
        post.clone(),
        "/api/v1/safety/budget/r2/reset",
        Some(ADMIN),
        "",
    )
    .await;
    assert_eq!(code, 200);
    let (_, can) = call(
        &warden,
        post.clone(),
        "/api/v1/safety/budget/can-spend",
        Some(AGENT),
        r#"{"run_id": "r2", "amount": 1}"#,
    )
    .await;
    assert_eq!(can["can_spend"], true, "{can}");

    let mut events = Vec::new();
    while let Ok(Some(message)) = tokio::time::timeout(Duration::from_secs(2), audit.next()).await {
        let event: Value = serde_json::from_slice(&message.payload).expect("JSON");
        events.push(event);
        if events.iter().any(|e| e["event"] == "reset") {
            break;
        }
    }
    let changed = events
        .iter()
        .find(|e| e["event"] == "limit_changed")
        .expect("limit change audited");
    assert_eq!(changed["actor"], "admin-1");
    let reset = events
        .iter()
        .find(|e| e["event"] == "reset")
        .expect("reset audited");
    assert_eq!(reset["actor"], "admin-1");
    assert!(
        !events.iter().any(|e| e.to_string().contains(ADMIN)),
        "tokens never audited"
    );
}

/// Runs `warden serve` with `env` and expects it to refuse to start.
fn refused_start(env: &[(&str, &str)]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_warden"))
        .arg("serve")
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("warden runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "exit code 2 for bad configuration"
    );
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr
}

#[test]
fn protected_mode_refuses_a_public_address_without_tokens() {
    let port = support::free_port();
    let addr = format!("0.0.0.0:{port}");
    let stderr = refused_start(&[("WARDEN_HTTP_ADDR", addr.as_str())]);
    assert!(stderr.contains("WARDEN_API_TOKENS"), "{stderr}");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port never bound"
    );
}

#[test]
fn bad_configuration_stops_start_up_with_one_line_naming_the_variable() {
    for (name, value) in [
        ("REDIS_PORT", "not-a-port"),
        ("ENABLE_DEPLOYMENTS", "perhaps"),
        ("MAX_RUN_BUDGET", "-3"),
        ("WARDEN_API_TOKENS", "tiny-secret-x"),
    ] {
        let stderr = refused_start(&[(name, value)]);
        assert!(stderr.contains(name), "{name}: {stderr}");
        if name.ends_with("TOKENS") {
            assert!(!stderr.contains(value), "token echoed: {stderr}");
        }
    }
}

const ADMIN_2: &str = "second-admin-token-0002";

async fn approval_flow(warden: &WardenProcess) {
    let post = reqwest::Method::POST;
    let deploy = r#"{"action": "deploy", "context": {"target": "prod"}}"#;
    let (status, decision) = call(
        warden,
        post.clone(),
        "/api/v1/safety/check",
        Some(AGENT),
        deploy,
    )
    .await;
    assert_eq!(status, 200, "{decision}");
    assert_eq!(decision["requires_approval"], true);
    let id = decision["decision_id"]
        .as_str()
        .expect("decision id")
        .to_string();
    let path = format!("/api/v1/safety/approvals/{id}");

    let (status, pending) = call(warden, reqwest::Method::GET, &path, Some(AGENT), "").await;
    assert_eq!(status, 200, "{pending}");
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["requested_by"], "agent-1");

    let (status, _) = call(
        warden,
        post.clone(),
        &path,
        Some(AGENT),
        r#"{"approved": true}"#,
    )
    .await;
    assert_eq!(status, 403, "an agent token can never approve");
    let (status, body) = call(
        warden,
        post.clone(),
        &path,
        Some(ADMIN),
        r#"{"approved": true}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "approved");
    assert_eq!(body["decided_by"], "admin-1");
    let (status, body) = call(
        warden,
        post.clone(),
        &path,
        Some(ADMIN_2),
        r#"{"approved": false}"#,
    )
    .await;
    assert_eq!(status, 409, "decided once: {body}");
    assert_eq!(body["error"]["code"], "approval_conflict");

    // An admin's own request cannot be approved with the same token.
    let (_, own) = call(
        warden,
        post.clone(),
        "/api/v1/safety/check",
        Some(ADMIN),
        deploy,
    )
    .await;
    let own_path = format!(
        "/api/v1/safety/approvals/{}",
        own["decision_id"].as_str().expect("decision id")
    );
    let (status, body) = call(
        warden,
        post.clone(),
        &own_path,
        Some(ADMIN),
        r#"{"approved": true}"#,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = call(
        warden,
        post.clone(),
        &own_path,
        Some(ADMIN_2),
        r#"{"approved": false}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "rejected");

    let unknown = "/api/v1/safety/approvals/01a21572-0000-7000-8000-000000000000";
    let (status, _) = call(warden, reqwest::Method::GET, unknown, Some(AGENT), "").await;
    assert_eq!(status, 404);
    let (status, _) = call(
        warden,
        reqwest::Method::GET,
        "/api/v1/safety/approvals/not-a-uuid",
        Some(AGENT),
        "",
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_need_an_admin_other_than_the_requester_in_memory() {
    let nats = NatsServer::start();
    let warden = WardenProcess::start(&[
        ("NATS_URL", &nats.url()),
        ("WARDEN_STORE", "memory"),
        ("ENABLE_DEPLOYMENTS", "true"),
        ("WARDEN_API_TOKENS", AGENT),
        ("WARDEN_ADMIN_TOKENS", &format!("{ADMIN},{ADMIN_2}")),
    ]);
    approval_flow(&warden).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_need_an_admin_other_than_the_requester_in_redis() {
    let nats = NatsServer::start();
    let redis = support::redis::RedisServer::spawn();
    let warden = WardenProcess::start(&[
        ("NATS_URL", &nats.url()),
        ("REDIS_URL", &redis.url()),
        ("ENABLE_DEPLOYMENTS", "true"),
        ("WARDEN_API_TOKENS", AGENT),
        ("WARDEN_ADMIN_TOKENS", &format!("{ADMIN},{ADMIN_2}")),
    ]);
    approval_flow(&warden).await;
    // And the audit trail says who asked and who decided.
    let client = async_nats::connect(nats.url()).await.expect("connect");
    let js = async_nats::jetstream::new(client);
    let stream = js.get_stream("SAFETY_AUDIT").await.expect("stream");
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            filter_subject: "safety.audit.approval".into(),
            ..Default::default()
        })
        .await
        .expect("consumer");
    let mut messages = consumer.messages().await.expect("messages");
    let mut events = Vec::new();
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_secs(2), messages.next()).await
    {
        let event: Value = serde_json::from_slice(&message.payload).expect("JSON");
        events.push((
            event["event"].as_str().unwrap_or("").to_string(),
            event["actor"].as_str().unwrap_or("").to_string(),
        ));
    }
    assert!(
        events.contains(&("requested".into(), "agent-1".into())),
        "{events:?}"
    );
    assert!(
        events.contains(&("approved".into(), "admin-1".into())),
        "{events:?}"
    );
    assert!(
        events.contains(&("rejected".into(), "admin-2".into())),
        "{events:?}"
    );
}

/// The route table (which the OpenAPI test holds the document to) is what the
/// router enforces: public routes need nothing, agent routes an agent token,
/// admin routes an admin token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_enforces_the_access_the_route_table_declares() {
    use warden::http::{Access, ROUTES};
    let nats = NatsServer::start();
    let warden = start(&nats);
    for (method, template, access) in ROUTES {
        let path = template
            .replace("{run_id}", "route-table-run")
            .replace("{decision_id}", "01a21572-0000-7000-8000-000000000000");
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let what = format!("{method} {path}");
        let as_agent = call(&warden, method.clone(), &path, Some(AGENT), "{}").await;
        let as_admin = call(&warden, method.clone(), &path, Some(ADMIN), "{}").await;
        let no_token = call(&warden, method.clone(), &path, None, "{}").await;
        match access {
            Access::Public => assert!(passed(&no_token), "{what}: {no_token:?}"),
            Access::Metrics | Access::Agent => {
                assert_eq!(no_token.0, 401, "{what}");
                assert!(passed(&as_agent), "{what}: {as_agent:?}");
            }
            Access::Admin => {
                assert_eq!(no_token.0, 401, "{what}");
                assert_eq!(as_agent.0, 403, "{what}");
                assert!(passed(&as_admin), "{what}: {as_admin:?}");
            }
        }
    }
}

/// The request got past routing and auth (a 404 about a missing budget or
/// approval still counts; a 404 for a missing route does not).
fn passed((status, body): &(u16, Value)) -> bool {
    ![401, 403, 405].contains(status) && body["error"]["code"] != "not_found"
}
