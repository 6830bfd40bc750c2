//! The real `warden serve` binary as a child process on a free port.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{free_port, wait_for_port};

pub struct WardenProcess {
    pub port: u16,
    env: HashMap<String, String>,
    child: Option<Child>,
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
            .env("RUST_LOG", "warn")
            .envs(&self.env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        self.child = Some(command.spawn().expect("warden binary starts"));
        wait_for_port(self.port, Duration::from_secs(20));
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
