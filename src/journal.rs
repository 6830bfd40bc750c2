//! The in-flight journal: every audit event handed to JetStream is first
//! written here and forgotten once JetStream acknowledged it (or the spool took
//! it). At start, what a killed process left behind goes to the spool, so an
//! event whose ack was still outstanding at a SIGKILL is replayed, not lost.
//!
//! * Records use the spool's line format; writes are not synced (this guards
//!   against a crash of warden; the operating system keeps the page cache).
//! * Segments `journal-<n>.log` rotate at [`SEGMENT_BYTES`]; a segment is
//!   deleted (the current one emptied) whenever none of its events is
//!   outstanding, so a restart replays little beyond what was in flight. What
//!   it replays again JetStream drops by message id (10-minute window).
//! * Like the spool, a journal directory belongs to one process.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::audit::Outgoing;
use crate::spool::{decode, encode, SpoolError};

/// Size at which the journal starts a new segment.
pub const SEGMENT_BYTES: u64 = 1 << 20;

/// Proof that an event is in the journal; hand it back to [`Journal::done`].
#[derive(Debug)]
pub struct Ticket {
    segment: u64,
}

struct Segment {
    id: u64,
    file: File,
    bytes: u64,
}

struct Inner {
    current: Segment,
    /// Events not yet done, by segment.
    outstanding: HashMap<u64, u64>,
}

/// The journal directory and its current segment.
pub struct Journal {
    dir: PathBuf,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// What a previous process left in the journal: events to spool, then the
/// segment files to delete once they are.
#[derive(Debug, Default)]
pub struct Leftovers {
    pub events: Vec<Outgoing>,
    pub files: Vec<PathBuf>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> SpoolError + '_ {
    move |cause| SpoolError::Io {
        path: path.display().to_string(),
        cause,
    }
}

fn segment_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("journal-{id}.log"))
}

fn open_segment(dir: &Path, id: u64) -> Result<Segment, SpoolError> {
    let path = segment_path(dir, id);
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(io(&path))?;
    file.set_len(0).map_err(io(&path))?;
    Ok(Segment { id, file, bytes: 0 })
}

impl Journal {
    /// Opens the journal in `dir` (created when missing) and reads what a
    /// previous process left there.
    pub fn open(dir: &Path) -> Result<(Journal, Leftovers), SpoolError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut leftovers = Leftovers::default();
        let mut segments: Vec<(u64, PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            let id = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("journal-")?.strip_suffix(".log"))
                .and_then(|n| n.parse::<u64>().ok());
            if let Some(id) = id {
                segments.push((id, path));
            }
        }
        segments.sort();
        let next = segments.last().map_or(0, |(id, _)| id + 1);
        for (_, path) in segments {
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            // A torn last line (killed mid-write) was never handed to JetStream.
            leftovers.events.extend(
                bytes
                    .split_inclusive(|&b| b == b'\n')
                    .filter(|line| line.ends_with(b"\n"))
                    .filter_map(|line| decode(&line[..line.len() - 1])),
            );
            leftovers.files.push(path);
        }
        let journal = Journal {
            inner: Mutex::new(Inner {
                current: open_segment(dir, next)?,
                outstanding: HashMap::new(),
            }),
            dir: dir.to_path_buf(),
        };
        Ok((journal, leftovers))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes `event` before it is handed to JetStream.
    pub fn record(&self, event: &Outgoing) -> Result<Ticket, SpoolError> {
        let record = encode(event)?;
        let mut inner = self.lock();
        if inner.current.bytes >= SEGMENT_BYTES {
            let id = inner.current.id + 1;
            let old = std::mem::replace(&mut inner.current, open_segment(&self.dir, id)?);
            if !inner.outstanding.contains_key(&old.id) {
                self.delete(old.id);
            }
        }
        let path = segment_path(&self.dir, inner.current.id);
        inner.current.file.write_all(&record).map_err(io(&path))?;
        inner.current.bytes += record.len() as u64;
        let segment = inner.current.id;
        *inner.outstanding.entry(segment).or_insert(0) += 1;
        Ok(Ticket { segment })
    }

    /// The event of `ticket` is stored (acked by JetStream, or in the spool).
    pub fn done(&self, ticket: Ticket) {
        let mut inner = self.lock();
        let left = match inner.outstanding.get_mut(&ticket.segment) {
            Some(count) => {
                *count = count.saturating_sub(1);
                *count
            }
            None => return,
        };
        if left == 0 {
            inner.outstanding.remove(&ticket.segment);
            if ticket.segment != inner.current.id {
                self.delete(ticket.segment);
            } else if inner.current.file.set_len(0).is_ok() {
                // Appends go to the (new) end: the file is opened for appending.
                inner.current.bytes = 0;
            }
        }
    }

    fn delete(&self, segment: u64) {
        let path = segment_path(&self.dir, segment);
        if let Err(e) = std::fs::remove_file(&path) {
            tracing::warn!(cause = %e, path = %path.display(), "journal segment not deleted");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: usize) -> Outgoing {
        Outgoing {
            subject: "safety.audit.decision".into(),
            id: format!("id-{n}"),
            payload: format!(r#"{{"n":{n}}}"#).into_bytes(),
        }
    }

    #[test]
    fn events_still_outstanding_are_left_for_the_next_process() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (journal, leftovers) = Journal::open(dir.path()).expect("opens");
        assert!(leftovers.events.is_empty());
        let done = journal.record(&event(1)).expect("records");
        let _outstanding = journal.record(&event(2)).expect("records");
        journal.done(done);
        drop(journal);

        let (_journal, leftovers) = Journal::open(dir.path()).expect("reopens");
        // The segment is replayed whole: event 1 again is harmless (same id).
        assert_eq!(leftovers.events, vec![event(1), event(2)]);
        assert_eq!(leftovers.files.len(), 1);
    }

    #[test]
    fn finished_segments_are_deleted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (journal, _) = Journal::open(dir.path()).expect("opens");
        let big = Outgoing {
            payload: vec![b'x'; SEGMENT_BYTES as usize],
            ..event(0)
        };
        let first = journal.record(&big).expect("records");
        let second = journal.record(&event(1)).expect("records, rotating");
        assert!(segment_path(dir.path(), 0).exists());
        journal.done(first);
        assert!(
            !segment_path(dir.path(), 0).exists(),
            "done and not current"
        );
        journal.done(second);
        let current = segment_path(dir.path(), 1);
        assert_eq!(std::fs::metadata(&current).expect("current stays").len(), 0);
        journal.record(&event(2)).expect("records");
        let (_, leftovers) = Journal::open(dir.path()).expect("reopens");
        assert_eq!(leftovers.events, vec![event(2)], "no hole, nothing old");
    }
}
