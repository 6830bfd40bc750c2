//! The audit spool: a local append-only file where audit events wait while
//! JetStream cannot take them, read back in order once it can. It knows files,
//! not NATS; the NATS sink decides when to spool and replays (`nats::sink`).
//!
//! * One record per line: `<id>\t<subject>\t<payload>\n` (payloads are compact
//!   JSON, which never holds a raw newline). The id is the event id, sent as
//!   `Nats-Msg-Id` on replay so JetStream stores a copy it already has only once.
//! * Every append is written and `fdatasync`ed before it returns: an event the
//!   spool took survives a crash of warden or of the machine. Appends that
//!   arrive while a sync runs share the next one (group commit), so an outage
//!   under load costs one sync per batch, not per event.
//! * Replay progress is a byte offset kept in `<spool>.pos` (written after each
//!   replayed batch, not synced: after a crash a batch may be sent again, and the
//!   message id makes that harmless). When everything is replayed the file is
//!   truncated to zero.
//! * Bounded: an append that would make the pending (not yet replayed) bytes
//!   exceed the limit is refused, and the spool reports itself full until replay
//!   makes room.
//! * A torn last line (a crash mid-append) is cut off when the spool is opened.
//!   One spool file belongs to one warden process: give every instance its own
//!   data directory.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use prometheus::IntGauge;

use crate::audit::Outgoing;

/// Why the spool did not take or give an event.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("audit spool is full ({max_bytes} bytes waiting)")]
    Full { max_bytes: u64 },
    #[error("audit spool {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("audit event cannot be spooled: {0}")]
    Invalid(&'static str),
}

struct State {
    file: File,
    /// File length: every byte up to here is a complete record.
    len: u64,
    /// Offset of the first record not yet replayed.
    pos: u64,
}

/// The spool file and its replay position.
pub struct Spool {
    path: PathBuf,
    pos_path: PathBuf,
    max_bytes: u64,
    state: Mutex<State>,
    /// The same file, for syncing outside the state lock; held while syncing.
    sync: Mutex<File>,
    /// Bytes ever appended (never reset, unlike the file length).
    appended: AtomicU64,
    /// `appended` as of the last completed sync.
    synced: AtomicU64,
    /// Records waiting (mirrored in the gauge).
    events: AtomicU64,
    full: AtomicBool,
    gauge: IntGauge,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool")
            .field("path", &self.path)
            .field("events", &self.len())
            .finish_non_exhaustive()
    }
}

impl Spool {
    /// Opens (creating it and its directory when missing) the spool at `path`.
    pub fn open(path: &Path, max_bytes: u64, gauge: IntGauge) -> Result<Spool, SpoolError> {
        let io = |cause| SpoolError::Io {
            path: path.display().to_string(),
            cause,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if complete < bytes.len() {
            tracing::warn!(path = %path.display(), "audit spool ended in a torn record; cut off");
            file.set_len(complete as u64).map_err(io)?;
        }
        let pos_path = pos_path(path);
        let pos = std::fs::read_to_string(&pos_path)
            .ok()
            .and_then(|text| text.trim().parse::<usize>().ok())
            .filter(|&pos| pos <= complete && (pos == 0 || bytes[pos - 1] == b'\n'))
            .unwrap_or(0);
        let events = bytes[pos..complete].iter().filter(|&&b| b == b'\n').count() as u64;
        gauge.set(i64::try_from(events).unwrap_or(i64::MAX));
        if events > 0 {
            tracing::info!(events, path = %path.display(), "audit spool holds events to replay");
        }
        let sync = file.try_clone().map_err(io)?;
        Ok(Spool {
            path: path.to_path_buf(),
            pos_path,
            max_bytes,
            sync: Mutex::new(sync),
            appended: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            state: Mutex::new(State {
                file,
                len: complete as u64,
                pos: pos as u64,
            }),
            events: AtomicU64::new(events),
            full: AtomicBool::new(false),
            gauge,
        })
    }

    /// Records waiting to be replayed.
    pub fn len(&self) -> u64 {
        self.events.load(Ordering::Acquire)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The last append was refused for lack of room and replay has not made any since.
    pub fn is_full(&self) -> bool {
        self.full.load(Ordering::Acquire)
    }

    fn io(&self, cause: std::io::Error) -> SpoolError {
        SpoolError::Io {
            path: self.path.display().to_string(),
            cause,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends one event and syncs it to disk. Blocking: call it off the async
    /// workers (`spawn_blocking`).
    pub fn append(&self, event: &Outgoing) -> Result<(), SpoolError> {
        let record = encode(event)?;
        let mark = {
            let mut state = self.lock();
            let waiting = state.len - state.pos;
            if waiting + record.len() as u64 > self.max_bytes {
                self.full.store(true, Ordering::Release);
                return Err(SpoolError::Full {
                    max_bytes: self.max_bytes,
                });
            }
            if let Err(cause) = state.file.write_all(&record) {
                // Whatever part reached the file is cut off again, keeping records whole.
                let len = state.len;
                let _ = state.file.set_len(len);
                return Err(self.io(cause));
            }
            state.len += record.len() as u64;
            let events = self.events.fetch_add(1, Ordering::AcqRel) + 1;
            self.gauge.set(i64::try_from(events).unwrap_or(i64::MAX));
            self.appended
                .fetch_add(record.len() as u64, Ordering::AcqRel)
                + record.len() as u64
        };
        self.sync_to(mark)
    }

    /// Returns once everything appended up to `mark` is on disk: one sync covers
    /// every append that was written before it started.
    fn sync_to(&self, mark: u64) -> Result<(), SpoolError> {
        let file = self.sync.lock().unwrap_or_else(|p| p.into_inner());
        if self.synced.load(Ordering::Acquire) >= mark {
            return Ok(());
        }
        let covered = self.appended.load(Ordering::Acquire);
        file.sync_data().map_err(|e| self.io(e))?;
        self.synced.fetch_max(covered, Ordering::AcqRel);
        Ok(())
    }

    /// Up to `max` records from the replay position, oldest first, and the offset
    /// just after the last one (pass it to [`Spool::advance`] once they are stored).
    pub fn peek(&self, max: usize) -> Result<(Vec<Outgoing>, u64), SpoolError> {
        let (pos, len) = {
            let state = self.lock();
            (state.pos, state.len)
        };
        let mut file = File::open(&self.path).map_err(|e| self.io(e))?;
        file.seek(SeekFrom::Start(pos)).map_err(|e| self.io(e))?;
        let mut reader = BufReader::new(file.take(len - pos));
        let mut events = Vec::new();
        let mut end = pos;
        let mut line = Vec::new();
        while events.len() < max {
            line.clear();
            let read = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| self.io(e))?;
            if read == 0 || line.last() != Some(&b'\n') {
                break;
            }
            end += read as u64;
            match decode(&line[..line.len() - 1]) {
                Some(event) => events.push(event),
                None => tracing::error!(offset = end, "unreadable audit spool record skipped"),
            }
        }
        Ok((events, end))
    }

    /// Marks everything before `end` as replayed (`count` records); truncates
    /// the file once nothing is left.
    pub fn advance(&self, end: u64, count: u64) -> Result<(), SpoolError> {
        // Appends change the count under the same lock.
        let mut state = self.lock();
        state.pos = end.min(state.len);
        let mut left = self.len().saturating_sub(count);
        if state.pos == state.len {
            state.file.set_len(0).map_err(|e| self.io(e))?;
            state.len = 0;
            state.pos = 0;
            left = 0;
        }
        self.events.store(left, Ordering::Release);
        self.gauge.set(i64::try_from(left).unwrap_or(i64::MAX));
        self.full.store(false, Ordering::Release);
        std::fs::write(&self.pos_path, state.pos.to_string()).map_err(|e| self.io(e))
    }
}

fn pos_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pos");
    PathBuf::from(name)
}

pub(crate) fn encode(event: &Outgoing) -> Result<Vec<u8>, SpoolError> {
    let bad = |s: &str| s.is_empty() || s.contains(['\t', '\n', '\r']);
    if bad(&event.id) {
        return Err(SpoolError::Invalid("id"));
    }
    if bad(&event.subject) {
        return Err(SpoolError::Invalid("subject"));
    }
    if event.payload.contains(&b'\n') {
        return Err(SpoolError::Invalid("payload holds a newline"));
    }
    let mut record =
        Vec::with_capacity(event.id.len() + event.subject.len() + event.payload.len() + 3);
    record.extend_from_slice(event.id.as_bytes());
    record.push(b'\t');
    record.extend_from_slice(event.subject.as_bytes());
    record.push(b'\t');
    record.extend_from_slice(&event.payload);
    record.push(b'\n');
    Ok(record)
}

pub(crate) fn decode(line: &[u8]) -> Option<Outgoing> {
    let mut parts = line.splitn(3, |&b| b == b'\t');
    let id = std::str::from_utf8(parts.next()?).ok()?.to_owned();
    let subject = std::str::from_utf8(parts.next()?).ok()?.to_owned();
    let payload = parts.next()?.to_vec();
    Some(Outgoing {
        subject,
        id,
        payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauge() -> IntGauge {
        IntGauge::new("test_spool_events", "test").expect("valid gauge")
    }

    fn event(n: usize) -> Outgoing {
        Outgoing {
            subject: "safety.audit.decision".into(),
            id: format!("id-{n}"),
            payload: format!(r#"{{"n":{n},"text":"a\tb"}}"#).into_bytes(),
        }
    }

    #[test]
    fn events_come_back_in_order_and_survive_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sub/audit.spool");
        let spool = Spool::open(&path, 1 << 20, gauge()).expect("opens");
        for n in 0..5 {
            spool.append(&event(n)).expect("appends");
        }
        let (first, end) = spool.peek(2).expect("peeks");
        assert_eq!(first, vec![event(0), event(1)]);
        spool.advance(end, 2).expect("advances");
        drop(spool);

        let gauge = gauge();
        let spool = Spool::open(&path, 1 << 20, gauge.clone()).expect("reopens");
        assert_eq!((spool.len(), gauge.get()), (3, 3));
        let (rest, end) = spool.peek(10).expect("peeks");
        assert_eq!(rest, vec![event(2), event(3), event(4)]);
        spool.advance(end, 3).expect("advances");
        assert!(spool.is_empty());
        assert_eq!(gauge.get(), 0);
        assert_eq!(
            std::fs::metadata(&path).expect("file").len(),
            0,
            "truncated"
        );
    }

    #[test]
    fn a_torn_last_record_is_cut_off() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("audit.spool");
        std::fs::write(&path, "a\tsafety.audit.x\t{}\nb\tsafety.audit.x\t{\"half").expect("write");
        let spool = Spool::open(&path, 1 << 20, gauge()).expect("opens");
        assert_eq!(spool.len(), 1);
        spool.append(&event(7)).expect("appends");
        let (events, _) = spool.peek(10).expect("peeks");
        assert_eq!(events.len(), 2);
        assert_eq!(events[1], event(7));
    }

    #[test]
    fn a_full_spool_refuses_until_replay_makes_room() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spool = Spool::open(&dir.path().join("s"), 100, gauge()).expect("opens");
        let mut taken = 0;
        while spool.append(&event(taken)).is_ok() {
            taken += 1;
        }
        assert!(taken > 0 && spool.is_full());
        assert!(matches!(
            spool.append(&event(99)),
            Err(SpoolError::Full { .. })
        ));
        let (events, end) = spool.peek(1).expect("peeks");
        spool.advance(end, events.len() as u64).expect("advances");
        assert!(!spool.is_full());
        spool.append(&event(1)).expect("room again");
    }

    #[test]
    fn records_that_would_break_the_format_are_refused() {
        let mut bad = event(1);
        bad.payload = b"{\"a\":\n1}".to_vec();
        assert!(matches!(encode(&bad), Err(SpoolError::Invalid(_))));
        let mut bad = event(1);
        bad.id = "x\ty".into();
        assert!(matches!(encode(&bad), Err(SpoolError::Invalid(_))));
    }
}
