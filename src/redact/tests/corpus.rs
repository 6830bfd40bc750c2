//! The shared corpus (`tests/corpora/logs-2mb.log`, a copy of the shared corpus, 62 planted secrets): after
//! redaction no secret remains, and every line without a secret is unchanged, both
//! through `redact` on the whole text and through `redact_stream` in small reads.

use std::collections::BTreeMap;
use std::io::{BufReader, Read};

use serde::Deserialize;

use crate::redact::Redactor;

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpora/logs-2mb.log");
const TRUTH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/corpora/logs-2mb.log.truth.jsonl"
);

#[derive(Deserialize)]
struct Truth {
    line: usize,
    kind: String,
    secret: String,
}

fn load() -> (String, Vec<Truth>) {
    let text =
        std::fs::read_to_string(LOG).expect("corpus readable (symlink shared/ next to the crate)");
    let truth = std::fs::read_to_string(TRUTH)
        .expect("truth readable")
        .lines()
        .map(|l| serde_json::from_str(l).expect("truth line is JSON"))
        .collect();
    (text, truth)
}

/// 0-based line numbers that carry (part of) a planted secret.
fn secret_lines(text: &str, truth: &[Truth]) -> Vec<bool> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |off: usize| line_starts.partition_point(|&s| s <= off) - 1;
    let mut dirty = vec![false; line_starts.len()];
    for t in truth {
        let mut found = false;
        for (at, _) in text.match_indices(t.secret.as_str()) {
            found = true;
            for d in &mut dirty[line_of(at)..=line_of(at + t.secret.len() - 1)] {
                *d = true;
            }
        }
        assert!(found, "truth secret of line {} not in corpus", t.line);
    }
    dirty
}

fn check_output(input: &str, output: &str, truth: &[Truth]) {
    for t in truth {
        assert!(
            !output.contains(&t.secret),
            "{} secret on line {} survived",
            t.kind,
            t.line
        );
    }
    // Clean lines must come through byte for byte and in order; lines carrying a secret
    // are the only ones allowed to change (a multi-line PEM block becomes one line).
    let dirty = secret_lines(input, truth);
    let clean_in: Vec<&str> = input
        .split('\n')
        .enumerate()
        .filter(|(i, _)| !dirty[*i])
        .map(|(_, l)| l)
        .collect();
    let clean_out: Vec<&str> = output
        .split('\n')
        .filter(|l| !l.contains("[REDACTED:"))
        .collect();
    assert_eq!(clean_in.len(), clean_out.len(), "clean line count differs");
    for (a, b) in clean_in.iter().zip(&clean_out) {
        assert_eq!(a, b, "clean line changed");
    }
}

#[test]
fn corpus_redact_leaves_no_secret_and_no_clean_line_changed() {
    let (text, truth) = load();
    let r = Redactor::default();
    let out = r.redact(&text);
    check_output(&text, &out.text, &truth);
    // one finding per planted secret, each exactly on the secret
    assert_eq!(
        out.findings.len(),
        truth.len(),
        "findings: {:?}",
        out.findings.iter().map(|f| &f.kind).collect::<Vec<_>>()
    );
    for t in &truth {
        assert!(
            out.findings
                .iter()
                .any(|f| text[f.start..f.end].contains(&t.secret)),
            "{} on line {} not covered by a finding",
            t.kind,
            t.line
        );
    }
}

/// A reader that hands out at most `n` bytes per read, cycling 1..=n.
pub(crate) struct Trickle<R> {
    pub inner: R,
    pub max: usize,
    pub next: usize,
}

impl<R: Read> Read for Trickle<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.next = self.next % self.max + 1;
        let n = self.next.min(buf.len());
        self.inner.read(&mut buf[..n])
    }
}

#[test]
fn corpus_stream_matches_whole_text_redaction() {
    let (text, truth) = load();
    let r = Redactor::default();
    let reader = BufReader::with_capacity(
        4096,
        Trickle {
            inner: text.as_bytes(),
            max: 4096,
            next: 0,
        },
    );
    let mut out = Vec::new();
    let stats = r
        .redact_stream(reader, &mut out, &[], false)
        .expect("stream");
    let out = String::from_utf8(out).expect("utf-8 in, utf-8 out");
    check_output(&text, &out, &truth);
    assert_eq!(out, r.redact(&text).text);
    assert_eq!(stats.bytes_in, text.len() as u64);
    assert_eq!(stats.lines, 15_270);
    assert_eq!(stats.findings, truth.len() as u64);
    let mut want: BTreeMap<&str, u64> = BTreeMap::new();
    for t in &truth {
        let kind = match t.kind.as_str() {
            "password" | "env" => "PASSWORD",
            "stripe" => "STRIPE_KEY",
            "openai" => "OPENAI_API_KEY",
            "basic" => "BASIC_AUTH",
            "aws" => "AWS_ACCESS_KEY_ID",
            "aws_secret" => "AWS_SECRET_ACCESS_KEY",
            "anthropic" => "ANTHROPIC_API_KEY",
            "google" => "GOOGLE_API_KEY",
            "bearer" => "BEARER_TOKEN",
            "pem" => "PRIVATE_KEY",
            "github" => "GITHUB_TOKEN",
            "jwt" => "JWT",
            other => panic!("unexpected truth kind {other}"),
        };
        *want.entry(kind).or_insert(0) += 1;
    }
    let got: BTreeMap<&str, u64> = stats
        .by_kind
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn corpus_env_names_take_the_variable_name_as_kind() {
    let (text, truth) = load();
    let r = Redactor::default();
    let out = r.redact_env_vars(&text, &["DATABASE_PASSWORD".to_string()]);
    check_output(&text, &out.text, &truth);
    let env = truth.iter().filter(|t| t.kind == "env").count();
    assert_eq!(
        out.findings
            .iter()
            .filter(|f| f.kind == "DATABASE_PASSWORD")
            .count(),
        env
    );
}
