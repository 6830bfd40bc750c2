//! `warden serve`: builds the service from [`Config`], starts every surface
//! (REST, NATS request/reply, the log pipeline, the spend stream, policy
//! reloads) and shuts them down gracefully when asked; and [`OneShot`], the
//! same service wired for one CLI command.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::approval::{ApprovalStore, MemoryApprovals, RedisApprovals};
use crate::audit::{EventSink, NullSink};
use crate::budget::{BudgetStore, BudgetTracker, MemoryStore, RedisStore};
use crate::config::{Config, StoreKind};
use crate::http::{self, AppState};
use crate::journal::Journal;
use crate::metrics::Metrics;
use crate::nats::{self, LogPipelineSettings, NatsReadiness, NatsSink};
use crate::policy_source;
use crate::redact::{Redactor, RedactorConfig};
use crate::service::Warden;
use crate::spool::{Spool, SpoolError};

/// Why `serve` could not start or stopped early. Messages never carry secrets.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    Startup(String),
    #[error("{0}")]
    Nats(#[from] crate::nats::NatsError),
    #[error("http server failed: {0}")]
    Http(#[from] std::io::Error),
}

/// Retries `connect` until it succeeds or `wait` is over: NATS and Redis
/// started next to warden (compose, Kubernetes) may answer a little later.
async fn patiently<T, E, F, Fut>(
    what: &str,
    wait: Duration,
    mut connect: F,
) -> Result<T, ServeError>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let deadline = Instant::now() + wait;
    let mut delay = Duration::from_millis(200);
    loop {
        match connect().await {
            Ok(connected) => return Ok(connected),
            Err(e) if Instant::now() + delay < deadline => {
                tracing::warn!(cause = %e, "waiting for {what}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(ServeError::Startup(format!("{what}: {e}"))),
        }
    }
}

/// Opens the budget store the configuration names, waiting up to `wait` for Redis.
pub async fn open_store(
    config: &Config,
    wait: Duration,
) -> Result<Arc<dyn BudgetStore>, ServeError> {
    Ok(match config.store {
        StoreKind::Memory => Arc::new(MemoryStore::new()),
        StoreKind::Redis => Arc::new(
            patiently("budget store", wait, || {
                RedisStore::connect(config.redis_url.expose())
            })
            .await?,
        ),
    })
}

/// Opens the approval store next to the budget store (same Redis, or memory).
pub async fn open_approvals(
    config: &Config,
    wait: Duration,
) -> Result<Arc<dyn ApprovalStore>, ServeError> {
    Ok(match config.store {
        StoreKind::Memory => Arc::new(MemoryApprovals::new()),
        StoreKind::Redis => Arc::new(
            patiently("approval store", wait, || {
                RedisApprovals::connect(config.redis_url.expose())
            })
            .await?,
        ),
    })
}

/// Opens the in-flight audit journal under the data directory and moves what
/// a killed process left there into the spool.
fn open_journal(config: &Config, spool: &Spool) -> Result<Journal, ServeError> {
    let dir = config.data_dir.join("journal");
    let failed = |e: SpoolError| ServeError::Startup(format!("WARDEN_DATA_DIR: {e}"));
    let (journal, leftovers) = Journal::open(&dir).map_err(failed)?;
    if !leftovers.events.is_empty() {
        tracing::info!(
            events = leftovers.events.len(),
            "audit events in flight when warden last stopped are spooled for replay"
        );
    }
    let spooled = leftovers
        .events
        .iter()
        .try_for_each(|event| spool.append(event));
    match spooled {
        // Spooled (and synced): the old segments can go.
        Ok(()) => {
            for file in &leftovers.files {
                if let Err(e) = std::fs::remove_file(file) {
                    tracing::warn!(cause = %e, path = %file.display(), "journal segment not deleted");
                }
            }
        }
        // Kept for the next start; serving now matters more.
        Err(e) => {
            tracing::error!(cause = %e, "journal leftovers not spooled; kept for the next start")
        }
    }
    Ok(journal)
}

/// The stores a service needs.
pub struct Stores {
    pub budgets: Arc<dyn BudgetStore>,
    pub approvals: Arc<dyn ApprovalStore>,
}

/// Builds the service core shared by every surface.
pub fn build_warden(
    config: &Config,
    stores: Stores,
    events: Arc<dyn EventSink>,
    metrics: Arc<Metrics>,
) -> Result<Warden, ServeError> {
    let gate = policy_source::load(config).map_err(ServeError::Startup)?;
    let redactor = Redactor::new(RedactorConfig {
        hmac_key: config.redact_hmac_key.as_ref().map(|k| k.expose().clone()),
        env_values: config
            .redact_env_values
            .iter()
            .map(|(name, value)| (name.clone(), value.expose().clone()))
            .collect(),
    });
    metrics.init_alert_thresholds(&config.budget.alert_thresholds);
    let budgets = BudgetTracker::new(stores.budgets, config.budget.clone())
        .map_err(|e| ServeError::Startup(format!("budget settings: {e}")))?;
    Ok(Warden::new(
        gate,
        redactor,
        config.redact_env_names.clone(),
        budgets,
        stores.approvals,
        events,
        metrics,
    ))
}

/// The service wired for one CLI command (`check`, `redact`, `budget`).
pub struct OneShot {
    pub warden: Warden,
    events: CliEvents,
}

impl OneShot {
    /// Builds the service: budgets in the configured store when `needs_store`
    /// (failing at once rather than waiting for Redis), else in memory;
    /// approvals live as long as the command. With `audited`, events go to
    /// NATS when it answers within a second, else nowhere (said on stderr).
    pub async fn open(
        config: &Config,
        needs_store: bool,
        audited: bool,
    ) -> Result<Self, ServeError> {
        let budgets = if needs_store {
            open_store(config, Duration::ZERO).await?
        } else {
            Arc::new(MemoryStore::new())
        };
        let stores = Stores {
            budgets,
            approvals: Arc::new(MemoryApprovals::new()),
        };
        let events = if audited {
            CliEvents::connect(config).await
        } else {
            CliEvents { nats: None }
        };
        let warden = build_warden(config, stores, events.sink(), Arc::new(Metrics::new()))?;
        Ok(OneShot { warden, events })
    }

    /// Waits (briefly) for the work after commits and for JetStream to store
    /// what was published.
    pub async fn finish(self) {
        self.warden.drain(Duration::from_secs(5)).await;
        self.events.finish().await;
    }
}

/// Where a one-shot command's audit events and alerts go: NATS when it answers
/// within a second (so CLI decisions are audited like any other), else nowhere.
struct CliEvents {
    nats: Option<(async_nats::Client, TaskTracker, Arc<NatsSink>)>,
}

impl CliEvents {
    async fn connect(config: &Config) -> CliEvents {
        let connected = tokio::time::timeout(Duration::from_secs(1), async {
            let client = nats::connect(&config.nats).await?;
            nats::streams::ensure_streams(&async_nats::jetstream::new(client.clone())).await?;
            Ok::<_, nats::NatsError>(client)
        })
        .await;
        match connected {
            Ok(Ok(client)) => {
                let acks = TaskTracker::new();
                let sink = Arc::new(NatsSink::new(
                    client.clone(),
                    Arc::new(Metrics::new()),
                    acks.clone(),
                ));
                CliEvents {
                    nats: Some((client, acks, sink)),
                }
            }
            Ok(Err(e)) => {
                tracing::warn!(kind = %e.kind, cause = %e, "NATS is not reachable: this command's decisions are not audited");
                CliEvents { nats: None }
            }
            Err(_) => {
                tracing::warn!("NATS is not reachable: this command's decisions are not audited");
                CliEvents { nats: None }
            }
        }
    }

    fn sink(&self) -> Arc<dyn EventSink> {
        match &self.nats {
            Some((_, _, sink)) => Arc::clone(sink) as Arc<dyn EventSink>,
            None => Arc::new(NullSink),
        }
    }

    async fn finish(self) {
        if let Some((client, acks, _)) = self.nats {
            acks.close();
            let _ = tokio::time::timeout(Duration::from_secs(5), acks.wait()).await;
            let _ = client.flush().await;
        }
    }
}

/// Runs warden on `listener` until `shutdown` is cancelled, then drains within
/// the configured grace period.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    let metrics = Arc::new(Metrics::new());
    let client = patiently("NATS", config.startup_wait, || nats::connect(&config.nats)).await?;
    let js = async_nats::jetstream::new(client.clone());
    nats::streams::ensure_streams(&js).await?;
    let stores = Stores {
        budgets: open_store(&config, config.startup_wait).await?,
        approvals: open_approvals(&config, config.startup_wait).await?,
    };

    let background = TaskTracker::new();
    let spool = Spool::open(
        &config.audit_spool,
        config.audit_spool_max_bytes,
        metrics.audit_spool_events.clone(),
    )
    .map_err(|e| ServeError::Startup(format!("WARDEN_AUDIT_SPOOL: {e}")))?;
    let journal = open_journal(&config, &spool)?;
    let sink = Arc::new(
        NatsSink::new(client.clone(), Arc::clone(&metrics), background.clone())
            .with_spool(Arc::new(spool), config.audit_fail_closed)
            .with_journal(Arc::new(journal)),
    );
    let warden = Arc::new(build_warden(
        &config,
        stores,
        Arc::clone(&sink) as Arc<dyn EventSink>,
        Arc::clone(&metrics),
    )?);

    // Workers stop on `stop_work`; the HTTP server on `shutdown` directly.
    let stop_work = shutdown.child_token();
    let tasks = TaskTracker::new();
    // Everything is subscribed and consuming before the HTTP port answers,
    // so a ready warden never drops a request on the floor.
    let requests =
        nats::start_request_workers(client.clone(), Arc::clone(&warden), stop_work.clone()).await?;
    let logs = nats::start_log_pipeline(
        js.clone(),
        Arc::clone(&warden),
        LogPipelineSettings::default(),
        stop_work.clone(),
    )
    .await?;
    let spends =
        nats::start_spend_stream(js.clone(), Arc::clone(&warden), stop_work.clone()).await?;
    tasks.spawn(requests);
    tasks.spawn(logs);
    tasks.spawn(spends);
    tasks.spawn(Arc::clone(&sink).replay(stop_work.clone()));
    tasks.spawn(Arc::clone(&warden).run_alert_relay(stop_work.clone()));
    tasks.spawn(policy_source::watch(
        config.clone(),
        Arc::clone(&warden),
        stop_work.clone(),
    ));

    let readiness = Arc::new(NatsReadiness {
        client: client.clone(),
        budgets: warden.budgets().clone(),
    });
    let state = AppState {
        warden: Arc::clone(&warden),
        readiness,
        request_timeout: config.request_timeout,
        tasks: background.clone(),
        tokens: Arc::new(config.api_tokens.clone()),
        metrics_public: config.metrics_public,
    };
    if config.api_tokens.is_empty() {
        tracing::warn!(addr = %config.http_addr, "no API tokens configured: protected mode, serving on loopback only without authentication");
    } else {
        tracing::info!(
            tokens = config.api_tokens.len(),
            "REST requires bearer tokens"
        );
    }
    let router = http::router(state, config.max_body_bytes);
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "warden serving");
    }
    let grace = config.shutdown_grace;
    let http_result = tokio::select! {
        result = http::serve(listener, router, shutdown.clone(), config.http_header_timeout) => result,
        _ = async { shutdown.cancelled().await; tokio::time::sleep(grace).await } => {
            tracing::warn!(?grace, "HTTP requests still in flight after the grace period");
            Ok(())
        }
    };

    tracing::info!("shutting down: draining NATS workers");
    stop_work.cancel();
    tasks.close();
    background.close();
    let drained = tokio::time::timeout(config.shutdown_grace, async {
        tasks.wait().await;
        background.wait().await;
        warden.drain(config.shutdown_grace).await;
        let _ = client.flush().await;
    })
    .await;
    if drained.is_err() {
        tracing::warn!(grace = ?config.shutdown_grace, "grace period over; exiting with work in flight");
    }
    http_result.map_err(ServeError::Http)
}
