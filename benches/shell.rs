//! Criterion benchmarks for the shell policy analyser: a one-liner, a
//! 20-command `&&` chain and a ~4 KB benign script.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use warden::policy::shell::{analyze_command, ShellOptions};

const SCRIPT_BLOCK: &str = r#"#!/usr/bin/env bash
set -euo pipefail
# Build, test and package the service.
ROOT="$(cd "$(dirname "$0")" && pwd)"
BUILD_DIR="${ROOT}/build"
VERSION=$(git describe --tags --always 2>/dev/null || echo dev)
export RUSTFLAGS="-C target-cpu=native"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

clean() {
  log "cleaning ${BUILD_DIR}"
  rm -rf "${BUILD_DIR:?}/" ./dist target/tmp
  mkdir -p "$BUILD_DIR" dist
}

build() {
  for crate in core api worker; do
    log "building $crate"
    cargo build --release -p "$crate" 2>&1 | tee -a "$BUILD_DIR/build.log"
  done
  npm ci --prefix web && npm run build --prefix web
}

test_all() {
  cargo test --workspace -- --nocapture || { log "tests failed"; exit 1; }
  if [ -f web/package.json ]; then
    (cd web && npx jest --ci --reporters=default)
  fi
  find . -name '*.pyc' -delete
  grep -rn 'TODO' src/ | wc -l
}

package() {
  tar czf "dist/app-${VERSION}.tar.gz" -C "$BUILD_DIR" .
  sha256sum dist/*.tar.gz > dist/SHA256SUMS
  cat > dist/manifest.json <<EOF
{"version": "${VERSION}", "built": "$(date -u +%FT%TZ)"}
EOF
}

case "${1:-all}" in
  clean) clean ;;
  build) build ;;
  test) test_all ;;
  all) clean && build && test_all && package ;;
  *) echo "usage: $0 [clean|build|test|all]"; exit 2 ;;
esac
docker build -t "registry.local/app:${VERSION}" . && docker push "registry.local/app:${VERSION}"
kubectl -n staging set image deploy/app app="registry.local/app:${VERSION}"
kubectl -n staging rollout status deploy/app --timeout=120s
curl -fsS "https://staging.local/healthz" | jq -r .status
git tag -a "v${VERSION}" -m "release ${VERSION}" && git push origin "v${VERSION}"
"#;

fn benign_script() -> String {
    let mut s = String::new();
    while s.len() < 4096 {
        s.push_str(SCRIPT_BLOCK);
    }
    let cut = s.get(..4096).and_then(|h| h.rfind('\n')).unwrap_or(s.len());
    s.truncate(cut);
    s
}

fn chain() -> String {
    [
        "cd app",
        "git status",
        "git pull --rebase",
        "npm ci",
        "npm run lint",
        "npm test",
        "cargo fmt --check",
        "cargo build",
        "cargo test",
        "ls -la",
        "mkdir -p out",
        "cp -r assets out/",
        "echo done",
        "python3 -m pytest -q",
        "rm -f out/tmp.log",
        "du -sh out",
        "grep -r TODO src",
        "wc -l src/main.rs",
        "date",
        "git log -1 --oneline",
    ]
    .join(" && ")
}

fn bench(c: &mut Criterion) {
    let opts = ShellOptions::default();
    let script = benign_script();
    let chain = chain();
    assert!(
        analyze_command(&script, &opts).is_empty(),
        "script must be benign"
    );
    assert!(
        analyze_command(&chain, &opts).is_empty(),
        "chain must be benign"
    );
    c.bench_function("npm install express", |b| {
        b.iter(|| analyze_command(black_box("npm install express"), &opts))
    });
    c.bench_function("20-command && chain", |b| {
        b.iter(|| analyze_command(black_box(&chain), &opts))
    });
    c.bench_function("4 KB benign script", |b| {
        b.iter(|| analyze_command(black_box(&script), &opts))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
