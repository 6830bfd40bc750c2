//! `loadgen` — load generator and baselines for warden's benchmarks.
//!
//! Driven by `scripts/bench.sh`; usable on its own. Every measuring subcommand
//! prints exactly one machine-readable JSON line on stdout (diagnostics go to
//! stderr), so runs can be compared as *ratios against a baseline measured in
//! the same run* rather than as absolute numbers on a noisy machine.
//!
//! ```text
//! loadgen rest-spend    --url http://127.0.0.1:8080 [--requests N] [--concurrency 64]
//! loadgen nats-spend    --nats nats://127.0.0.1:4222 [--requests N] [--concurrency 64]
//! loadgen rest-check    --url URL    ...   policy check of `npm install express`
//! loadgen nats-check    --nats URL   ...   the same over `safety.check`
//! loadgen bare-axum     --port P           baseline server: one POST handler, constant JSON
//! loadgen rest-bare     --url http://127.0.0.1:P ...
//! loadgen nats-echo     --nats URL         baseline responder (queue group) on `bench.echo`
//! loadgen nats-bare     --nats URL   ...
//! loadgen pipeline      --nats URL [--messages N]   logs.raw.bench → LOGS_REDACTED (warden)
//! loadgen noop-forwarder --nats URL        BENCH_RAW → BENCH_OUT, warden's JetStream setup minus redaction
//! loadgen pipeline-noop --nats URL [--messages N]   bench.raw.bench → BENCH_OUT
//! loadgen gen-log       --out FILE [--bytes 50000000] [--corpus FILE]   realistic log file
//! loadgen report        --results FILE [--out FILE]  Markdown table of a run's JSON lines
//! ```
//!
//! Common flags: `--threads T` (tokio worker threads of the load generator,
//! default: all cores), `--seed S`. Flags take `--name value` or `--name=value`.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::future::Future;
use std::io::{BufRead, Write};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _, Result};
use bytes::Bytes;
use futures::stream::FuturesUnordered;
use futures::StreamExt;
use serde_json::{json, Value};
use warden::nats::streams::{self, Redelivery};
use warden::nats::LogPipelineSettings;

const USAGE: &str =
    "usage: loadgen <rest-spend|nats-spend|rest-check|nats-check|bare-axum|rest-bare|\
nats-echo|nats-bare|pipeline|noop-forwarder|pipeline-noop|gen-log|report> [--flag value]...";

/// The spend every request makes: one micro-unit, so N requests spend exactly N micros.
const SPEND_AMOUNT: &str = "0.000001";
const CHECK_BODY: &str = r#"{"action":"execute_code","context":{"command":"npm install express"}}"#;
/// What the baselines answer: the shape of a real decision, constant.
const BARE_REPLY: &str = r#"{"allowed":true,"reason":"Action allowed by policy","requires_approval":false,"rule":"allow.default","risk":"low","findings":[]}"#;
const ECHO_SUBJECT: &str = "bench.echo";

// The no-op forwarder's streams; their settings and consume loop are warden's own (src/nats/streams.rs).
const NOOP_RAW_STREAM: &str = "BENCH_RAW";
const NOOP_OUT_STREAM: &str = "BENCH_OUT";
const NOOP_CONSUMER: &str = "bench-forwarder";

fn main() -> Result<()> {
    let opts = Opts::parse()?;
    let threads = match opts.get("threads") {
        Some(t) => t
            .parse::<usize>()
            .map_err(|_| anyhow!("--threads: '{t}' is not a number"))?,
        None => std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    runtime.block_on(run(opts))
}

async fn run(opts: Opts) -> Result<()> {
    match opts.cmd.as_str() {
        "rest-spend" => rest_spend(&opts).await,
        "nats-spend" => nats_spend(&opts).await,
        "rest-check" => rest_load(&opts, "rest-check", "/api/v1/safety/check").await,
        "rest-bare" => rest_load(&opts, "rest-bare", "/bare").await,
        "nats-check" => nats_load(&opts, "nats-check", "safety.check").await,
        "nats-bare" => nats_load(&opts, "nats-bare", ECHO_SUBJECT).await,
        "bare-axum" => bare_axum(&opts).await,
        "nats-echo" => nats_echo(&opts).await,
        "pipeline" => {
            let target = PipelineTarget {
                bench: "pipeline",
                subject: "logs.raw.bench",
                out_stream: "LOGS_REDACTED",
                dlq_stream: Some("SAFETY_DLQ"),
            };
            pipeline(&opts, target).await
        }
        "pipeline-noop" => {
            let target = PipelineTarget {
                bench: "pipeline-noop",
                subject: "bench.raw.bench",
                out_stream: NOOP_OUT_STREAM,
                dlq_stream: None,
            };
            pipeline(&opts, target).await
        }
        "noop-forwarder" => noop_forwarder(&opts).await,
        "gen-log" => gen_log(&opts),
        "report" => report(&opts),
        other => bail!("unknown subcommand '{other}'\n{USAGE}"),
    }
}

// ---------------------------------------------------------------- arguments

struct Opts {
    cmd: String,
    flags: BTreeMap<String, String>,
}

impl Opts {
    fn parse() -> Result<Opts> {
        let mut args = std::env::args().skip(1);
        let cmd = args.next().ok_or_else(|| anyhow!(USAGE))?;
        if cmd == "-h" || cmd == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let mut flags = BTreeMap::new();
        while let Some(arg) = args.next() {
            let Some(flag) = arg.strip_prefix("--") else {
                bail!("unexpected argument '{arg}'\n{USAGE}");
            };
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => {
                    let value = args
                        .next()
                        .ok_or_else(|| anyhow!("--{flag} needs a value"))?;
                    (flag.to_string(), value)
                }
            };
            flags.insert(name, value);
        }
        Ok(Opts { cmd, flags })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.flags.get(name).map(String::as_str)
    }

    fn required(&self, name: &str) -> Result<String> {
        self.get(name)
            .map(str::to_string)
            .ok_or_else(|| anyhow!("{}: --{name} is required", self.cmd))
    }

    fn num<T: FromStr>(&self, name: &str, default: T) -> Result<T> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| anyhow!("--{name}: '{v}' is not a valid number")),
        }
    }

    fn load(&self) -> Result<(usize, usize)> {
        let requests = self.num("requests", 20_000usize)?;
        let concurrency = self.num("concurrency", 64usize)?.max(1);
        Ok((requests, concurrency))
    }
}

// ---------------------------------------------------------------- load engine

/// Latencies (µs) and errors of one closed-loop run.
struct Stats {
    requests: usize,
    concurrency: usize,
    elapsed: Duration,
    latencies_us: Vec<u64>,
    errors: BTreeMap<String, usize>,
}

impl Stats {
    fn error_count(&self) -> usize {
        self.errors.values().sum()
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let last = self.latencies_us.len() - 1;
        let idx = ((p / 100.0) * last as f64).round() as usize;
        self.latencies_us[idx.min(last)] as f64 / 1000.0
    }

    fn to_json(&self, bench: &str) -> Value {
        let secs = self.elapsed.as_secs_f64();
        json!({
            "bench": bench,
            "requests": self.requests,
            "concurrency": self.concurrency,
            "elapsed_s": round3(secs),
            "rps": round1(self.requests as f64 / secs.max(1e-9)),
            "p50_ms": round3(self.percentile_ms(50.0)),
            "p90_ms": round3(self.percentile_ms(90.0)),
            "p99_ms": round3(self.percentile_ms(99.0)),
            "p999_ms": round3(self.percentile_ms(99.9)),
            "max_ms": round3(self.percentile_ms(100.0)),
            "errors": self.error_count(),
            "error_kinds": self.errors,
        })
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Runs `requests` calls of `call`, `concurrency` at a time (closed loop: each
/// worker starts its next call when the previous one answered).
async fn drive<F, Fut>(requests: usize, concurrency: usize, call: F) -> Stats
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let call = Arc::new(call);
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (next, call) = (Arc::clone(&next), Arc::clone(&call));
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors: BTreeMap<String, usize> = BTreeMap::new();
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let t = Instant::now();
                let outcome = call().await;
                latencies.push(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX));
                if let Err(e) = outcome {
                    *errors.entry(e).or_default() += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies_us = Vec::with_capacity(requests);
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for worker in workers {
        match worker.await {
            Ok((l, e)) => {
                latencies_us.extend(l);
                for (k, v) in e {
                    *errors.entry(k).or_default() += v;
                }
            }
            Err(e) => *errors.entry(format!("worker panicked: {e}")).or_default() += 1,
        }
    }
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    Stats {
        requests,
        concurrency,
        elapsed,
        latencies_us,
        errors,
    }
}

/// Warms connections and code paths up; errors here are reported but not counted.
async fn warm_up<F, Fut>(concurrency: usize, call: F)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let stats = drive(concurrency * 4, concurrency, call).await;
    if stats.error_count() > 0 {
        eprintln!("loadgen: warm-up errors: {:?}", stats.errors);
    }
}

fn emit(value: &Value) {
    println!("{value}");
}

/// A run id no earlier run used.
fn fresh_run_id(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{}", &id[..12])
}

fn spend_body(run_id: &str) -> Bytes {
    // Built by hand: the amount must reach warden as the decimal text, not as an f64.
    Bytes::from(format!(
        r#"{{"run_id":"{run_id}","amount":{SPEND_AMOUNT}}}"#
    ))
}

/// `1234` micros → `"0.001234"`.
fn micros_text(micros: u64) -> String {
    format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
}

/// Exact decimal text → micro-units (`"0.02"` → 20000); `None` if not a plain decimal.
fn decimal_micros(text: &str) -> Option<u64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 6 || int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int: u64 = int.parse().ok()?;
    let frac: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}").parse().ok()?
    };
    int.checked_mul(1_000_000)?.checked_add(frac)
}

/// Adds `verified`, `spent`, `expected_spent` to a spend run's JSON.
fn add_verification(out: &mut Value, status: Result<Value, String>, requests: usize) {
    let expected = micros_text(requests as u64);
    let (verified, spent) = match status {
        Ok(status) => {
            let spent = status.get("spent").map(Value::to_string);
            let ok = spent.as_deref().and_then(decimal_micros) == Some(requests as u64);
            (
                ok,
                spent.unwrap_or_else(|| format!("no 'spent' in {status}")),
            )
        }
        Err(e) => (false, format!("status unavailable: {e}")),
    };
    if !verified {
        eprintln!("loadgen: spend verification FAILED: spent {spent}, expected {expected}");
    }
    out["verified"] = json!(verified);
    out["spent"] = json!(spent);
    out["expected_spent"] = json!(expected);
}

// ---------------------------------------------------------------- REST

fn http_client(concurrency: usize) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
        .context("cannot build the HTTP client")
}

fn http_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "http: timeout".into()
    } else if e.is_connect() {
        "http: connect error".into()
    } else {
        let mut text = format!("http: {e}");
        text.truncate(120);
        text
    }
}

/// `{"error": {"code": …}}` → the code, for grouping errors.
fn error_code(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/code")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "non-JSON body".into())
}

async fn post(client: &reqwest::Client, url: &str, body: Bytes) -> Result<(), String> {
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| http_error(&e))?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| http_error(&e))?;
    if !status.is_success() {
        return Err(format!("http {}: {}", status.as_u16(), error_code(&bytes)));
    }
    Ok(())
}

async fn rest_load(opts: &Opts, bench: &str, path: &str) -> Result<()> {
    let base = opts.required("url")?;
    let (requests, concurrency) = opts.load()?;
    let client = http_client(concurrency)?;
    let url: Arc<str> = format!("{}{path}", base.trim_end_matches('/')).into();
    let body = Bytes::from_static(CHECK_BODY.as_bytes());
    let call = move || {
        let (client, url, body) = (client.clone(), Arc::clone(&url), body.clone());
        async move { post(&client, &url, body).await }
    };
    warm_up(concurrency, call.clone()).await;
    let stats = drive(requests, concurrency, call).await;
    emit(&stats.to_json(bench));
    Ok(())
}

async fn rest_spend(opts: &Opts) -> Result<()> {
    let base = opts.required("url")?.trim_end_matches('/').to_string();
    let (requests, concurrency) = opts.load()?;
    let client = http_client(concurrency)?;
    let url: Arc<str> = format!("{base}/api/v1/safety/budget/spend").into();
    let spend = |run_id: String| {
        let (client, url) = (client.clone(), Arc::clone(&url));
        let body = spend_body(&run_id);
        move || {
            let (client, url, body) = (client.clone(), Arc::clone(&url), body.clone());
            async move { post(&client, &url, body).await }
        }
    };
    warm_up(concurrency, spend(fresh_run_id("bench-warm"))).await;
    let run_id = fresh_run_id("bench");
    let stats = drive(requests, concurrency, spend(run_id.clone())).await;
    let mut out = stats.to_json("rest-spend");
    let status = async {
        let response = client
            .get(format!("{base}/api/v1/safety/budget/{run_id}"))
            .send()
            .await
            .map_err(|e| http_error(&e))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| http_error(&e))?;
        if !status.is_success() {
            return Err(format!("http {}: {}", status.as_u16(), error_code(&body)));
        }
        serde_json::from_slice::<Value>(&body).map_err(|e| e.to_string())
    }
    .await;
    out["run_id"] = json!(run_id);
    add_verification(&mut out, status, requests);
    emit(&out);
    Ok(())
}

// ---------------------------------------------------------------- NATS request/reply

async fn nats_connect(opts: &Opts) -> Result<async_nats::Client> {
    let url = opts.required("nats")?;
    async_nats::ConnectOptions::new()
        .request_timeout(Some(Duration::from_secs(30)))
        .connect(url.as_str())
        .await
        .with_context(|| format!("cannot connect to NATS at {url}"))
}

/// One request; an error object in the reply counts as an error.
async fn nats_request(
    client: &async_nats::Client,
    subject: &'static str,
    body: Bytes,
) -> Result<Value, String> {
    let reply = client.request(subject, body).await.map_err(|e| {
        let mut text = format!("nats: {e}");
        text.truncate(120);
        text
    })?;
    let value: Value =
        serde_json::from_slice(&reply.payload).map_err(|_| "nats: non-JSON reply".to_string())?;
    if let Some(code) = value.pointer("/error/code") {
        return Err(format!("nats error: {}", code.as_str().unwrap_or("?")));
    }
    Ok(value)
}

async fn nats_load(opts: &Opts, bench: &str, subject: &'static str) -> Result<()> {
    let (requests, concurrency) = opts.load()?;
    let client = nats_connect(opts).await?;
    let body = Bytes::from_static(CHECK_BODY.as_bytes());
    let call = move || {
        let (client, body) = (client.clone(), body.clone());
        async move { nats_request(&client, subject, body).await.map(|_| ()) }
    };
    warm_up(concurrency, call.clone()).await;
    let stats = drive(requests, concurrency, call).await;
    emit(&stats.to_json(bench));
    Ok(())
}

async fn nats_spend(opts: &Opts) -> Result<()> {
    let (requests, concurrency) = opts.load()?;
    let client = nats_connect(opts).await?;
    let spend = |run_id: String| {
        let client = client.clone();
        let body = spend_body(&run_id);
        move || {
            let (client, body) = (client.clone(), body.clone());
            async move {
                nats_request(&client, "safety.budget.spend", body)
                    .await
                    .map(|_| ())
            }
        }
    };
    warm_up(concurrency, spend(fresh_run_id("bench-warm"))).await;
    let run_id = fresh_run_id("bench");
    let stats = drive(requests, concurrency, spend(run_id.clone())).await;
    let mut out = stats.to_json("nats-spend");
    let get = Bytes::from(json!({ "run_id": run_id }).to_string());
    let status = nats_request(&client, "safety.budget.get", get).await;
    out["run_id"] = json!(run_id);
    add_verification(&mut out, status, requests);
    emit(&out);
    Ok(())
}

// ---------------------------------------------------------------- baselines

async fn bare_handler(
    axum::Json(_body): axum::Json<Value>,
) -> ([(axum::http::HeaderName, &'static str); 1], &'static str) {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        BARE_REPLY,
    )
}

async fn bare_axum(opts: &Opts) -> Result<()> {
    let port: u16 = opts.num("port", 0)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("cannot bind 127.0.0.1:{port}"))?;
    let app = axum::Router::new().route("/bare", axum::routing::post(bare_handler));
    eprintln!("ready {}", listener.local_addr()?);
    axum::serve(listener, app).await.context("bare axum server")
}

async fn nats_echo(opts: &Opts) -> Result<()> {
    let client = nats_connect(opts).await?;
    let mut sub = client
        .queue_subscribe(ECHO_SUBJECT, "bench".to_string())
        .await
        .context("cannot subscribe")?;
    client.flush().await.context("flush")?;
    eprintln!("ready {ECHO_SUBJECT}");
    let reply_body = Bytes::from_static(BARE_REPLY.as_bytes());
    while let Some(message) = sub.next().await {
        if let Some(reply) = message.reply {
            client
                .publish(reply, reply_body.clone())
                .await
                .context("reply")?;
        }
    }
    Ok(())
}

/// Warden's log pipeline minus the redaction: same stream and consumer
/// settings, same concurrency, same publish-ack-then-ack order, same headers.
async fn noop_forwarder(opts: &Opts) -> Result<()> {
    let client = nats_connect(opts).await?;
    let js = async_nats::jetstream::new(client);
    // Warden's own stream, consumer and consume-loop code, so the baseline
    // differs from the pipeline in the redaction only.
    for (name, subjects) in [
        (NOOP_RAW_STREAM, "bench.raw.>"),
        (NOOP_OUT_STREAM, "bench.out.>"),
    ] {
        streams::ensure_stream(&js, name, subjects)
            .await
            .map_err(|e| anyhow!(e))?;
    }
    let in_flight = LogPipelineSettings::default().in_flight;
    let (_, messages) = streams::open(
        &js,
        NOOP_RAW_STREAM,
        NOOP_CONSUMER,
        in_flight,
        Redelivery::Bounded,
    )
    .await
    .map_err(|e| anyhow!(e))?;
    eprintln!("ready {NOOP_RAW_STREAM} -> {NOOP_OUT_STREAM}");
    let never = tokio_util::sync::CancellationToken::new();
    streams::process_concurrently(messages, in_flight, never, |message| {
        let js = js.clone();
        async move {
            let (sequence, delivered) = message
                .info()
                .map_or((0, 1), |i| (i.stream_sequence, i.delivered));
            let suffix = message
                .subject
                .as_str()
                .strip_prefix("bench.raw.")
                .unwrap_or("unknown")
                .to_string();
            let mut headers = message.headers.clone().unwrap_or_default();
            headers.insert(
                "Nats-Msg-Id",
                format!("{NOOP_RAW_STREAM}:{sequence}").as_str(),
            );
            headers.insert("Warden-Source-Sequence", sequence.to_string().as_str());
            let body = message.payload.clone();
            let stored = match js
                .publish_with_headers(format!("bench.out.{suffix}"), headers, body)
                .await
            {
                Ok(ack) => ack.await.map(|_| ()).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match stored {
                Ok(()) => {
                    if let Err(e) = message.ack().await {
                        eprintln!("noop-forwarder: ack failed: {e}");
                    }
                }
                Err(e) => {
                    eprintln!("noop-forwarder: copy not stored: {e}");
                    let delay = streams::retry_delay(delivered);
                    let _ = message
                        .ack_with(async_nats::jetstream::AckKind::Nak(Some(delay)))
                        .await;
                }
            }
        }
    })
    .await;
    Ok(())
}

// ---------------------------------------------------------------- pipeline load

struct PipelineTarget {
    bench: &'static str,
    subject: &'static str,
    out_stream: &'static str,
    dlq_stream: Option<&'static str>,
}

async fn stream_messages(js: &async_nats::jetstream::Context, name: &str) -> Result<u64> {
    let stream = js
        .get_stream(name)
        .await
        .with_context(|| format!("no stream {name}"))?;
    let info = stream
        .get_info()
        .await
        .with_context(|| format!("info of {name}"))?;
    Ok(info.state.messages)
}

/// Publishes N log lines (acks awaited with many in flight, `Nats-Msg-Id` so a
/// retried publish is never stored twice) and waits until the out stream holds
/// N more messages.
async fn pipeline(opts: &Opts, target: PipelineTarget) -> Result<()> {
    let messages: usize = opts.num("messages", 50_000)?;
    let acks_in_flight: usize = opts.num("in-flight", 4096usize)?.max(1);
    let timeout = Duration::from_secs(opts.num("timeout", 600u64)?);
    let seed: u64 = opts.num("seed", 0x5eed)?;
    let client = nats_connect(opts).await?;
    let js = async_nats::jetstream::new(client);
    let out_before = stream_messages(&js, target.out_stream).await?;
    let dlq_before = match target.dlq_stream {
        Some(dlq) => stream_messages(&js, dlq).await.ok(),
        None => None,
    };
    let batch = fresh_run_id(target.bench);

    // Generate up front: the publisher should not be slowed by formatting.
    let mut gen = LineGen::new(seed);
    let lines: Vec<Bytes> = (0..messages).map(|i| Bytes::from(gen.line(i))).collect();
    let secrets = (0..messages).filter(|i| LineGen::is_secret(*i)).count();
    let bytes: usize = lines.iter().map(Bytes::len).sum();

    let started = Instant::now();
    let publisher = {
        let js = js.clone();
        let subject = target.subject;
        tokio::spawn(async move {
            let mut pending = FuturesUnordered::new();
            let mut retries = 0usize;
            let mut failed = 0usize;
            let publish = |i: usize, line: Bytes| {
                let js = js.clone();
                let id = format!("{batch}-{i}");
                async move {
                    let mut last = String::new();
                    for attempt in 0..5u32 {
                        let mut headers = async_nats::HeaderMap::new();
                        headers.insert("Nats-Msg-Id", id.as_str());
                        match js
                            .publish_with_headers(subject, headers, line.clone())
                            .await
                        {
                            Ok(ack) => match ack.await {
                                Ok(_) => return (attempt, Ok(())),
                                Err(e) => last = e.to_string(),
                            },
                            Err(e) => last = e.to_string(),
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    (5, Err(last))
                }
            };
            for (i, line) in lines.into_iter().enumerate() {
                pending.push(publish(i, line));
                while pending.len() >= acks_in_flight {
                    if let Some((attempts, result)) = pending.next().await {
                        retries += attempts as usize;
                        if let Err(e) = result {
                            failed += 1;
                            eprintln!("loadgen: publish failed: {e}");
                        }
                    }
                }
            }
            while let Some((attempts, result)) = pending.next().await {
                retries += attempts as usize;
                if let Err(e) = result {
                    failed += 1;
                    eprintln!("loadgen: publish failed: {e}");
                }
            }
            (started.elapsed(), retries, failed)
        })
    };

    let target_count = out_before + messages as u64;
    let mut seen = out_before;
    let mut timed_out = false;
    while seen < target_count {
        if started.elapsed() > timeout {
            timed_out = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        seen = stream_messages(&js, target.out_stream).await?;
    }
    let elapsed = started.elapsed();
    let (publish_elapsed, retries, failed) = publisher.await.context("publisher task")?;
    // Anything beyond N after a pause is a duplicate.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let settled = stream_messages(&js, target.out_stream).await? - out_before;
    let dlq = match (target.dlq_stream, dlq_before) {
        (Some(name), Some(before)) => stream_messages(&js, name).await.ok().map(|n| n - before),
        _ => None,
    };
    let secs = elapsed.as_secs_f64().max(1e-9);
    emit(&json!({
        "bench": target.bench,
        "messages": messages,
        "bytes": bytes,
        "secrets": secrets,
        "elapsed_s": round3(secs),
        "msgs_per_s": round1(messages as f64 / secs),
        "mb_per_s": round3(bytes as f64 / 1e6 / secs),
        "publish_s": round3(publish_elapsed.as_secs_f64()),
        "publish_retries": retries,
        "errors": failed + usize::from(timed_out) + usize::from(settled != messages as u64),
        "timed_out": timed_out,
        "out_messages": settled,
        "dlq_messages": dlq,
    }));
    Ok(())
}

// ---------------------------------------------------------------- realistic logs

/// Deterministic generator of log lines in three formats (access, JSON, app);
/// line `i` carries a secret when `i % 1000 == 999`.
struct LineGen {
    state: u64,
}

const SERVICES: &[&str] = &[
    "gateway",
    "auth-svc",
    "billing",
    "scheduler",
    "worker",
    "search",
];
const LEVELS: &[&str] = &["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];
const WORDS: &[&str] = &[
    "request",
    "completed",
    "cache",
    "miss",
    "upstream",
    "retry",
    "queue",
    "batch",
    "order",
    "latency",
    "processed",
    "connection",
    "timeout",
    "user",
    "session",
    "flushed",
    "committed",
];
const PATHS: &[&str] = &[
    "/api/v1/users",
    "/api/v1/orders",
    "/healthz",
    "/static/app.js",
    "/api/v2/search",
    "/login",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64)",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
];
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl LineGen {
    fn new(seed: u64) -> LineGen {
        LineGen {
            state: seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    fn is_secret(i: usize) -> bool {
        i % 1000 == 999
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn alnum(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| ALNUM[self.below(ALNUM.len())] as char)
            .collect()
    }

    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16)]))
            .collect()
    }

    fn timestamp(&mut self) -> String {
        format!(
            "2024-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            1 + self.below(12),
            1 + self.below(28),
            self.below(24),
            self.below(60),
            self.below(60),
            self.below(1000)
        )
    }

    fn words(&mut self, n: usize) -> String {
        let words: Vec<&str> = (0..n).map(|_| self.pick(WORDS)).collect();
        words.join(" ")
    }

    fn secret(&mut self, i: usize) -> String {
        let ts = self.timestamp();
        let svc = self.pick(SERVICES);
        match (i / 1000) % 4 {
            0 => format!(
                "{ts} INFO [{svc}] cloning repository with token=ghp_{}",
                self.alnum(36)
            ),
            1 => format!(
                "{ts} WARN [{svc}] connecting to postgres://app:{}@db.internal:5432/app",
                self.alnum(14)
            ),
            2 => format!(
                "{ts} DEBUG [{svc}] aws config aws_access_key_id=AKIA{}",
                self.alnum(16).to_ascii_uppercase()
            ),
            _ => format!(
                r#"{{"ts": "{ts}", "level": "DEBUG", "service": "{svc}", "msg": "calling model", "api_key": "sk-ant-api03-{}-{}AA"}}"#,
                self.alnum(40),
                self.alnum(50)
            ),
        }
    }

    fn line(&mut self, i: usize) -> String {
        if Self::is_secret(i) {
            return self.secret(i);
        }
        let ts = self.timestamp();
        match self.below(3) {
            0 => format!(
                r#"{}.{}.{}.{} - - [{ts}] "{} {}?page={} HTTP/1.1" {} {} "-" "{}""#,
                1 + self.below(254),
                self.below(256),
                self.below(256),
                1 + self.below(254),
                ["GET", "GET", "POST", "PUT"][self.below(4)],
                self.pick(PATHS),
                self.below(100),
                [200, 200, 200, 201, 304, 404, 500][self.below(7)],
                self.below(100_000),
                self.pick(AGENTS)
            ),
            1 => format!(
                r#"{{"ts": "{ts}", "level": "{}", "service": "{}", "msg": "{}", "request_id": "{}", "duration_ms": {}}}"#,
                self.pick(LEVELS),
                self.pick(SERVICES),
                {
                    let n = 4 + self.below(4);
                    self.words(n)
                },
                self.hex(32),
                self.below(5000)
            ),
            _ => format!(
                "{ts} {:<5} [{}] {} user_id={} trace={}",
                self.pick(LEVELS),
                self.pick(SERVICES),
                {
                    let n = 5 + self.below(8);
                    self.words(n)
                },
                self.below(1_000_000),
                self.hex(16)
            ),
        }
    }
}

/// Writes a realistic log of about `--bytes` bytes: clean lines of the corpus
/// (its planted secrets removed) interleaved with generated lines, and one
/// generated secret every 1,000 lines.
fn gen_log(opts: &Opts) -> Result<()> {
    let out_path = opts.required("out")?;
    let target: usize = opts.num("bytes", 50_000_000)?;
    let mut gen = LineGen::new(opts.num("seed", 0x10c5)?);
    let corpus = match opts.get("corpus") {
        Some(path) => clean_corpus_lines(path)?,
        None => Vec::new(),
    };
    let file = std::fs::File::create(&out_path).with_context(|| format!("create {out_path}"))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let (mut written, mut lines, mut secrets, mut next_corpus) = (0usize, 0usize, 0usize, 0usize);
    while written < target {
        let line = if LineGen::is_secret(lines) {
            secrets += 1;
            gen.secret(lines)
        } else if !corpus.is_empty() && lines % 2 == 0 {
            next_corpus = (next_corpus + 1) % corpus.len();
            corpus[next_corpus].clone()
        } else {
            gen.line(lines)
        };
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        written += line.len() + 1;
        lines += 1;
    }
    out.flush()?;
    emit(&json!({
        "bench": "gen-log",
        "path": out_path,
        "bytes": written,
        "lines": lines,
        "secrets": secrets,
        "corpus_lines": corpus.len(),
    }));
    Ok(())
}

/// The corpus without the lines that hold its planted secrets (listed in
/// `<corpus>.truth.jsonl`, when present).
fn clean_corpus_lines(path: &str) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {path}"))?;
    let mut skip = HashSet::new();
    let truth = format!("{path}.truth.jsonl");
    if let Ok(file) = std::fs::File::open(&truth) {
        for line in std::io::BufReader::new(file).lines() {
            let entry: Value = serde_json::from_str(&line?).context("truth line")?;
            let first = entry["line"]
                .as_u64()
                .context("truth line without 'line'")? as usize;
            let extra = entry["secret"]
                .as_str()
                .map_or(0, |s| s.matches('\n').count());
            // A multi-line secret (PEM) may be followed by its END line.
            let last = first + extra + usize::from(extra > 0);
            skip.extend(first..=last);
        }
    }
    Ok(text
        .lines()
        .enumerate()
        .filter(|(i, _)| !skip.contains(&(i + 1)))
        .map(|(_, l)| l.to_string())
        .collect())
}

// ---------------------------------------------------------------- report

/// Markdown table of one run: each measured value against its baseline.
fn report(opts: &Opts) -> Result<()> {
    let path = opts.required("results")?;
    let text = std::fs::read_to_string(&path).with_context(|| format!("read {path}"))?;
    let mut runs: BTreeMap<String, Value> = BTreeMap::new();
    for line in text.lines().filter(|l| l.trim_start().starts_with('{')) {
        let value: Value =
            serde_json::from_str(line).with_context(|| format!("bad line {line}"))?;
        if let Some(bench) = value.get("bench").and_then(Value::as_str) {
            runs.insert(bench.to_string(), value);
        }
    }
    // (name, bench, baseline bench, metric, unit)
    let rows = [
        (
            "REST spend (64 in flight)",
            "rest-spend",
            "redis-spend",
            "rps",
            "req/s",
        ),
        (
            "NATS spend (64 in flight)",
            "nats-spend",
            "redis-spend",
            "rps",
            "req/s",
        ),
        (
            "REST check (64 in flight)",
            "rest-check",
            "rest-bare",
            "rps",
            "req/s",
        ),
        (
            "NATS check (64 in flight)",
            "nats-check",
            "nats-bare",
            "rps",
            "req/s",
        ),
        (
            "redact CLI (stdin)",
            "redact-cli",
            "grep",
            "mb_per_s",
            "MB/s",
        ),
        (
            "redact CLI (file arg)",
            "redact-cli-file",
            "grep",
            "mb_per_s",
            "MB/s",
        ),
        (
            "log pipeline",
            "pipeline",
            "pipeline-noop",
            "msgs_per_s",
            "msgs/s",
        ),
    ];
    let baseline_names: BTreeMap<&str, &str> = [
        ("redis-spend", "redis-benchmark EVALSHA spend.lua"),
        ("rest-bare", "bare axum handler"),
        ("nats-bare", "raw NATS req/reply"),
        ("grep", "grep -c -E"),
        ("pipeline-noop", "no-op JetStream forwarder"),
    ]
    .into_iter()
    .collect();
    let num = |run: Option<&Value>, key: &str| run.and_then(|r| r.get(key)).and_then(Value::as_f64);
    let mut md = String::new();
    md.push_str("| benchmark | value | baseline | baseline value | ratio | p50 / p99 ms (base p50 / p99) | errors | notes |\n");
    md.push_str("|---|---:|---|---:|---:|---|---:|---|\n");
    for (name, bench, base, metric, unit) in rows {
        let (run, base_run) = (runs.get(bench), runs.get(base));
        if run.is_none() && base_run.is_none() {
            continue;
        }
        let value = num(run, metric);
        let base_value = num(base_run, metric);
        let fmt = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.1} {unit}"));
        let ratio = match (value, base_value) {
            (Some(v), Some(b)) if b > 0.0 => format!("{:.3}", v / b),
            _ => "–".into(),
        };
        let lat = |r: Option<&Value>| match (num(r, "p50_ms"), num(r, "p99_ms")) {
            (Some(a), Some(b)) => format!("{a:.2} / {b:.2}"),
            _ => String::new(),
        };
        let latency = match (lat(run), lat(base_run)) {
            (a, b) if a.is_empty() && b.is_empty() => String::new(),
            (a, b) => format!("{a} ({b})"),
        };
        let errors = num(run, "errors").unwrap_or(0.0) + num(base_run, "errors").unwrap_or(0.0);
        let mut notes = Vec::new();
        for r in [run, base_run].into_iter().flatten() {
            if r.get("verified") == Some(&Value::Bool(false)) {
                notes.push(format!(
                    "{}: spent {} ≠ expected {}",
                    r["bench"].as_str().unwrap_or("?"),
                    r["spent"],
                    r["expected_spent"]
                ));
            }
            if let Some(kinds) = r.get("error_kinds").and_then(Value::as_object) {
                if !kinds.is_empty() {
                    notes.push(format!(
                        "{}: {}",
                        r["bench"].as_str().unwrap_or("?"),
                        Value::from(kinds.clone())
                    ));
                }
            }
            if let Some(note) = r.get("note").and_then(Value::as_str) {
                notes.push(note.to_string());
            }
        }
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {} | {ratio} | {latency} | {errors} | {} |",
            fmt(value),
            baseline_names.get(base).copied().unwrap_or(base),
            fmt(base_value),
            notes.join("; ").replace('|', "\\|")
        );
    }
    md.push_str(&cpu_table(&runs));
    print!("{md}");
    if let Some(out) = opts.get("out") {
        std::fs::write(out, &md).with_context(|| format!("write {out}"))?;
    }
    Ok(())
}

/// Where the CPU went: ms of CPU per 1,000 requests (or messages) for each
/// server process `bench.sh` sampled around the run (`cpu_ms`).
fn cpu_table(runs: &BTreeMap<String, Value>) -> String {
    let columns = [
        ("warden", "warden"),
        ("nats", "nats-server"),
        ("redis", "redis-server"),
        ("bare", "bare axum"),
        ("echo", "NATS echo"),
        ("noop", "no-op forwarder"),
    ];
    let order = [
        "redis-spend",
        "rest-spend",
        "nats-spend",
        "rest-bare",
        "rest-check",
        "nats-bare",
        "nats-check",
        "pipeline",
        "pipeline-noop",
    ];
    let mut md = String::from(
        "\nServer CPU per 1,000 requests / messages (ms; the load generator's own CPU is not counted):\n\n",
    );
    md.push_str("| benchmark |");
    for (_, title) in columns {
        let _ = write!(md, " {title} |");
    }
    md.push_str(" total |\n|---|");
    md.push_str(&"---:|".repeat(columns.len() + 1));
    md.push('\n');
    let mut any = false;
    for bench in order {
        let Some(run) = runs.get(bench) else { continue };
        let Some(cpu) = run.get("cpu_ms").and_then(Value::as_object) else {
            continue;
        };
        let count = ["requests", "messages"]
            .iter()
            .find_map(|k| run.get(*k).and_then(Value::as_f64))
            .unwrap_or(0.0);
        if count <= 0.0 {
            continue;
        }
        any = true;
        let _ = write!(md, "| {bench} |");
        let mut total = 0.0;
        for (key, _) in columns {
            match cpu.get(key).and_then(Value::as_f64) {
                Some(ms) => {
                    total += ms;
                    let _ = write!(md, " {:.0} |", ms * 1000.0 / count);
                }
                None => md.push_str(" |"),
            }
        }
        let _ = writeln!(md, " {:.0} |", total * 1000.0 / count);
    }
    if any {
        md
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_micros_is_exact() {
        assert_eq!(decimal_micros("0.02"), Some(20_000));
        assert_eq!(decimal_micros("0.000001"), Some(1));
        assert_eq!(decimal_micros("3"), Some(3_000_000));
        assert_eq!(decimal_micros("1e-6"), None);
        assert_eq!(micros_text(20_000), "0.020000");
    }

    #[test]
    fn one_secret_per_thousand_lines() {
        let mut gen = LineGen::new(1);
        let lines: Vec<String> = (0..3000).map(|i| gen.line(i)).collect();
        let secret_lines = lines
            .iter()
            .filter(|l| l.contains("ghp_") || l.contains("postgres://") || l.contains("AKIA"))
            .count();
        assert_eq!(secret_lines, 3);
    }
}
