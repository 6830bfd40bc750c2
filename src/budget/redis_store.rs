//! Production budget store on Redis: one Lua script per operation, so every operation is
//! atomic on the server (no check-then-increment races between gateway instances).
//!
//! * Scripts run via `EVALSHA`; redis-rs `ScriptInvocation::invoke_async` reloads the
//!   script and retries once on `NOSCRIPT` (e.g. after a Redis restart or `SCRIPT FLUSH`);
//!   that retry is safe because a `NOSCRIPT` reply means nothing ran.
//! * Keys (one hash tag per run, so a cluster keeps them on one slot):
//!   `warden:budget:{run}` (hash), `…:idem` (set), `…:holds` (hash), `…:hold_exp` (zset),
//!   `…:hold_done` (hash), `…:outbox` (hash: alerts decided and not yet acked by JetStream).
//!   One key spans runs: the index `warden:outbox:runs` (zset run → ms), written after a
//!   script put alerts into an outbox, so the relay finds them without scanning; a
//!   periodic `SCAN` for `…:outbox` keys catches the rare run whose index write was lost
//!   (a crash between the script and the `ZADD`). All amounts are integer micro-units written with `HINCRBY`/`HSET`
//!   from decimal strings: no floats anywhere. Hold expiry uses Redis `TIME`, so all gateway
//!   instances share one clock.
//! * Every call has a deadline (default 2 s). A dead Redis yields
//!   [`BudgetError::Unavailable`] quickly. Caveat: a timeout *after* the request was sent
//!   has an unknown outcome; callers retry safely by using idempotency keys / hold ids.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, RedisError, Script, ServerErrorKind};

use super::money::{Money, MoneyError};
use super::status::{BudgetSettings, Ledger, RunId};
use super::store::{
    duration_ms, unix_ms, BudgetError, BudgetStore, Created, OutboxAlert, Reserved, SpendRecord,
};

/// Runs with alerts in their outbox (zset run id → ms when last written).
pub const OUTBOX_INDEX: &str = "warden:outbox:runs";

/// How often `outbox_runs` also scans the keyspace for outboxes missing from the index.
const OUTBOX_SWEEP_EVERY: Duration = Duration::from_secs(600);

/// Default per-call deadline.
pub const DEFAULT_OP_TIMEOUT: Duration = Duration::from_secs(2);

macro_rules! script {
    ($file:literal) => {
        Script::new(concat!(
            include_str!("scripts/common.lua"),
            "\n",
            include_str!(concat!("scripts/", $file))
        ))
    };
}

/// Redis connection settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisSettings {
    /// `redis://[user:password@]host:port[/db]`; never echoed in errors.
    pub url: String,
}

struct Scripts {
    create: Script,
    get: Script,
    spend: Script,
    reserve: Script,
    commit: Script,
    release: Script,
    set_limit: Script,
    reset: Script,
}

impl Scripts {
    fn load() -> Self {
        Scripts {
            create: script!("create.lua"),
            get: script!("get.lua"),
            spend: script!("spend.lua"),
            reserve: script!("reserve.lua"),
            commit: script!("commit.lua"),
            release: script!("release.lua"),
            set_limit: script!("set_limit.lua"),
            reset: script!("reset.lua"),
        }
    }
}

/// Budget store backed by Redis through a multiplexed, auto-reconnecting connection.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    scripts: Arc<Scripts>,
    op_timeout: Duration,
    /// When the outbox keys were last swept (`None`: never).
    last_sweep: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("op_timeout", &self.op_timeout)
            .finish()
    }
}

/// Script reply: `{code, limit, spent, held, tripped, f1, f2, f3, extra...}`.
struct Reply {
    code: i64,
    ledger: Ledger,
    flags: [bool; 3],
    extra: Vec<i64>,
}

const OK: i64 = 0;
const NOT_FOUND: i64 = 1;
const CONFLICT: i64 = 2;
const OVERFLOW: i64 = 3;

impl Reply {
    fn parse(raw: Vec<i64>) -> Result<Self, BudgetError> {
        let bad = |what: &str| BudgetError::Internal(format!("unexpected script reply: {what}"));
        if raw.len() < 8 {
            return Err(bad("too short"));
        }
        let money = |v: i64| Money::from_micros(v).map_err(|_| bad("amount out of range"));
        Ok(Reply {
            code: raw[0],
            ledger: Ledger {
                limit: money(raw[1])?,
                spent: money(raw[2])?,
                held: money(raw[3])?,
                tripped: raw[4] != 0,
            },
            flags: [raw[5] != 0, raw[6] != 0, raw[7] != 0],
            extra: raw[8..].to_vec(),
        })
    }

    /// Ledger for codes OK / NOT_FOUND; other codes are reported as internal errors.
    fn found(self) -> Result<Option<Self>, BudgetError> {
        match self.code {
            OK => Ok(Some(self)),
            NOT_FOUND => Ok(None),
            OVERFLOW => Err(MoneyError::Overflow.into()),
            other => Err(BudgetError::Internal(format!(
                "unexpected script code {other}"
            ))),
        }
    }

    /// The spend's record; its alerts are in the outbox under `<prefix>:<threshold>`.
    fn spend_record(self, run: &RunId, prefix: &str) -> Result<SpendRecord, BudgetError> {
        let reply = self
            .found()?
            .ok_or_else(|| BudgetError::Internal("spend found no budget".into()))?;
        // extra = thresholds fired, then (when any fired) the time they were decided.
        let (alerts, time_ms) = match reply.extra.split_last() {
            Some((&time_ms, thresholds)) => (thresholds, time_ms),
            None => (&[][..], 0),
        };
        let alerts = alerts
            .iter()
            .map(|&a| u32::try_from(a).map_err(|_| BudgetError::Internal("bad alert".into())))
            .collect::<Result<Vec<_>, _>>()?;
        let outbox = alerts
            .iter()
            .map(|&threshold| OutboxAlert {
                id: format!("{prefix}:{threshold}"),
                run_id: run.clone(),
                threshold,
                spent: reply.ledger.spent,
                limit: reply.ledger.limit,
                tripped: reply.ledger.tripped,
                time_ms,
            })
            .collect();
        Ok(SpendRecord {
            ledger: reply.ledger,
            auto_created: reply.flags[0],
            duplicate: reply.flags[1],
            tripped_now: reply.flags[2],
            alerts,
            outbox,
        })
    }
}

/// Maps a redis error to a budget error without leaking connection details.
fn map_redis_error(err: &RedisError) -> BudgetError {
    let unavailable = err.is_io_error()
        || err.is_connection_dropped()
        || err.is_connection_refusal()
        || err.is_timeout()
        || matches!(
            err.kind(),
            ErrorKind::Server(
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::ClusterDown
                    | ServerErrorKind::MasterDown
                    | ServerErrorKind::ReadOnly
            ) | ErrorKind::AuthenticationFailed
                | ErrorKind::ClusterConnectionNotFound
        );
    if unavailable {
        tracing::warn!(category = err.category(), "redis budget store unavailable");
        BudgetError::Unavailable(format!("redis {}", err.category()))
    } else {
        tracing::error!(category = err.category(), code = ?err.code(), "redis budget script failed");
        BudgetError::Internal(format!(
            "redis {} ({})",
            err.category(),
            err.code().unwrap_or("-")
        ))
    }
}

/// The six keys of one run, in script `KEYS` order: main hash, idempotency set, holds hash,
/// hold-expiry zset, finished-holds hash, alert outbox hash. All share the `{run}` hash tag.
pub fn redis_keys(run: &RunId) -> [String; 6] {
    let main = format!("warden:budget:{{{run}}}");
    [
        main.clone(),
        format!("{main}:idem"),
        format!("{main}:holds"),
        format!("{main}:hold_exp"),
        format!("{main}:hold_done"),
        format!("{main}:outbox"),
    ]
}

/// The run of an outbox key `warden:budget:{run}:outbox`.
fn run_of_outbox_key(key: &str) -> Option<RunId> {
    let run = key
        .strip_prefix("warden:budget:{")?
        .strip_suffix("}:outbox")?;
    RunId::parse(run).ok()
}

/// Parses an outbox entry `"pct spent limit tripped time_ms"`.
fn parse_outbox(run: &RunId, id: String, value: &str) -> Option<OutboxAlert> {
    let mut parts = value.split(' ');
    let threshold = parts.next()?.parse().ok()?;
    let spent = Money::from_micros(parts.next()?.parse().ok()?).ok()?;
    let limit = Money::from_micros(parts.next()?.parse().ok()?).ok()?;
    let tripped = parts.next()? == "1";
    let time_ms = parts.next()?.parse().ok()?;
    Some(OutboxAlert {
        id,
        run_id: run.clone(),
        threshold,
        spent,
        limit,
        tripped,
        time_ms,
    })
}

impl RedisStore {
    /// Connects with the default 2 s per-call deadline.
    pub async fn connect(url: &str) -> Result<Self, BudgetError> {
        Self::connect_with_timeout(url, DEFAULT_OP_TIMEOUT).await
    }

    pub async fn connect_with(settings: &RedisSettings) -> Result<Self, BudgetError> {
        Self::connect(&settings.url).await
    }

    /// Connects with a custom per-call deadline (also used for connect / reconnect attempts).
    pub async fn connect_with_timeout(
        url: &str,
        op_timeout: Duration,
    ) -> Result<Self, BudgetError> {
        let client = redis::Client::open(url)
            .map_err(|_| BudgetError::Invalid("invalid redis url (not echoed)".into()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(op_timeout))
            .set_response_timeout(Some(op_timeout))
            .set_number_of_retries(3)
            .set_max_delay(Duration::from_millis(500));
        let conn = tokio::time::timeout(
            op_timeout,
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| BudgetError::Unavailable("redis connect timed out".into()))?
        .map_err(|e| map_redis_error(&e))?;
        Ok(RedisStore {
            conn,
            scripts: Arc::new(Scripts::load()),
            op_timeout,
            last_sweep: Arc::new(std::sync::Mutex::new(None)),
        })
    }

    /// One plain command under the per-call deadline.
    async fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, BudgetError> {
        let mut conn = self.conn.clone();
        match tokio::time::timeout(self.op_timeout, cmd.query_async::<T>(&mut conn)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(map_redis_error(&e)),
            Err(_) => Err(BudgetError::Unavailable("redis call timed out".into())),
        }
    }

    /// Records in the index that `run` has alerts waiting. A failure is only logged: the
    /// alerts are safe in the outbox and the periodic sweep finds them.
    async fn index_outbox(&self, run: &RunId, record: &SpendRecord) {
        if record.outbox.is_empty() {
            return;
        }
        let mut cmd = redis::cmd("ZADD");
        cmd.arg(OUTBOX_INDEX).arg(unix_ms()).arg(run.as_str());
        if let Err(e) = self.query::<i64>(&cmd).await {
            tracing::warn!(run_id = %run, cause = %e, "alert outbox not indexed; the sweep will find it");
        }
    }

    /// Adds every run with an outbox key to the index (score 0: due at once).
    async fn sweep_outboxes(&self) -> Result<(), BudgetError> {
        let mut cursor: u64 = 0;
        loop {
            let mut scan = redis::cmd("SCAN");
            scan.arg(cursor)
                .arg("MATCH")
                .arg("warden:budget:*:outbox")
                .arg("COUNT")
                .arg(1000);
            let (next, keys): (u64, Vec<String>) = self.query(&scan).await?;
            for run in keys.iter().filter_map(|k| run_of_outbox_key(k)) {
                let mut zadd = redis::cmd("ZADD");
                zadd.arg(OUTBOX_INDEX).arg("NX").arg(0).arg(run.as_str());
                self.query::<i64>(&zadd).await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    fn sweep_due(&self) -> bool {
        let mut last = self.last_sweep.lock().unwrap_or_else(|p| p.into_inner());
        let due = last.is_none_or(|at| at.elapsed() >= OUTBOX_SWEEP_EVERY);
        if due {
            *last = Some(std::time::Instant::now());
        }
        due
    }

    async fn call(
        &self,
        script: &Script,
        run: &RunId,
        args: &[String],
    ) -> Result<Reply, BudgetError> {
        let mut invocation = script.prepare_invoke();
        for key in redis_keys(run) {
            invocation.key(key);
        }
        for arg in args {
            invocation.arg(arg.as_str());
        }
        let mut conn = self.conn.clone();
        match tokio::time::timeout(
            self.op_timeout,
            invocation.invoke_async::<Vec<i64>>(&mut conn),
        )
        .await
        {
            Err(_) => {
                tracing::warn!(run_id = %run, "redis budget call timed out");
                Err(BudgetError::Unavailable(format!(
                    "redis call timed out after {} ms (outcome unknown)",
                    self.op_timeout.as_millis()
                )))
            }
            Ok(Err(e)) => Err(map_redis_error(&e)),
            Ok(Ok(raw)) => Reply::parse(raw),
        }
    }
}

fn micros(m: Money) -> String {
    m.micros().to_string()
}

fn ttl(s: &BudgetSettings) -> String {
    duration_ms(s.ttl).to_string()
}

/// Common tail of spend / commit arguments: default limit, ttl, alert id prefix,
/// thresholds.
fn spend_tail<'a>(s: &'a BudgetSettings, prefix: &str) -> impl Iterator<Item = String> + 'a {
    [micros(s.default_run_budget), ttl(s), prefix.to_owned()]
        .into_iter()
        .chain(s.alert_thresholds.iter().map(u32::to_string))
}

/// A fresh alert id prefix (one per spend; alert ids are `<prefix>:<threshold>`).
fn alert_prefix() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

#[async_trait]
impl BudgetStore for RedisStore {
    async fn ping(&self) -> Result<(), BudgetError> {
        let mut conn = self.conn.clone();
        let command = redis::cmd("PING");
        let ping = command.query_async::<String>(&mut conn);
        match tokio::time::timeout(self.op_timeout, ping).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(map_redis_error(&e)),
            Err(_) => Err(BudgetError::Unavailable("redis ping timed out".into())),
        }
    }

    async fn create(
        &self,
        run: &RunId,
        limit: Money,
        s: &BudgetSettings,
    ) -> Result<Created, BudgetError> {
        let reply = self
            .call(&self.scripts.create, run, &[micros(limit), ttl(s)])
            .await?;
        if reply.code == CONFLICT {
            return Err(BudgetError::Conflict {
                run_id: run.to_string(),
                existing: reply.ledger.limit,
                requested: limit,
            });
        }
        let reply = reply
            .found()?
            .ok_or_else(|| BudgetError::Internal("create found no budget".into()))?;
        Ok(Created {
            ledger: reply.ledger,
            created: reply.flags[0],
        })
    }

    async fn ledger(&self, run: &RunId, s: &BudgetSettings) -> Result<Option<Ledger>, BudgetError> {
        let reply = self.call(&self.scripts.get, run, &[ttl(s)]).await?;
        Ok(reply.found()?.map(|r| r.ledger))
    }

    async fn spend(
        &self,
        run: &RunId,
        amount: Money,
        idempotency_key: Option<&str>,
        s: &BudgetSettings,
    ) -> Result<SpendRecord, BudgetError> {
        let prefix = alert_prefix();
        let mut args = vec![micros(amount), idempotency_key.unwrap_or("").to_owned()];
        args.extend(spend_tail(s, &prefix));
        let record = self
            .call(&self.scripts.spend, run, &args)
            .await?
            .spend_record(run, &prefix)?;
        self.index_outbox(run, &record).await;
        Ok(record)
    }

    async fn reserve(
        &self,
        run: &RunId,
        amount: Money,
        hold_id: &str,
        hold_ttl: Duration,
        s: &BudgetSettings,
    ) -> Result<Option<Reserved>, BudgetError> {
        let args = [
            hold_id.to_owned(),
            micros(amount),
            duration_ms(hold_ttl).to_string(),
            ttl(s),
        ];
        let reply = self.call(&self.scripts.reserve, run, &args).await?;
        Ok(reply.found()?.map(|r| Reserved {
            ledger: r.ledger,
            granted: r.flags[0],
        }))
    }

    async fn commit(
        &self,
        run: &RunId,
        hold_id: &str,
        amount: Money,
        s: &BudgetSettings,
    ) -> Result<SpendRecord, BudgetError> {
        let prefix = alert_prefix();
        let mut args = vec![hold_id.to_owned(), micros(amount)];
        args.extend(spend_tail(s, &prefix));
        let record = self
            .call(&self.scripts.commit, run, &args)
            .await?
            .spend_record(run, &prefix)?;
        self.index_outbox(run, &record).await;
        Ok(record)
    }

    async fn release(
        &self,
        run: &RunId,
        hold_id: &str,
        s: &BudgetSettings,
    ) -> Result<Option<Ledger>, BudgetError> {
        let reply = self
            .call(&self.scripts.release, run, &[hold_id.to_owned(), ttl(s)])
            .await?;
        Ok(reply.found()?.map(|r| r.ledger))
    }

    async fn set_limit(
        &self,
        run: &RunId,
        limit: Money,
        s: &BudgetSettings,
    ) -> Result<Option<Ledger>, BudgetError> {
        let reply = self
            .call(&self.scripts.set_limit, run, &[micros(limit), ttl(s)])
            .await?;
        Ok(reply.found()?.map(|r| r.ledger))
    }

    async fn reset(&self, run: &RunId, s: &BudgetSettings) -> Result<Option<Ledger>, BudgetError> {
        let reply = self.call(&self.scripts.reset, run, &[ttl(s)]).await?;
        Ok(reply.found()?.map(|r| r.ledger))
    }

    async fn outbox(&self, run: &RunId) -> Result<Vec<OutboxAlert>, BudgetError> {
        let [.., key] = redis_keys(run);
        let mut cmd = redis::cmd("HGETALL");
        cmd.arg(&key);
        let entries: Vec<(String, String)> = self.query(&cmd).await?;
        if entries.is_empty() {
            // Nothing waits (published, or expired with the budget): forget the run.
            let mut zrem = redis::cmd("ZREM");
            zrem.arg(OUTBOX_INDEX).arg(run.as_str());
            self.query::<i64>(&zrem).await?;
        }
        let mut alerts: Vec<OutboxAlert> = entries
            .into_iter()
            .filter_map(|(id, value)| {
                let parsed = parse_outbox(run, id, &value);
                if parsed.is_none() {
                    tracing::error!(run_id = %run, "unreadable alert outbox entry skipped");
                }
                parsed
            })
            .collect();
        alerts.sort_by_key(|a| (a.time_ms, a.threshold));
        Ok(alerts)
    }

    async fn outbox_done(&self, run: &RunId, alert_id: &str) -> Result<(), BudgetError> {
        let [.., key] = redis_keys(run);
        let mut hdel = redis::cmd("HDEL");
        hdel.arg(&key).arg(alert_id);
        self.query::<i64>(&hdel).await?;
        let mut hlen = redis::cmd("HLEN");
        hlen.arg(&key);
        if self.query::<i64>(&hlen).await? == 0 {
            let mut zrem = redis::cmd("ZREM");
            zrem.arg(OUTBOX_INDEX).arg(run.as_str());
            self.query::<i64>(&zrem).await?;
        }
        Ok(())
    }

    async fn outbox_runs(
        &self,
        min_age: Duration,
        limit: usize,
    ) -> Result<Vec<RunId>, BudgetError> {
        if self.sweep_due() {
            self.sweep_outboxes().await?;
        }
        let age = i64::try_from(min_age.as_millis()).unwrap_or(i64::MAX);
        let newest = unix_ms().saturating_sub(age);
        let mut cmd = redis::cmd("ZRANGEBYSCORE");
        cmd.arg(OUTBOX_INDEX)
            .arg("-inf")
            .arg(newest)
            .arg("LIMIT")
            .arg(0)
            .arg(limit);
        let runs: Vec<String> = self.query(&cmd).await?;
        Ok(runs.iter().filter_map(|r| RunId::parse(r).ok()).collect())
    }
}
