//! Fuzzes the redactor: the streamed output of any input equals the
//! whole-text output, whatever the reader's chunking.
#![no_main]

use std::io::{BufReader, Read};

use libfuzzer_sys::fuzz_target;
use warden::redact::{Redactor, RedactorConfig};

/// Hands out at most `step` bytes per read, to move chunk boundaries around.
struct Chunked<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&step, body)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let redactor = Redactor::new(RedactorConfig::default());
    let whole = redactor.redact(text).text.into_owned();
    let reader = BufReader::with_capacity(
        usize::from(step).max(1) * 7,
        Chunked {
            data: body,
            step: usize::from(step).max(1),
        },
    );
    let mut out = Vec::new();
    redactor
        .redact_stream(reader, &mut out, &[], false)
        .expect("in-memory stream");
    assert_eq!(String::from_utf8_lossy(&out), whole);
});
