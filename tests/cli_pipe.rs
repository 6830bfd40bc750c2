//! `warden redact FILE | head`: when the reader closes the pipe early, warden
//! stops quietly with exit status 0, as ripgrep does.

use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn redact_into_a_closed_pipe_exits_zero_and_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("app.log");
    // Far more than any pipe buffer, so warden is still writing when the reader leaves.
    let line = "2026-01-01 info request ok token=sk-proj-abcdefghijklmnopqrstuvwx0123456789\n";
    std::fs::write(&file, line.repeat(200_000)).expect("write log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .arg("redact")
        .arg(&file)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("WARDEN_STORE", "memory")
        .env("WARDEN_DATA_DIR", dir.path())
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("warden starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut head = [0u8; 4096];
    stdout.read_exact(&mut head).expect("some output");
    assert!(String::from_utf8_lossy(&head).contains("[REDACTED:"));
    drop(stdout);
    let output = child.wait_with_output().expect("warden exits");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "status {:?}: {stderr}",
        output.status
    );
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}
