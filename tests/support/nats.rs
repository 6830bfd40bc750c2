//! A real `nats-server -js` on a free loopback port, owned by one test: it can
//! be killed and restarted on the same port (same store dir), and dies on drop.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{binary, free_port, wait_for_port};

pub struct NatsServer {
    pub port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
    /// Extra command-line arguments (e.g. `--auth TOKEN`).
    extra: Vec<String>,
}

impl NatsServer {
    pub fn start() -> NatsServer {
        NatsServer::start_with(&[])
    }

    /// Starts with extra `nats-server` arguments, kept across restarts.
    pub fn start_with(extra: &[&str]) -> NatsServer {
        let store = tempfile::tempdir().expect("temp dir for the JetStream store");
        let mut server = NatsServer {
            port: free_port(),
            store,
            child: None,
            extra: extra.iter().map(|a| a.to_string()).collect(),
        };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn store_dir(&self) -> PathBuf {
        self.store.path().to_path_buf()
    }

    /// Starts (again) on the same port and store.
    pub fn restart(&mut self) {
        self.kill();
        let child = Command::new(binary("nats-server"))
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.store_dir())
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts (install the Debian package nats-server)");
        self.child = Some(child);
        wait_for_port(self.port, Duration::from_secs(10));
        // JetStream needs a moment after the port opens.
        let deadline = Instant::now() + Duration::from_millis(300);
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGSTOP: the server keeps its connections but answers nothing (a stalled
    /// JetStream). [`NatsServer::resume`] lets it go on.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// SIGCONT after [`NatsServer::pause`].
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let child = self.child.as_ref().expect("nats-server is running");
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} nats-server");
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Connects to `url`; a `nats://TOKEN@host:port` URL authenticates with the
/// token (async-nats alone would send it as a user name).
pub async fn connect(url: &str) -> async_nats::Client {
    let parsed = url::Url::parse(url).expect("a NATS URL");
    if !parsed.username().is_empty() && parsed.password().is_none() {
        let mut bare = parsed.clone();
        let _ = bare.set_username("");
        async_nats::ConnectOptions::with_token(parsed.username().to_string())
            .connect(bare.as_str())
            .await
            .expect("connect with a token")
    } else {
        async_nats::connect(url).await.expect("connect")
    }
}

/// Every message stored in `stream` right now, oldest first (an ephemeral
/// consumer reads them all).
pub async fn stream_messages(url: &str, stream: &str) -> Vec<async_nats::jetstream::Message> {
    use futures::StreamExt;
    let client = connect(url).await;
    let js = async_nats::jetstream::new(client);
    let mut stream = js.get_stream(stream).await.expect("stream exists");
    let stored = stream.info().await.expect("stream info").state.messages;
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            ack_policy: async_nats::jetstream::consumer::AckPolicy::None,
            ..Default::default()
        })
        .await
        .expect("consumer");
    let mut out = Vec::new();
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(1000)
        .messages()
        .await
        .expect("messages");
    while (out.len() as u64) < stored {
        let next = tokio::time::timeout(Duration::from_secs(10), messages.next())
            .await
            .expect("stored messages arrive")
            .expect("open")
            .expect("message");
        out.push(next);
    }
    out
}

/// How many messages `stream` stores right now.
pub async fn stream_count(url: &str, stream: &str) -> u64 {
    let client = connect(url).await;
    let js = async_nats::jetstream::new(client);
    let mut stream = js.get_stream(stream).await.expect("stream exists");
    stream.info().await.expect("stream info").state.messages
}
