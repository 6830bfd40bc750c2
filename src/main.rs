//! The `warden` binary: parse the command line, load config, run, map errors
//! to exit codes. Everything else lives in the library.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use warden::budget::Money;
use warden::config::{Config, LogFormat, StoreKind};
use warden::error::ApiError;
use warden::server;
use warden::service::{
    parse, Caller, CanSpendRequest, CheckRequest, CreateBudgetRequest, Request, RunRequest,
    SpendRequest, Surface, Warden,
};
use warden::stream_io::flush_when_idle;

#[derive(Parser)]
#[command(
    name = "warden",
    version,
    about = "Safety and governance for autonomous agent workflows"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve REST, NATS request/reply and the JetStream pipelines.
    Serve {
        /// Budget store (default: WARDEN_STORE, else redis); memory is for dev only.
        #[arg(long, value_enum)]
        store: Option<StoreArg>,
    },
    /// Check actions: one JSON request per stdin line, or one action from flags.
    Check {
        /// Action type (execute_code, deploy, create_billing, delete_files, network_access).
        action: Option<String>,
        /// Shell command for execute_code.
        #[arg(long)]
        command: Option<String>,
        /// URL for network_access.
        #[arg(long)]
        url: Option<String>,
        /// Path for delete_files.
        #[arg(long)]
        path: Option<String>,
        /// Full context as JSON (merged under the flags above).
        #[arg(long)]
        context: Option<String>,
    },
    /// Redact secrets: FILE (or stdin) to stdout, streaming.
    Redact {
        /// Also redact assignments and current values of this env var (repeatable).
        #[arg(long = "env-var", value_name = "NAME")]
        env_vars: Vec<String>,
        /// Print the findings ({"findings": [{"kind","start","end"}]}) instead of the text.
        #[arg(long)]
        json: bool,
        file: Option<std::path::PathBuf>,
    },
    /// Budget operations against the configured store; prints the JSON status.
    Budget {
        #[command(subcommand)]
        op: BudgetOp,
    },
}

/// `--store`: where budgets and approvals live.
#[derive(Clone, Copy, clap::ValueEnum)]
enum StoreArg {
    Redis,
    Memory,
}

impl From<StoreArg> for StoreKind {
    fn from(arg: StoreArg) -> Self {
        match arg {
            StoreArg::Redis => StoreKind::Redis,
            StoreArg::Memory => StoreKind::Memory,
        }
    }
}

#[derive(Subcommand)]
enum BudgetOp {
    Create {
        run_id: String,
        limit: Option<String>,
    },
    Spend {
        run_id: String,
        amount: String,
    },
    Get {
        run_id: String,
    },
    CanSpend {
        run_id: String,
        amount: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("warden: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("warden: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        // The reader went away (`warden redact f | head`): done, like ripgrep.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warden: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `error` comes from writing to a closed pipe.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Plain => builder.init(),
    }
}

async fn run(command: Command, mut config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { store } => {
            if let Some(store) = store {
                config.store = store.into();
            }
            let listener = tokio::net::TcpListener::bind(config.http_addr)
                .await
                .with_context(|| {
                    format!("cannot listen on WARDEN_HTTP_ADDR={}", config.http_addr)
                })?;
            let shutdown = CancellationToken::new();
            tokio::spawn(cancel_on_signal(shutdown.clone()));
            server::run(config, listener, shutdown).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            action,
            command,
            url,
            path,
            context,
        } => {
            let oneshot = server::OneShot::open(&config, false, true).await?;
            let warden = &oneshot.warden;
            let code = match action {
                Some(action) => check_one(warden, action, command, url, path, context).await,
                None => check_lines(warden).await,
            };
            oneshot.finish().await;
            code
        }
        Command::Redact {
            env_vars,
            json,
            file,
        } => {
            let oneshot = server::OneShot::open(&config, false, false).await?;
            redact(&oneshot.warden, env_vars, json, file)
        }
        Command::Budget { op } => {
            let oneshot = server::OneShot::open(&config, true, true).await?;
            let code = budget(&oneshot.warden, op).await;
            oneshot.finish().await;
            code
        }
    }
}

async fn check_one(
    warden: &Warden,
    action: String,
    command: Option<String>,
    url: Option<String>,
    path: Option<String>,
    context: Option<String>,
) -> anyhow::Result<ExitCode> {
    let mut ctx: serde_json::Map<String, serde_json::Value> = match context {
        Some(raw) => serde_json::from_str(&raw).context("--context must be a JSON object")?,
        None => serde_json::Map::new(),
    };
    for (key, value) in [("command", command), ("url", url), ("path", path)] {
        if let Some(value) = value {
            ctx.insert(key.into(), value.into());
        }
    }
    let mut request = CheckRequest {
        action,
        context: serde_json::Value::Object(ctx),
    };
    with_process_cwd(&mut request);
    print_answer(call(warden, Request::Check(request)).await)
}

/// Runs one typed request as the CLI caller and encodes the answer.
async fn call(warden: &Warden, request: Request) -> Result<Vec<u8>, ApiError> {
    warden
        .call(request, &Caller::new(Surface::Cli, "cli"))
        .await?
        .to_json()
}

/// The CLI runs where the agent runs: a shell or delete check without
/// `context.cwd` is judged in this process's working directory.
fn with_process_cwd(request: &mut CheckRequest) {
    let judged_in_a_directory = matches!(request.action.as_str(), "execute_code" | "delete_files");
    let Some(context) = request.context.as_object_mut() else {
        return;
    };
    if !judged_in_a_directory || context.contains_key("cwd") {
        return;
    }
    if let Some(dir) = std::env::current_dir()
        .ok()
        .and_then(|d| d.to_str().map(String::from))
    {
        context.insert("cwd".into(), dir.into());
    }
}

/// One JSON request per line in, one JSON answer per line out, in order.
async fn check_lines(warden: &Warden) -> anyhow::Result<ExitCode> {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    let mut failed = false;
    for line in stdin.lock().lines() {
        let line = line.context("reading stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        // Parsed once, with the same errors as every surface.
        let answer = match parse::<CheckRequest>(line.as_bytes()) {
            Ok(mut request) => {
                with_process_cwd(&mut request);
                call(warden, Request::Check(request)).await
            }
            Err(err) => Err(err),
        };
        let answer = match answer {
            Ok(json) => json,
            Err(err) => {
                failed = true;
                err.to_json()
            }
        };
        stdout.write_all(&answer)?;
        stdout.write_all(b"\n")?;
        stdout.flush()?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn redact(
    warden: &Warden,
    mut env_vars: Vec<String>,
    json: bool,
    file: Option<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    env_vars.extend(warden.redact_env_names().iter().cloned());
    let input: Box<dyn std::io::Read> = match &file {
        Some(path) => Box::new(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        ),
        None => Box::new(std::io::stdin().lock()),
    };
    if json {
        let mut text = String::new();
        let mut input = input;
        input
            .read_to_string(&mut text)
            .context("input is not UTF-8 text")?;
        let redacted = warden.redactor().redact_env_vars(&text, &env_vars);
        let answer = serde_json::json!({ "findings": redacted.findings });
        writeln!(std::io::stdout().lock(), "{answer}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let (input, output) = flush_when_idle(input, stdout);
    warden
        .redactor()
        .redact_stream(input, output, &env_vars, false)
        .context("redacting")?;
    Ok(ExitCode::SUCCESS)
}

async fn budget(warden: &Warden, op: BudgetOp) -> anyhow::Result<ExitCode> {
    let request = match op {
        BudgetOp::Create { run_id, limit } => limit
            .as_deref()
            .map(amount)
            .transpose()
            .map(|limit| Request::BudgetCreate(CreateBudgetRequest { run_id, limit })),
        BudgetOp::Spend {
            run_id,
            amount: raw,
        } => amount(&raw).map(|amount| {
            Request::BudgetSpend(SpendRequest {
                run_id,
                amount,
                idempotency_key: None,
            })
        }),
        BudgetOp::Get { run_id } => Ok(Request::BudgetGet(RunRequest { run_id })),
        BudgetOp::CanSpend {
            run_id,
            amount: raw,
        } => amount(&raw).map(|amount| Request::BudgetCanSpend(CanSpendRequest { run_id, amount })),
    };
    let answer = match request {
        Ok(request) => call(warden, request).await,
        Err(err) => Err(err),
    };
    print_answer(answer)
}

/// An amount from the command line, exact (no f64 on the way); a bad one is
/// the same `invalid_amount` error as on every other surface.
fn amount(raw: &str) -> Result<Money, ApiError> {
    Ok(Money::parse(raw)?)
}

fn print_answer(answer: Result<Vec<u8>, ApiError>) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    let (body, code) = match answer {
        Ok(json) => (json, ExitCode::SUCCESS),
        Err(err) => (err.to_json(), ExitCode::FAILURE),
    };
    stdout.write_all(&body)?;
    stdout.write_all(b"\n")?;
    Ok(code)
}

/// Cancels `shutdown` on SIGINT or SIGTERM.
async fn cancel_on_signal(shutdown: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    shutdown.cancel();
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutdown signal received");
    shutdown.cancel();
}
