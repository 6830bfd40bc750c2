//! Streaming: chunk boundaries anywhere (including inside a PEM block), CRLF, invalid
//! UTF-8, over-long lines, overflowing PEM blocks, flushing and stats.

use std::io::{self, BufReader, Write};

use crate::redact::tests::corpus::Trickle;
use crate::redact::tests::rules::{rnd, ALNUM, URLSAFE};
use crate::redact::{Redactor, MAX_LINE, PEM_HOLD_MAX};

fn stream_with(
    r: &Redactor,
    input: &[u8],
    cap: usize,
    max: usize,
    start: usize,
    names: &[String],
) -> Vec<u8> {
    let reader = BufReader::with_capacity(
        cap,
        Trickle {
            inner: input,
            max,
            next: start,
        },
    );
    let mut out = Vec::new();
    r.redact_stream(reader, &mut out, names, false)
        .expect("stream to Vec cannot fail");
    out
}

fn sample() -> String {
    let pem_body = format!(
        "{}\n{}\n{}",
        rnd(70, 64, ALNUM),
        rnd(71, 64, ALNUM),
        rnd(72, 20, ALNUM)
    );
    format!(
        "start AKIA{} mid password=hunter2xyz end\n\
         failed to parse:\n-----BEGIN EC PRIVATE KEY-----\n{pem_body}\n-----END EC PRIVATE KEY-----\n\
         > Authorization: Bearer {}\n\
         {{\"k\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\"}}\n\
         DATABASE_URL=postgres://u:pw12345@db/app\n\
         tail without newline ghp_{}",
        rnd(73, 16, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        rnd(74, 40, URLSAFE),
        rnd(75, 64, ALNUM),
        rnd(76, 36, ALNUM),
    )
}

#[test]
fn secrets_survive_no_chunk_boundary() {
    let r = Redactor::default();
    let text = sample();
    let want = r
        .redact_env_vars(&text, &["DATABASE_URL".to_string()])
        .text
        .into_owned();
    assert!(!want.contains("hunter2xyz") && !want.contains("BEGIN") && !want.contains("ghp_"));
    let names = vec!["DATABASE_URL".to_string()];
    for max in [1, 2, 3, 5, 7, 13, 64] {
        for start in 0..max {
            for cap in [1, 2, 8, 4096] {
                let got = stream_with(&r, text.as_bytes(), cap, max, start, &names);
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    want,
                    "max={max} start={start} cap={cap}"
                );
            }
        }
    }
}

#[test]
fn crlf_lines_and_invalid_utf8_pass_through() {
    let r = Redactor::default();
    let mut input = b"a\xff\xfe b password=hunter2xyz\r\n\xc3\x28 clean \x80\r\nBearer ".to_vec();
    input.extend_from_slice(rnd(77, 30, ALNUM).as_bytes());
    input.extend_from_slice(b"\r\n");
    let got = stream_with(&r, &input, 3, 2, 0, &[]);
    assert_eq!(got, b"a\xff\xfe b password=[REDACTED:PASSWORD]\r\n\xc3\x28 clean \x80\r\nBearer [REDACTED:BEARER_TOKEN]\r\n".to_vec());
}

/// Records the largest single write, a proxy for how much the stream buffers.
#[derive(Default)]
struct MaxWrite {
    data: Vec<u8>,
    max: usize,
    flushes: usize,
}

impl Write for MaxWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.max = self.max.max(buf.len());
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

#[test]
fn ten_megabyte_line_is_windowed_without_losing_secrets() {
    let r = Redactor::default();
    let filler = b"lorem ipsum dolor sit amet ";
    let mut line = Vec::with_capacity(10 << 20);
    let mut secrets = Vec::new();
    let mut i = 0u64;
    while line.len() < 10 << 20 {
        line.extend_from_slice(filler);
        i += 1;
        // a secret roughly every 40 KB, at shifting offsets, so some straddle window edges
        if i % 1500 == 0 {
            let s = format!("ghp_{}", rnd(i, 36, ALNUM));
            let p = format!("{}Q9z", rnd(i + 1, 12, ALNUM));
            line.extend_from_slice(format!("{s} x password={p} y ").as_bytes());
            secrets.push(s);
            secrets.push(p);
        }
    }
    let text = String::from_utf8(line).expect("ascii");
    let want = r.redact(&text).text.into_owned();
    let mut sink = MaxWrite::default();
    let reader = BufReader::with_capacity(64 * 1024, text.as_bytes());
    let stats = r
        .redact_stream(reader, &mut sink, &[], false)
        .expect("stream");
    assert_eq!(stats.lines, 1);
    assert_eq!(stats.bytes_in, text.len() as u64);
    let got = String::from_utf8(sink.data).expect("utf-8");
    for s in &secrets {
        assert!(!got.contains(s.as_str()), "secret {s} survived");
    }
    assert_eq!(got, want);
    assert!(
        sink.max <= MAX_LINE + 64 * 1024,
        "a single write of {} bytes: the line was not windowed",
        sink.max
    );
}

#[test]
fn overlong_pem_block_is_redacted_conservatively() {
    let r = Redactor::default();
    let mut input = String::from("before\n-----BEGIN RSA PRIVATE KEY-----\n");
    let mut n = 0u64;
    while input.len() < PEM_HOLD_MAX + 4096 {
        input.push_str(&rnd(n, 64, ALNUM));
        input.push('\n');
        n += 1;
    }
    input.push_str("-----END RSA PRIVATE KEY----- trailing\nafter\n");
    let got =
        String::from_utf8(stream_with(&r, input.as_bytes(), 8192, 8192, 0, &[])).expect("utf-8");
    assert!(
        got.starts_with("before\n[REDACTED:PRIVATE_KEY]"),
        "{}",
        &got[..got.len().min(200)]
    );
    assert!(
        got.ends_with(" trailing\nafter\n"),
        "{}",
        &got[got.len().saturating_sub(200)..]
    );
    assert_eq!(
        got.len(),
        "before\n[REDACTED:PRIVATE_KEY] trailing\nafter\n".len(),
        "body lines must not come through: {got}"
    );
}

#[test]
fn flushes_each_line_and_counts() {
    let r = Redactor::default();
    let input = "a\npassword=hunter2xyz\nc\nAKIAABCDEFGHIJKLMNOP\n";
    let mut sink = MaxWrite::default();
    let stats = r
        .redact_stream(input.as_bytes(), &mut sink, &[], true)
        .expect("stream");
    assert!(sink.flushes >= 4);
    assert_eq!(stats.lines, 4);
    assert_eq!(stats.findings, 2);
    assert_eq!(stats.by_kind.get("PASSWORD"), Some(&1));
    assert_eq!(stats.by_kind.get("AWS_ACCESS_KEY_ID"), Some(&1));
    let empty = r
        .redact_stream(&b""[..], &mut sink, &[], true)
        .expect("stream");
    assert_eq!((empty.lines, empty.bytes_in), (0, 0));
}
