//! Criterion benchmarks for the redactor: one clean line, one secret-bearing line, and
//! the shared 2 MB corpus line by line, as one text, and through the streaming API.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use warden::redact::{Redactor, RedactorConfig};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpora/logs-2mb.log");

const CLEAN: &str = "2024-06-25T19:39:14.960Z INFO  [gateway] processed completed connection commit queue connection upstream timeout request queue timeout cache user_id=640596 trace=7e62aa0a1df9fd78";
const SECRET: &str = "2024-07-20T18:44:56.410Z DEBUG [http] > Authorization: Bearer u9ZK_v2GnJ.iCWZBwelM94_Qz8.bySe2Q52HaDc9";

fn lines(c: &mut Criterion) {
    let r = Redactor::default();
    let mut g = c.benchmark_group("line");
    for (name, line) in [("clean", CLEAN), ("secret", SECRET)] {
        g.throughput(Throughput::Bytes(line.len() as u64));
        g.bench_function(name, |b| b.iter(|| black_box(r.redact(black_box(line)))));
    }
    g.finish();
}

fn corpus(c: &mut Criterion) {
    let Ok(text) = std::fs::read_to_string(CORPUS) else {
        eprintln!("corpus not found at {CORPUS}; skipping corpus benchmarks");
        return;
    };
    let r = Redactor::default();
    let keyed = Redactor::new(RedactorConfig {
        hmac_key: Some(b"bench-key".to_vec()),
        env_values: vec![("DATABASE_PASSWORD".into(), "not-in-the-corpus-1234".into())],
    });
    let mut g = c.benchmark_group("corpus_2mb");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(30);
    g.bench_function("redact_per_line", |b| {
        b.iter(|| {
            for line in text.lines() {
                black_box(r.redact(line));
            }
        })
    });
    g.bench_function("redact_whole_text", |b| {
        b.iter(|| black_box(r.redact(&text)))
    });
    g.bench_function("redact_stream", |b| {
        b.iter(|| {
            r.redact_stream(text.as_bytes(), std::io::sink(), &[], false)
                .expect("sink never fails")
        })
    });
    g.bench_function("redact_stream_keyed_env", |b| {
        b.iter(|| {
            keyed
                .redact_stream(
                    text.as_bytes(),
                    std::io::sink(),
                    &["DATABASE_PASSWORD".to_string()],
                    false,
                )
                .expect("sink never fails")
        })
    });
    g.finish();
}

criterion_group!(benches, lines, corpus);
criterion_main!(benches);
