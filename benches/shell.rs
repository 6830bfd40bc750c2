//! Criterion benchmarks for the shell policy analyser: a one-liner, a
//! 20-command `&&` chain, a ~4 KB benign script and a 2 KB `python -c`
//! payload (tokenised and its calls inspected).

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

const PYTHON_BLOCK: &str = r#"import json, os, subprocess, shutil, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return out.stdout.strip()
status = run(["git", "status", "--porcelain"])
branch = run(["git", "rev-parse", "--abbrev-ref", "HEAD"])
files = [f for f in os.listdir(".") if f.endswith((".py", ".toml"))]
shutil.rmtree("build/tmp", ignore_errors=True)
os.makedirs("build/out", exist_ok=True)
report = {"branch": branch, "dirty": bool(status), "files": sorted(files)}
with open("build/out/report.json", "w") as fh:
    json.dump(report, fh, indent=2)
print(f"{branch}: {len(files)} files, dirty={bool(status)}", file=sys.stderr)
"#;

/// `python3 -c '…'` with about 2 KB of code.
fn python_payload() -> String {
    let mut code = String::new();
    while code.len() < 2048 {
        code.push_str(PYTHON_BLOCK);
    }
    let cut = code
        .get(..2048)
        .and_then(|h| h.rfind('\n'))
        .unwrap_or(code.len());
    code.truncate(cut);
    format!("python3 -c '{}'", code.replace('\'', "'\\''"))
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
    let python = python_payload();
    assert!(
        analyze_command(&python, &opts).is_empty(),
        "python payload must be benign"
    );
    c.bench_function("2 KB python -c payload", |b| {
        b.iter(|| analyze_command(black_box(&python), &opts))
    });
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
