//! Streaming redaction, `BufRead` → `Write`, in bounded memory. Works on bytes, so
//! invalid UTF-8 passes through untouched. The unit of work is a line, except that
//! lines from a PEM `BEGIN … PRIVATE KEY` marker to its END are held and redacted
//! together (at most [`PEM_HOLD_MAX`] bytes; past that the held part is redacted as a
//! truncated key and following base64 body lines are dropped up to the END line).
//! A line longer than [`MAX_LINE`] is redacted in windows; each window keeps back an
//! overlap of [`CARRY`] bytes (and the context of any secret crossing into it), so a
//! secret at a window edge is seen whole in the next window. Only a single token longer
//! than half of [`MAX_LINE`] can be cut, and then its head is still redacted.

use std::io::{self, BufRead, Read, Write};

use crate::redact::engine::{Engine, PEM_MAX};
use crate::redact::literals::NameSet;
use crate::redact::value;
use crate::redact::{Redactor, StreamStats};

/// Longest line buffered before it is processed in windows.
pub const MAX_LINE: usize = 1 << 20;
/// Longest PEM block held waiting for its END marker.
pub const PEM_HOLD_MAX: usize = PEM_MAX;
/// Overlap kept back between windows of an over-long line.
const CARRY: usize = 16 * 1024;
/// Room kept before a secret that crosses a window edge, for its key / scheme context.
const CONTEXT: usize = 1024;

enum Ended {
    Newline,
    Limit,
    Eof,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// `buf` holds at most the carried-over start of the current line.
    Normal,
    /// `buf` holds whole lines from an unclosed PEM BEGIN marker on.
    HoldPem,
    /// An over-long PEM block was redacted as truncated; drop its remaining body lines.
    SkipPem,
}

struct Sink<'e, W> {
    engine: &'e Engine,
    names: Option<&'e NameSet>,
    w: W,
    out: Vec<u8>,
    flush: bool,
    stats: StreamStats,
}

impl<W: Write> Sink<'_, W> {
    /// Redacts and writes `chunk` whole.
    fn emit(&mut self, chunk: &[u8]) -> io::Result<()> {
        let groups = self.engine.scan(chunk, self.names, Vec::new());
        self.write_groups(chunk, &groups)
    }

    fn write_groups(
        &mut self,
        chunk: &[u8],
        groups: &[crate::redact::engine::Candidate],
    ) -> io::Result<()> {
        if groups.is_empty() {
            self.w.write_all(chunk)?;
        } else {
            self.out.clear();
            self.engine.render(chunk, groups, &mut self.out);
            self.w.write_all(&self.out)?;
            for g in groups {
                self.stats.findings += 1;
                *self.stats.by_kind.entry(g.kind.to_string()).or_insert(0) += 1;
            }
        }
        if self.flush {
            self.w.flush()?;
        }
        Ok(())
    }

    /// Emits the head of an over-long line and returns how many bytes were consumed;
    /// the rest stays buffered for the next window.
    fn emit_window(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len();
        let p = n.saturating_sub(CARRY);
        let groups = self.engine.scan(buf, self.names, Vec::new());
        let mut cut = p;
        for g in groups.iter().rev() {
            if g.end > cut && g.start < cut + CONTEXT {
                cut = cut.min(g.start.saturating_sub(CONTEXT));
            }
        }
        if cut < MAX_LINE / 2 {
            // A secret (or its context) spans most of the window: redact it here rather
            // than carry an ever-growing buffer.
            cut = p;
            for g in &groups {
                if g.start < p && g.end > cut {
                    cut = g.end;
                }
            }
        }
        let head: Vec<_> = groups.into_iter().filter(|g| g.end <= cut).collect();
        self.write_groups(&buf[..cut], &head)?;
        Ok(cut)
    }
}

fn read_segment<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<(Ended, usize)> {
    let room = limit.saturating_sub(buf.len());
    if room == 0 {
        return Ok((Ended::Limit, 0));
    }
    let n = r.by_ref().take(room as u64).read_until(b'\n', buf)?;
    let ended = if n == 0 {
        Ended::Eof
    } else if buf.last() == Some(&b'\n') {
        Ended::Newline
    } else if n == room {
        Ended::Limit
    } else {
        Ended::Eof
    };
    Ok((ended, n))
}

/// True when a line of an overflowed PEM block's body (base64, headers, blank).
fn is_pem_body_line(seg: &[u8]) -> bool {
    let trimmed = seg.strip_suffix(b"\n").unwrap_or(seg);
    let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
    trimmed
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b' ' | b'\t'))
        || value::pem_body_end(trimmed, 0) == trimmed.len()
}

pub(crate) fn run<R: BufRead, W: Write>(
    r: &Redactor,
    mut input: R,
    output: W,
    names: &NameSet,
    flush: bool,
) -> io::Result<StreamStats> {
    let engine = r.engine();
    let mut sink = Sink {
        engine,
        names: (!names.is_empty()).then_some(names),
        w: output,
        out: Vec::new(),
        flush,
        stats: StreamStats::default(),
    };
    let mut buf: Vec<u8> = Vec::with_capacity(8 * 1024);
    let mut state = State::Normal;
    let mut last_byte = b'\n';
    loop {
        let limit = if state == State::HoldPem {
            PEM_HOLD_MAX
        } else {
            MAX_LINE
        };
        let before = buf.len();
        let (ended, n) = read_segment(&mut input, &mut buf, limit)?;
        sink.stats.bytes_in += n as u64;
        if n > 0 {
            last_byte = buf[buf.len() - 1];
        }
        if matches!(ended, Ended::Newline) {
            sink.stats.lines += 1;
        }
        let eof = matches!(ended, Ended::Eof);
        if eof && n == 0 && buf.is_empty() {
            break;
        }
        match state {
            State::SkipPem => {
                if let Some(end) = engine.pem_end_in(&buf) {
                    buf.drain(..end);
                    state = State::Normal;
                } else if is_pem_body_line(&buf) {
                    buf.clear();
                    if eof {
                        break;
                    }
                    continue;
                } else {
                    state = State::Normal;
                }
                // the rest of this line is ordinary text
                if engine.pem_open_after(&buf, false) && !eof && matches!(ended, Ended::Newline) {
                    state = State::HoldPem;
                } else if matches!(ended, Ended::Limit) {
                    let cut = sink.emit_window(&buf)?;
                    buf.drain(..cut);
                } else {
                    sink.emit(&buf)?;
                    buf.clear();
                }
            }
            State::HoldPem => {
                let still_open = engine.pem_open_after(&buf[before..], true);
                match ended {
                    Ended::Newline if still_open => continue,
                    Ended::Limit => {
                        sink.emit(&buf)?;
                        buf.clear();
                        state = State::SkipPem;
                    }
                    _ => {
                        sink.emit(&buf)?;
                        buf.clear();
                        state = State::Normal;
                    }
                }
            }
            State::Normal => match ended {
                Ended::Limit => {
                    let cut = sink.emit_window(&buf)?;
                    buf.drain(..cut);
                }
                Ended::Newline if engine.pem_open_after(&buf, false) => state = State::HoldPem,
                Ended::Newline | Ended::Eof => {
                    sink.emit(&buf)?;
                    buf.clear();
                }
            },
        }
        if eof {
            if !buf.is_empty() {
                sink.emit(&buf)?;
            }
            break;
        }
    }
    if sink.stats.bytes_in > 0 && last_byte != b'\n' {
        sink.stats.lines += 1;
    }
    sink.w.flush()?;
    Ok(sink.stats)
}
