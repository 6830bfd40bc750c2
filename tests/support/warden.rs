//! The real `warden serve` binary as a child process on a free port.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{free_port, wait_for_port};

pub struct WardenProcess {
    pub port: u16,
    env: HashMap<String, String>,
    child: Option<Child>,
    /// `WARDEN_DATA_DIR` (the audit spool), kept across restarts.
    data: tempfile::TempDir,
}

impl WardenProcess {
    /// Starts warden with `env` (NATS_URL etc.) and waits until HTTP answers.
    pub fn start(env: &[(&str, &str)]) -> WardenProcess {
        let mut process = WardenProcess {
            port: free_port(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            child: None,
            data: tempfile::tempdir().expect("temp dir for WARDEN_DATA_DIR"),
        };
        process.restart();
        process
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn restart(&mut self) {
        self.kill();
        let mut command = Command::new(env!("CARGO_BIN_EXE_warden"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("WARDEN_HTTP_ADDR", format!("127.0.0.1:{}", self.port))
            .env("RUST_LOG", "error")
            .env("WARDEN_DATA_DIR", self.data.path())
            .envs(&self.env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        self.child = Some(command.spawn().expect("warden binary starts"));
        wait_for_port(self.port, Duration::from_secs(20));
        self.wait_ready(Duration::from_secs(20));
    }

    /// Blocks until `GET /readyz` answers 200: subscriptions and consumers are up.
    pub fn wait_ready(&self, timeout: Duration) {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let request =
                    "GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
                let mut response = String::new();
                if stream.write_all(request.as_bytes()).is_ok()
                    && stream.read_to_string(&mut response).is_ok()
                    && response.starts_with("HTTP/1.1 200")
                {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("warden on port {} not ready after {timeout:?}", self.port);
    }

    /// The Prometheus text of `GET /metrics` (protected mode: no token needed).
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.base_url()))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text")
    }

    /// The data directory (`WARDEN_DATA_DIR`) this warden keeps its spool in.
    pub fn data_dir(&self) -> &std::path::Path {
        self.data.path()
    }

    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .map(|c| c.id())
            .expect("warden is running")
    }

    /// SIGKILL: no graceful anything, as in a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("warden is running");
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        child.wait().expect("warden exits")
    }
}

impl Drop for WardenProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
