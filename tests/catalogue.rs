//! The subject catalogue in `subjects/` is the operator's contract for NATS:
//! every file's schemas compile (JSON Schema 2020-12), every example and
//! message validates, the set of subjects is exactly `catalogue()`, and every
//! subject is documented and listed. Then the examples are replayed against a
//! real warden over NATS, and what warden publishes (alerts, audit events,
//! redacted logs) is validated against the catalogue too.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{json, Value};
use support::nats::NatsServer;
use support::warden::WardenProcess;

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

struct Entry {
    file: PathBuf,
    doc: Value,
}

impl Entry {
    fn subject(&self) -> &str {
        self.doc["subject"].as_str().unwrap_or_default()
    }
    fn kind(&self) -> &str {
        self.doc["kind"].as_str().unwrap_or_default()
    }
    fn name(&self) -> String {
        self.file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
    fn validator(&self, key: &str) -> jsonschema::Validator {
        compile(&self.doc[key], &format!("{} {key}", self.name()))
    }
}

fn subjects_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("subjects")
}

fn load_catalogue() -> Vec<Entry> {
    let mut entries: Vec<Entry> = std::fs::read_dir(subjects_dir())
        .expect("subjects/ exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("readable catalogue file");
            let doc = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", file.display()));
            Entry { file, doc }
        })
        .collect();
    entries.sort_by(|a, b| a.file.cmp(&b.file));
    assert!(!entries.is_empty(), "no subjects/*.json found");
    entries
}

fn compile(schema: &Value, what: &str) -> jsonschema::Validator {
    assert_eq!(
        schema["$schema"], DRAFT_2020_12,
        "{what}: declare \"$schema\": \"{DRAFT_2020_12}\""
    );
    jsonschema::draft202012::new(schema).unwrap_or_else(|e| panic!("{what} does not compile: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema:\n  {}\ninstance: {instance}",
        errors.join("\n  ")
    );
}

/// NATS subject matching: `*` is one token, `>` one or more trailing tokens.
fn subject_matches(pattern: &str, subject: &str) -> bool {
    let mut subject_tokens = subject.split('.');
    for p in pattern.split('.') {
        match (p, subject_tokens.next()) {
            (">", Some(t)) => return !t.is_empty(),
            ("*", Some(t)) if !t.is_empty() => {}
            (p, Some(t)) if p == t => {}
            _ => return false,
        }
    }
    subject_tokens.next().is_none()
}

/// The file stem for a subject pattern: `>` is written `gt`, `*` is `star`.
fn stem_for(subject: &str) -> String {
    subject.replace('>', "gt").replace('*', "star")
}

fn is_error(reply: &Value) -> bool {
    reply.get("error").is_some()
}

#[test]
fn subject_matching_helper_behaves_like_nats() {
    assert!(subject_matches("logs.raw.>", "logs.raw.a"));
    assert!(subject_matches("logs.raw.>", "logs.raw.a.b"));
    assert!(!subject_matches("logs.raw.>", "logs.raw"));
    assert!(subject_matches(
        "safety.alerts.budget.*",
        "safety.alerts.budget.r1"
    ));
    assert!(!subject_matches(
        "safety.alerts.budget.*",
        "safety.alerts.budget.r1.x"
    ));
    assert!(!subject_matches("safety.check", "safety.checks"));
    assert!(subject_matches("safety.check", "safety.check"));
}

#[test]
fn every_file_is_well_formed_and_every_example_validates() {
    for entry in load_catalogue() {
        let name = entry.name();
        let subject = entry.subject();
        assert!(!subject.is_empty(), "{name}: missing \"subject\"");
        assert_eq!(
            name,
            format!("{}.json", stem_for(subject)),
            "{name}: file name must be the subject with > as gt and * as star"
        );
        let request = entry.validator("request_schema");
        // A bare number is never a valid message on any subject: the schema is not vacuous.
        assert!(
            !request.is_valid(&json!(42)),
            "{name}: request_schema accepts anything"
        );
        match entry.kind() {
            "request_reply" => {
                assert_eq!(entry.doc["queue_group"], "warden", "{name}: queue_group");
                let reply = entry.validator("reply_schema");
                let error = json!({"error": {"code": "store_unavailable", "message": "x"}});
                assert!(
                    reply.is_valid(&error),
                    "{name}: reply_schema must accept the error object"
                );
                assert!(
                    !reply.is_valid(&json!({})),
                    "{name}: reply_schema accepts {{}}"
                );
                assert!(
                    !reply.is_valid(&json!({"error": {"code": "no_such_code", "message": "x"}})),
                    "{name}: reply_schema accepts an unknown error code"
                );
                let examples = entry.doc["examples"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{name}: \"examples\" must be an array"));
                assert!(examples.len() >= 2, "{name}: at least 2 examples");
                for (i, example) in examples.iter().enumerate() {
                    assert_valid(
                        &request,
                        &example["request"],
                        &format!("{name} example {i} request"),
                    );
                    assert_valid(
                        &reply,
                        &example["reply"],
                        &format!("{name} example {i} reply"),
                    );
                }
                // Requests the schema must reject; warden answers them with an error.
                let invalid = entry.doc["invalid_examples"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for (i, example) in invalid.iter().enumerate() {
                    let what = format!("{name} invalid example {i}");
                    assert!(
                        !request.is_valid(&example["request"]),
                        "{what}: request_schema accepts {}",
                        example["request"]
                    );
                    assert!(
                        is_error(&example["reply"]),
                        "{what}: reply must be an error"
                    );
                    assert_valid(&reply, &example["reply"], &format!("{what} reply"));
                }
                let replies: Vec<&Value> = examples
                    .iter()
                    .chain(&invalid)
                    .map(|e| &e["reply"])
                    .collect();
                assert!(
                    replies.iter().any(|r| is_error(r)) && replies.iter().any(|r| !is_error(r)),
                    "{name}: show at least one success and one error reply"
                );
                for step in entry.doc["setup"].as_array().into_iter().flatten() {
                    assert!(
                        step["subject"].is_string() && step["request"].is_object(),
                        "{name}: setup steps are {{subject, request}}"
                    );
                }
            }
            "stream" | "core" => {
                assert!(
                    entry.doc.get("reply_schema").is_none(),
                    "{name}: only request_reply subjects have a reply_schema"
                );
                if entry.kind() == "stream" {
                    assert!(entry.doc["stream"].is_string(), "{name}: name the stream");
                }
                let headers = entry
                    .doc
                    .get("headers_schema")
                    .map(|s| compile(s, &format!("{name} headers_schema")));
                let messages = entry.doc["messages"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{name}: \"messages\" must be an array"));
                assert!(messages.len() >= 2, "{name}: at least 2 messages");
                for (i, message) in messages.iter().enumerate() {
                    let what = format!("{name} message {i}");
                    let on = message["subject"].as_str().unwrap_or_default();
                    assert!(
                        subject_matches(subject, on),
                        "{what}: subject {on:?} does not match {subject}"
                    );
                    assert_valid(&request, &message["body"], &format!("{what} body"));
                    if let (Some(headers), Some(given)) = (&headers, message.get("headers")) {
                        assert_valid(headers, given, &format!("{what} headers"));
                    } else if let Some(headers) = &headers {
                        assert_valid(headers, &json!({}), &format!("{what} headers"));
                    }
                }
            }
            other => panic!("{name}: kind {other:?} is not request_reply, stream or core"),
        }
    }
}

#[test]
fn catalogue_is_exactly_the_subjects_warden_uses() {
    let entries = load_catalogue();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for entry in &entries {
        if let Some(previous) = files.insert(entry.subject().to_string(), entry.name()) {
            panic!(
                "{} is documented twice: {previous} and {}",
                entry.subject(),
                entry.name()
            );
        }
    }
    let documented: BTreeSet<String> = files.keys().cloned().collect();
    let code: BTreeSet<String> = warden::nats::subjects::catalogue().into_iter().collect();
    let undocumented: Vec<_> = code.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&code).collect();
    assert!(
        undocumented.is_empty(),
        "subjects warden uses with no subjects/*.json: {undocumented:?}"
    );
    assert!(
        stale.is_empty(),
        "subjects/*.json for subjects warden does not use: {stale:?}"
    );
    // Request/reply subjects are exactly the service's operations.
    for op in warden::service::Operation::ALL {
        let entry = entries
            .iter()
            .find(|e| e.subject() == op.subject())
            .unwrap_or_else(|| panic!("{} missing", op.subject()));
        assert_eq!(entry.kind(), "request_reply", "{}", entry.name());
    }
}

#[test]
fn every_subject_has_a_page_listed_in_the_readme() {
    let dir = subjects_dir();
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("subjects/README.md");
    for entry in load_catalogue() {
        let stem = stem_for(entry.subject());
        let page = dir.join(format!("{stem}.md"));
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("{} has no {stem}.md", entry.name()));
        assert!(
            text.contains(&format!("`{}`", entry.subject())),
            "{stem}.md never names `{}`",
            entry.subject()
        );
        for link in [format!("({stem}.md)"), format!("({stem}.json)")] {
            assert!(
                readme.contains(&link),
                "subjects/README.md does not link {link}"
            );
        }
    }
    // And the README links nothing that does not exist.
    for target in readme
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|t| !t.starts_with("http") && !t.starts_with('#'))
    {
        assert!(
            dir.join(target).exists(),
            "subjects/README.md links missing {target}"
        );
    }
}

/// Kinds in redaction examples and `[REDACTED:KIND]` markers are the redactor's
/// own kinds (or an env var name the example asked for). Skipped while the
/// redactor reports no kinds (placeholder build).
#[test]
fn redaction_kinds_in_examples_are_real_kinds() {
    let kinds = warden::redact::kinds();
    if kinds.is_empty() {
        eprintln!("skip: warden::redact::kinds() is empty (placeholder redactor)");
        return;
    }
    let mut used: Vec<(String, Vec<String>)> = Vec::new();
    for entry in load_catalogue() {
        let text = entry.doc.to_string();
        let allowed_env: Vec<String> = entry.doc["examples"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|e| {
                e["request"]["env_vars"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        for marker in text.split("[REDACTED:").skip(1) {
            if let Some(kind) = marker.split(']').next() {
                used.push((kind.to_string(), allowed_env.clone()));
            }
        }
    }
    for (kind, env) in used {
        assert!(
            kinds.contains(&kind.as_str())
                || env.contains(&kind)
                || warden::config::DEFAULT_REDACT_ENV_NAMES.contains(&kind.as_str()),
            "[REDACTED:{kind}] in subjects/ is not a redactor kind ({kinds:?})"
        );
    }
}

// ---------------------------------------------------------------- against a running warden

/// Numbers compare by value (`10` == `10.0`); everything else structurally.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Checks the part of a live reply that must equal the documented one.
fn assert_reply_as_documented(subject: &str, expected: &Value, got: &Value, what: &str) {
    assert_eq!(
        is_error(expected),
        is_error(got),
        "{what}: got {got}, documented {expected}"
    );
    if is_error(expected) {
        assert_eq!(
            got["error"]["code"], expected["error"]["code"],
            "{what}: error code (got {got})"
        );
        return;
    }
    let fields: &[&str] = match subject {
        // decision_id is fresh each time; reason is prose.
        "safety.check" => &["allowed", "requires_approval", "rule", "risk"],
        "safety.redact" if warden::redact::kinds().is_empty() => &[],
        _ => {
            assert!(
                same(expected, got),
                "{what}: got {got}, documented {expected}"
            );
            return;
        }
    };
    for field in fields {
        assert!(
            same(&expected[*field], &got[*field]),
            "{what}: {field} is {}, documented {}",
            got[*field],
            expected[*field]
        );
    }
}

async fn request(client: &async_nats::Client, subject: &str, body: &Value) -> Value {
    let payload = serde_json::to_vec(body).expect("request encodes");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match client
            .request(subject.to_string(), payload.clone().into())
            .await
        {
            Ok(message) => {
                return serde_json::from_slice(&message.payload)
                    .unwrap_or_else(|e| panic!("{subject}: reply is not JSON: {e}"))
            }
            // Workers subscribe just after HTTP opens: retry until someone answers.
            Err(e) if Instant::now() < deadline => {
                eprintln!("{subject}: {e}; retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{subject}: no reply: {e}"),
        }
    }
}

/// Every message stored in `stream`, in order.
async fn stream_messages(
    js: &async_nats::jetstream::Context,
    stream: &str,
) -> Vec<async_nats::jetstream::message::StreamMessage> {
    let mut handle = js.get_stream(stream).await.expect("stream exists");
    let last = handle
        .info()
        .await
        .expect("stream info")
        .state
        .last_sequence;
    let mut out = Vec::new();
    for sequence in 1..=last {
        if let Ok(message) = handle.get_raw_message(sequence).await {
            out.push(message);
        }
    }
    out
}

fn headers_json(headers: &async_nats::HeaderMap) -> Value {
    let map: serde_json::Map<String, Value> = headers
        .iter()
        .filter_map(|(name, values)| {
            values
                .first()
                .map(|v| (name.to_string(), Value::String(v.as_str().to_string())))
        })
        .collect();
    Value::Object(map)
}

fn body_json(payload: &[u8]) -> Value {
    serde_json::from_slice(payload)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(payload).into_owned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn examples_replay_against_a_running_warden_and_published_messages_match() {
    let nats = NatsServer::start();
    let url = nats.url();
    let _warden = WardenProcess::start(&[("NATS_URL", &url), ("WARDEN_STORE", "memory")]);
    let client = async_nats::connect(&url).await.expect("connect to NATS");
    let js = async_nats::jetstream::new(client.clone());
    let entries = load_catalogue();
    let by_subject = |s: &str| {
        entries
            .iter()
            .find(|e| subject_matches(e.subject(), s))
            .unwrap_or_else(|| panic!("no catalogue entry matches {s}"))
    };
    let mut alerts = client
        .subscribe("safety.alerts.budget.*")
        .await
        .expect("subscribe to alerts");
    client.flush().await.expect("flush");

    // 1. Request/reply: setup, then every example in order, reply validated and compared.
    let mut replayed = 0;
    for entry in entries.iter().filter(|e| e.kind() == "request_reply") {
        let (name, subject) = (entry.name(), entry.subject());
        let reply_schema = entry.validator("reply_schema");
        for step in entry.doc["setup"].as_array().into_iter().flatten() {
            let on = step["subject"].as_str().expect("setup subject");
            let got = request(&client, on, &step["request"]).await;
            assert!(!is_error(&got), "{name}: setup {on} failed: {got}");
        }
        let examples = entry.doc["examples"].as_array().into_iter().flatten();
        let invalid = entry.doc["invalid_examples"]
            .as_array()
            .into_iter()
            .flatten();
        for (i, example) in examples.chain(invalid).enumerate() {
            let what = format!("{name} example {i} ({})", example["request"]);
            let got = request(&client, subject, &example["request"]).await;
            assert_valid(&reply_schema, &got, &format!("{what} live reply"));
            assert_reply_as_documented(subject, &example["reply"], &got, &what);
            replayed += 1;
        }
    }
    assert!(replayed >= 18, "only {replayed} examples replayed");

    // 2. Streams: the documented raw logs and spends go in; what comes out matches.
    for entry in [by_subject("logs.raw.x"), by_subject("safety.spend.x")] {
        for message in entry.doc["messages"].as_array().into_iter().flatten() {
            let mut headers = async_nats::HeaderMap::new();
            for (k, v) in message["headers"].as_object().into_iter().flatten() {
                headers.insert(k.as_str(), v.as_str().unwrap_or_default());
            }
            let body = match &message["body"] {
                Value::String(text) => text.clone().into_bytes(),
                other => serde_json::to_vec(other).expect("body encodes"),
            };
            let subject = message["subject"]
                .as_str()
                .expect("message subject")
                .to_string();
            js.publish_with_headers(subject, headers, body.into())
                .await
                .expect("publish")
                .await
                .expect("stored");
        }
    }
    // A spend that cannot be parsed goes to the DLQ, acked, never blocking the stream.
    js.publish(
        "safety.spend.run-123",
        br#"{"run_id":"run-123","amount":"0.25"}"#.to_vec().into(),
    )
    .await
    .expect("publish")
    .await
    .expect("stored");
    let raw = by_subject("logs.raw.x").doc["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(20);
    let redacted = loop {
        let copies = stream_messages(&js, "LOGS_REDACTED").await;
        if copies.len() >= raw.len() || Instant::now() > deadline {
            break copies;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(redacted.len(), raw.len(), "one redacted copy per raw log");
    let redacted_entry = by_subject("logs.redacted.x");
    let (body_schema, header_schema) = (
        redacted_entry.validator("request_schema"),
        redacted_entry.validator("headers_schema"),
    );
    for (copy, original) in redacted.iter().zip(&raw) {
        let what = format!("redacted copy on {}", copy.subject);
        let suffix = original["subject"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("logs.raw.");
        assert_eq!(
            copy.subject.as_str(),
            format!("logs.redacted.{suffix}"),
            "{what}: suffix kept"
        );
        let headers = headers_json(&copy.headers);
        assert_valid(&header_schema, &headers, &format!("{what} headers"));
        assert_valid(
            &body_schema,
            &body_json(&copy.payload),
            &format!("{what} body"),
        );
        for (k, v) in original["headers"].as_object().into_iter().flatten() {
            if k != "Nats-Msg-Id" {
                assert_eq!(&headers[k], v, "{what}: header {k} kept");
            }
        }
    }
    // Spends from the stream are counted once each (0.0125 + 0.4 on run-123).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = request(&client, "safety.budget.get", &json!({"run_id": "run-123"})).await;
        if same(&status["spent"], &json!(0.4125)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "stream spends not recorded: {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let deadline = Instant::now() + Duration::from_secs(20);
    let dead = loop {
        let letters = stream_messages(&js, "SAFETY_DLQ").await;
        if !letters.is_empty() || Instant::now() > deadline {
            break letters;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        dead.len(),
        1,
        "exactly the malformed spend is dead-lettered"
    );
    for letter in &dead {
        let schema = by_subject(letter.subject.as_str()).validator("request_schema");
        let body = body_json(&letter.payload);
        assert_valid(
            &schema,
            &body,
            &format!("dead letter on {}", letter.subject),
        );
        assert_eq!(body["error"]["code"], "invalid_amount", "{body}");
    }

    // 3. What warden published while answering: alerts and audit events.
    let alert_schema = by_subject("safety.alerts.budget.x").validator("request_schema");
    let mut seen_alerts = 0;
    while let Ok(Some(message)) =
        tokio::time::timeout(Duration::from_millis(500), alerts.next()).await
    {
        let what = format!("alert on {}", message.subject);
        assert_valid(&alert_schema, &body_json(&message.payload), &what);
        seen_alerts += 1;
    }
    // run-spend-3 went over its limit: 50, 80 and 100 percent fired.
    assert!(
        seen_alerts >= 3,
        "expected budget alerts, saw {seen_alerts}"
    );

    let deadline = Instant::now() + Duration::from_secs(10);
    let audit = loop {
        let events = stream_messages(&js, "SAFETY_AUDIT").await;
        let kinds: BTreeSet<&str> = events.iter().map(|m| m.subject.as_str()).collect();
        if kinds.len() >= 2 || Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut per_subject: BTreeMap<String, usize> = BTreeMap::new();
    for event in &audit {
        let entry = by_subject(event.subject.as_str());
        let schema = entry.validator("request_schema");
        assert_valid(
            &schema,
            &body_json(&event.payload),
            &format!("audit event on {}", event.subject),
        );
        *per_subject.entry(event.subject.to_string()).or_default() += 1;
    }
    for subject in ["safety.audit.decision", "safety.audit.budget"] {
        assert!(
            per_subject.contains_key(subject),
            "no audit event on {subject}: {per_subject:?}"
        );
    }
}

/// nats-server with `subjects/nats-permissions.conf`, killed on drop.
struct ConfiguredNats {
    port: u16,
    child: std::process::Child,
    _store: tempfile::TempDir,
}

impl Drop for ConfiguredNats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PASSWORDS: [(&str, &str); 3] = [
    ("WARDEN_NATS_PASSWORD", "warden-test-password"),
    ("WORKFLOW_NATS_PASSWORD", "workflow-test-password"),
    ("SHIPPER_NATS_PASSWORD", "shipper-test-password"),
];

fn start_configured_nats() -> ConfiguredNats {
    let store = tempfile::tempdir().expect("JetStream store dir");
    let port = support::free_port();
    let child = std::process::Command::new(support::binary("nats-server"))
        .arg("-c")
        .arg(subjects_dir().join("nats-permissions.conf"))
        .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(store.path())
        .envs(PASSWORDS)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("nats-server starts");
    support::wait_for_port(port, Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(300));
    ConfiguredNats {
        port,
        child,
        _store: store,
    }
}

/// Connects as `user`; server errors (permission violations) arrive on the channel.
async fn connect_as(
    port: u16,
    user: &str,
    password: &str,
) -> (
    async_nats::Client,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let client = async_nats::ConnectOptions::with_user_and_password(user.into(), password.into())
        .event_callback(move |event| {
            let tx = tx.clone();
            async move {
                if let async_nats::Event::ServerError(e) = event {
                    let _ = tx.send(e.to_string());
                }
            }
        })
        .connect(format!("nats://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| panic!("connect as {user}: {e}"));
    (client, rx)
}

async fn violations(rx: &mut tokio::sync::mpsc::UnboundedReceiver<String>) -> Vec<String> {
    let mut out = Vec::new();
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
        out.push(e);
    }
    out
}

/// The example permissions are enough for warden and its clients, and deny
/// workflows the subjects only warden may write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_permissions_example_lets_each_user_do_its_job_and_no_more() {
    let nats = start_configured_nats();
    let url = format!("nats://127.0.0.1:{}", nats.port);
    let _warden = WardenProcess::start(&[
        ("NATS_URL", &url),
        ("NATS_USER", "warden"),
        ("NATS_PASSWORD", PASSWORDS[0].1),
        ("WARDEN_STORE", "memory"),
    ]);

    // A workflow asks, spends over JetStream, and cannot forge audit or redacted logs.
    let (workflow, mut workflow_errors) = connect_as(nats.port, "workflow", PASSWORDS[1].1).await;
    let decision = request(
        &workflow,
        "safety.check",
        &json!({"action": "execute_code", "context": {"command": "ls"}}),
    )
    .await;
    assert_eq!(decision["allowed"], true, "{decision}");
    let workflow_js = async_nats::jetstream::new(workflow.clone());
    workflow_js
        .publish(
            "safety.spend.run-perm",
            br#"{"run_id":"run-perm","amount":0.5}"#.to_vec().into(),
        )
        .await
        .expect("workflow may publish spends")
        .await
        .expect("spend stored");
    assert!(violations(&mut workflow_errors).await.is_empty());
    for forbidden in ["safety.audit.decision", "logs.redacted.x"] {
        workflow
            .publish(forbidden, b"{}".to_vec().into())
            .await
            .expect("publish is queued");
        workflow.flush().await.expect("flush");
        let seen = violations(&mut workflow_errors).await;
        assert!(
            seen.iter()
                .any(|e| e.contains("Permissions Violation") && e.contains(forbidden)),
            "workflow could publish {forbidden}: {seen:?}"
        );
    }

    // The shipper's raw log comes out redacted: warden can consume, publish and ack.
    let (shipper, mut shipper_errors) = connect_as(nats.port, "log-shipper", PASSWORDS[2].1).await;
    async_nats::jetstream::new(shipper.clone())
        .publish("logs.raw.perm", b"hello".to_vec().into())
        .await
        .expect("shipper may publish raw logs")
        .await
        .expect("raw log stored");
    assert!(violations(&mut shipper_errors).await.is_empty());

    // Warden's own view, through its permissions: spend recorded, copy stored.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = request(
            &workflow,
            "safety.budget.get",
            &json!({"run_id": "run-perm"}),
        )
        .await;
        if same(&status["spent"], &json!(0.5)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "spend not recorded under the example permissions: {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (admin, _) = connect_as(nats.port, "warden", PASSWORDS[0].1).await;
    let js = async_nats::jetstream::new(admin);
    let deadline = Instant::now() + Duration::from_secs(20);
    while stream_messages(&js, "LOGS_REDACTED").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "no redacted copy under the example permissions"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
