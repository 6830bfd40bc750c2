//! Leak test: distinct secrets planted in every request field, header, query
//! string, env var, the policy file and log lines (REST, NATS request/reply,
//! `logs.raw.>`, `safety.spend.>`) must appear in none of warden's outputs:
//! its stdout/stderr at `RUST_LOG=debug`, error replies, the audit, redacted
//! log and dead-letter streams, `/metrics` and the files under its data dir.
//! Real `nats-server` (with a token) and `redis-server` (with a password).

mod support;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::nats::{stream_count, stream_messages, NatsServer};
use support::redis::RedisServer;
use support::{free_port, wait_for_port};

/// One secret per place it is planted, so a hit names the place. Each is
/// shaped like the real thing (the redactor's rules must see it) and unique.
struct Secrets(BTreeMap<&'static str, String>);

impl Secrets {
    fn new() -> Secrets {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let alnum = |prefix: &str, n: usize| {
            let mut s = String::from(prefix);
            let source = format!("{tag}{tag}{tag}").to_uppercase() + &tag;
            s.push_str(&source[..n]);
            s
        };
        let mut m = BTreeMap::new();
        // Env vars and files.
        m.insert("env.redis_password", format!("RedisPw{}", &tag[..20]));
        m.insert("env.nats_token", format!("NatsTok{}", &tag[..20]));
        m.insert("env.agent_token", format!("AgentTok{}", &tag[..24]));
        m.insert("env.admin_token", format!("AdminTok{}", &tag[..24]));
        m.insert("env.hmac_key", format!("HmacKey{}", &tag[..24]));
        m.insert("env.openai", alnum("sk-proj-EnvA", 40));
        m.insert("policy.comment", alnum("ghp_PolC", 32));
        m.insert("policy.bad_line", alnum("ghp_PolB", 32));
        // REST.
        m.insert("rest.check.command", alnum("sk-proj-RcmD", 40));
        m.insert("rest.check.aws", alnum("RaWs", 36));
        m.insert("rest.check.url_password", format!("UrlPw{}", &tag[..16]));
        m.insert("rest.check.url_query", alnum("ghp_RqrY", 32));
        m.insert("rest.redact.jwt", jwt(&tag, "rest"));
        m.insert("rest.redact.pem", alnum("MIIEpRestPem", 48));
        m.insert("rest.redact.password", format!("RdPw{}", &tag[..16]));
        m.insert("rest.wrong_bearer", alnum("sk-proj-WrBr", 40));
        m.insert("rest.query_string", alnum("ghp_QstR", 32));
        m.insert("rest.path", alnum("ghp_PaTh", 32));
        m.insert("rest.header", alnum("sk-proj-HeAd", 40));
        m.insert("rest.bad_json", alnum("sk-proj-BdJs", 40));
        m.insert("rest.idempotency_key", alnum("ghp_IdmK", 32));
        m.insert("rest.bad_run_id", alnum("sk-proj-BrUn", 40));
        m.insert("rest.unknown_action", alnum("sk-proj-UnAc", 40));
        // NATS.
        m.insert("nats.check.command", alnum("sk-proj-NcmD", 40));
        m.insert("nats.redact.text", alnum("ghp_NrdT", 32));
        m.insert("nats.bad_json", alnum("sk-proj-NbJs", 40));
        m.insert("nats.log.line", alnum("sk-proj-LoGl", 40));
        m.insert("nats.log.jwt", jwt(&tag, "logs"));
        m.insert("nats.log.header", alnum("ghp_LhDr", 32));
        m.insert("nats.spend.bad", alnum("sk-proj-SpBd", 40));
        m.insert("nats.spend.key", alnum("ghp_SpKy", 32));
        Secrets(m)
    }

    fn get(&self, name: &str) -> &str {
        self.0
            .get(name)
            .unwrap_or_else(|| panic!("no secret {name}"))
    }

    /// The planted secrets found in `text`, by name.
    fn found_in(&self, text: &str) -> Vec<&'static str> {
        self.0
            .iter()
            .filter(|(_, secret)| text.contains(secret.as_str()))
            .map(|(name, _)| *name)
            .collect()
    }
}

fn jwt(tag: &str, place: &str) -> String {
    format!(
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ{place}{}.c2ln{}",
        &tag[..12],
        &tag[12..28]
    )
}

fn pem(body: &str) -> String {
    format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n{body}\n-----END RSA PRIVATE KEY-----")
}

struct Warden {
    child: Child,
    port: u16,
    logs: tempfile::TempDir,
    data: tempfile::TempDir,
}

impl Warden {
    fn log_text(&self) -> String {
        let mut text = String::new();
        for name in ["stdout", "stderr"] {
            let bytes = std::fs::read(self.logs.path().join(name)).unwrap_or_default();
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
        text
    }
}

impl Drop for Warden {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every regular file under `dir`, as lossy text, with its path.
fn files_under(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    out
}

async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while !condition().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_planted_secret_appears_in_any_output() {
    let s = Secrets::new();
    let redis = RedisServer::spawn_with(&[
        "--save",
        "",
        "--appendonly",
        "no",
        "--requirepass",
        s.get("env.redis_password"),
    ]);
    let nats = NatsServer::start_with(&["--auth", s.get("env.nats_token")]);
    let nats_url = format!("nats://{}@127.0.0.1:{}", s.get("env.nats_token"), nats.port);

    let policy_dir = tempfile::tempdir().expect("policy dir");
    let policy_path = policy_dir.path().join("policy.toml");
    std::fs::write(
        &policy_path,
        format!(
            "# deploy key for the release bot: {}\n[actions]\ndeployments = true\n",
            s.get("policy.comment")
        ),
    )
    .expect("policy file");

    let port = free_port();
    let logs = tempfile::tempdir().expect("log dir");
    let data = tempfile::tempdir().expect("data dir");
    let stdout = std::fs::File::create(logs.path().join("stdout")).expect("stdout file");
    let stderr = std::fs::File::create(logs.path().join("stderr")).expect("stderr file");
    let child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "debug")
        .env("WARDEN_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("WARDEN_DATA_DIR", data.path())
        .env("NATS_URL", &nats_url)
        .env("REDIS_HOST", "127.0.0.1")
        .env("REDIS_PORT", redis.port().to_string())
        .env("REDIS_PASSWORD", s.get("env.redis_password"))
        .env("WARDEN_API_TOKENS", s.get("env.agent_token"))
        .env("WARDEN_ADMIN_TOKENS", s.get("env.admin_token"))
        .env("WARDEN_REDACT_HMAC_KEY", s.get("env.hmac_key"))
        .env("OPENAI_API_KEY", s.get("env.openai"))
        .env("WARDEN_REDACT_ENV_VARS", "OPENAI_API_KEY")
        .env("WARDEN_POLICY_FILE", &policy_path)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("warden starts");
    let warden = Warden {
        child,
        port,
        logs,
        data,
    };
    wait_for_port(port, Duration::from_secs(30));
    let base = format!("http://127.0.0.1:{}", warden.port);
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !matches!(http.get(format!("{base}/readyz")).send().await, Ok(r) if r.status().is_success())
    {
        if Instant::now() > deadline {
            let logs = warden.log_text();
            let tail: Vec<&str> = logs.lines().rev().take(30).collect();
            panic!(
                "warden not ready; last log lines (newest first):\n{}",
                tail.join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Every reply body (errors especially) is collected and searched at the end.
    let mut replies: Vec<(String, String)> = Vec::new();
    let agent = format!("Bearer {}", s.get("env.agent_token"));
    let post = |path: &str, body: String, auth: String| {
        let request = http
            .post(format!("{base}{path}"))
            .header("authorization", auth)
            .header("content-type", "application/json")
            .header("x-api-key", s.get("rest.header"))
            .header("cookie", format!("session={}", s.get("rest.header")))
            .body(body);
        async move {
            let response = request.send().await.expect("REST answers");
            let status = response.status();
            (status, response.text().await.expect("body"))
        }
    };

    // --- REST -----------------------------------------------------------
    let command = format!(
        "curl -H 'Authorization: Bearer {}' https://api.openai.com/v1/models && export AWS_SECRET_ACCESS_KEY={}",
        s.get("rest.check.command"),
        s.get("rest.check.aws")
    );
    let calls: Vec<(&str, String, String)> = vec![
        ("/api/v1/safety/check", json!({"action": "execute_code", "context": {"command": command}}).to_string(), agent.clone()),
        ("/api/v1/safety/check", json!({"action": "execute_code", "context": {"command": format!("rm -rf / --password={}", s.get("rest.redact.password"))}}).to_string(), agent.clone()),
        ("/api/v1/safety/check", json!({"action": "network_access", "context": {"url": format!("https://admin:{}@evil.example.net/x?token={}", s.get("rest.check.url_password"), s.get("rest.check.url_query"))}}).to_string(), agent.clone()),
        ("/api/v1/safety/check", json!({"action": "deploy", "context": {"target": "prod", "token": s.get("rest.check.url_query")}}).to_string(), agent.clone()),
        ("/api/v1/safety/check", json!({"action": format!("launch {}", s.get("rest.unknown_action")), "context": {}}).to_string(), agent.clone()),
        ("/api/v1/safety/redact", json!({"text": format!("jwt {} key\n{}\npassword={}", s.get("rest.redact.jwt"), pem(s.get("rest.redact.pem")), s.get("rest.redact.password"))}).to_string(), agent.clone()),
        ("/api/v1/safety/check", json!({"action": "execute_code", "context": {"command": "ls"}}).to_string(), format!("Bearer {}", s.get("rest.wrong_bearer"))),
        ("/api/v1/safety/redact", format!("{{\"text\": \"{}", s.get("rest.bad_json")), agent.clone()),
        ("/api/v1/safety/budget/spend", json!({"run_id": "leak-run", "amount": 0.5, "idempotency_key": s.get("rest.idempotency_key")}).to_string(), agent.clone()),
        ("/api/v1/safety/budget/spend", json!({"run_id": format!("bad run {}", s.get("rest.bad_run_id")), "amount": 0.5}).to_string(), agent.clone()),
        ("/api/v1/safety/budget/spend", json!({"run_id": "leak-run", "amount": format!("{}", s.get("rest.bad_run_id"))}).to_string(), agent.clone()),
    ];
    for (path, body, auth) in calls {
        let (status, text) = post(path, body, auth).await;
        assert!(!status.is_server_error(), "{path}: {status} {text}");
        replies.push((format!("POST {path} → {status}"), text));
    }
    for (path, auth) in [
        (
            format!(
                "/api/v1/safety/budget/leak-run?api_key={}",
                s.get("rest.query_string")
            ),
            agent.clone(),
        ),
        (
            format!("/api/v1/safety/{}", s.get("rest.path")),
            agent.clone(),
        ),
        (
            format!("/api/v1/safety/budget/{}%20x", s.get("rest.path")),
            agent.clone(),
        ),
        (
            "/metrics".to_string(),
            format!("Basic {}", s.get("rest.wrong_bearer")),
        ),
    ] {
        let response = http
            .get(format!("{base}{path}"))
            .header("authorization", auth)
            .send()
            .await
            .expect("REST answers");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(!status.is_server_error(), "GET {path}: {status} {text}");
        replies.push((format!("GET {path} → {status}"), text));
    }

    // --- NATS request/reply, logs and spends ------------------------------
    let client = support::nats::connect(&nats_url).await;
    let requests: Vec<(&str, Vec<u8>)> = vec![
        ("safety.check", json!({"action": "execute_code", "context": {"command": format!("OPENAI_API_KEY={} python x.py", s.get("nats.check.command"))}}).to_string().into_bytes()),
        ("safety.redact", json!({"text": format!("token {}", s.get("nats.redact.text"))}).to_string().into_bytes()),
        ("safety.check", format!("{{\"action\": \"{}", s.get("nats.bad_json")).into_bytes()),
        ("safety.budget.spend", json!({"run_id": "leak-run", "amount": s.get("nats.bad_json")}).to_string().into_bytes()),
    ];
    for (subject, body) in requests {
        let reply = tokio::time::timeout(
            Duration::from_secs(10),
            client.request(subject, body.into()),
        )
        .await
        .expect("NATS reply in time")
        .expect("NATS reply");
        replies.push((
            format!("NATS {subject}"),
            String::from_utf8_lossy(&reply.payload).into_owned(),
        ));
    }
    let js = async_nats::jetstream::new(client.clone());
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("X-Api-Key", s.get("nats.log.header"));
    js.publish_with_headers(
        "logs.raw.leak",
        headers,
        format!(
            "2026-03-02 INFO calling api key={} auth: Bearer {}",
            s.get("nats.log.line"),
            s.get("nats.log.jwt")
        )
        .into(),
    )
    .await
    .expect("publish")
    .await
    .expect("stored");
    js.publish(
        "safety.spend.leak-run",
        format!("{{\"amount\": \"{}\"", s.get("nats.spend.bad")).into(),
    )
    .await
    .expect("publish")
    .await
    .expect("stored");
    js.publish(
        "safety.spend.leak-run",
        json!({"run_id": "leak-run", "amount": 0.25, "idempotency_key": s.get("nats.spend.key")})
            .to_string()
            .into(),
    )
    .await
    .expect("publish")
    .await
    .expect("stored");

    // --- a policy file that is refused, with a secret on the bad line ------
    std::fs::write(
        &policy_path,
        format!("[actions]\ndeployments = \"{}\n", s.get("policy.bad_line")),
    )
    .expect("bad policy");
    let _ = Command::new("kill")
        .args(["-HUP", &warden.child.id().to_string()])
        .status();
    let metrics_url = format!("{base}/metrics");
    let metrics = || {
        let request = http
            .get(metrics_url.clone())
            .header("authorization", agent.clone());
        async move {
            request
                .send()
                .await
                .expect("metrics")
                .text()
                .await
                .expect("text")
        }
    };
    wait_until(
        "the bad policy file to be refused",
        Duration::from_secs(15),
        || async {
            metrics().await.lines().any(|l| {
                l.starts_with("warden_policy_reloads_total{outcome=\"rejected\"}")
                    && !l.ends_with(" 0")
            })
        },
    )
    .await;

    // --- wait for the streams to hold what the inputs produced -------------
    wait_until("the redacted log line", Duration::from_secs(20), || {
        let url = nats_url.clone();
        async move { stream_count(&url, "LOGS_REDACTED").await >= 1 }
    })
    .await;
    wait_until("the bad spend in the DLQ", Duration::from_secs(20), || {
        let url = nats_url.clone();
        async move { stream_count(&url, "SAFETY_DLQ").await >= 1 }
    })
    .await;
    wait_until("the spend's audit event", Duration::from_secs(20), || {
        let http = http.clone();
        let url = format!("{base}/api/v1/safety/budget/leak-run");
        let auth = agent.clone();
        async move {
            let Ok(r) = http.get(url).header("authorization", auth).send().await else {
                return false;
            };
            let Ok(v) = r.json::<Value>().await else {
                return false;
            };
            v["spent"].as_f64() == Some(0.75)
        }
    })
    .await;

    // --- search every output ----------------------------------------------
    let mut leaks: Vec<String> = Vec::new();
    let mut search = |place: &str, text: &str| {
        for name in s.found_in(text) {
            leaks.push(format!("{name} in {place}"));
        }
    };
    for (what, text) in &replies {
        search(&format!("reply to {what}: {text}"), text);
    }
    let mut stored = 0;
    for stream in ["SAFETY_AUDIT", "SAFETY_DLQ", "LOGS_REDACTED"] {
        for message in stream_messages(&nats_url, stream).await {
            stored += 1;
            let mut text = format!("{}\n", message.subject);
            if let Some(headers) = &message.headers {
                for (name, values) in headers.iter() {
                    for value in values {
                        text.push_str(&format!("{name}: {value}\n"));
                    }
                }
            }
            text.push_str(&String::from_utf8_lossy(&message.payload));
            search(&format!("stream {stream}: {text}"), &text);
        }
    }
    assert!(stored >= 5, "the streams hold the events ({stored})");
    search("/metrics", &metrics().await);
    for (path, text) in files_under(warden.data.path()) {
        search(&format!("data file {path}"), &text);
    }
    let logs = warden.log_text();
    assert!(
        logs.contains("DEBUG"),
        "warden logs at debug level:\n{logs}"
    );
    for line in logs.lines() {
        search(&format!("warden log: {line}"), line);
    }
    assert!(
        leaks.is_empty(),
        "planted secrets leaked:\n  {}",
        leaks.join("\n  ")
    );
}
