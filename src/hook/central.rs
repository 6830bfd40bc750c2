//! Asking the team's central warden: `POST /api/v1/safety/check` over plain
//! HTTP/1.1, or a `safety.check` request over NATS. The whole exchange
//! (name resolution included) runs on a helper thread and the caller waits at
//! most the configured timeout; a late, refused or unreadable answer is an
//! [`Unavailable`] and the local decision stands.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

use super::settings::Central;
use crate::config::NatsSettings;

/// The central decision, as REST and NATS both return it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RemoteDecision {
    pub allowed: bool,
    pub reason: String,
    pub requires_approval: bool,
    pub rule: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub findings: Vec<String>,
    #[serde(default)]
    pub decision_id: Option<String>,
}

/// Why no central decision was used (said in the reason, never a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(pub String);

/// Sends `request` (a `/check` body) and waits at most `timeout` for the answer.
pub fn check(
    central: &Central,
    nats: &NatsSettings,
    request: &Value,
    timeout: Duration,
) -> Result<RemoteDecision, Unavailable> {
    let body = request.to_string();
    let (tx, rx) = mpsc::channel();
    let deadline = Instant::now() + timeout;
    let central = central.clone();
    let nats = nats.clone();
    let spawned = std::thread::Builder::new()
        .name("warden-central".into())
        .spawn(move || {
            let answer = match &central {
                Central::Rest {
                    authority,
                    base_path,
                    token,
                } => rest(authority, base_path, token.as_deref(), &body, deadline),
                Central::Nats => over_nats(&nats, body, deadline),
            };
            let _ = tx.send(answer);
        });
    if spawned.is_err() {
        return Err(Unavailable("cannot start the central request".into()));
    }
    match rx.recv_timeout(timeout) {
        Ok(answer) => answer,
        Err(_) => Err(Unavailable(format!(
            "central warden did not answer within {} ms",
            timeout.as_millis()
        ))),
    }
}

fn remaining(deadline: Instant) -> Result<Duration, Unavailable> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| Unavailable("central warden timed out".into()))
}

fn rest(
    authority: &str,
    base_path: &str,
    token: Option<&str>,
    body: &str,
    deadline: Instant,
) -> Result<RemoteDecision, Unavailable> {
    let unreachable = |_| Unavailable("central warden is unreachable".into());
    let addr = authority
        .to_socket_addrs()
        .map_err(unreachable)?
        .next()
        .ok_or_else(|| Unavailable("central warden's host does not resolve".into()))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, remaining(deadline)?).map_err(unreachable)?;
    stream
        .set_write_timeout(Some(remaining(deadline)?))
        .map_err(unreachable)?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST {base_path}/api/v1/safety/check HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nAccept: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|_| Unavailable("central warden closed the connection".into()))?;
    let mut response = Vec::new();
    loop {
        stream
            .set_read_timeout(Some(remaining(deadline)?))
            .map_err(unreachable)?;
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&chunk[..n]),
            Err(_) => return Err(Unavailable("central warden timed out".into())),
        }
        if response.len() > 1 << 20 {
            return Err(Unavailable("central warden's answer is too large".into()));
        }
    }
    let (status, body) = parse_response(&response)?;
    if status != 200 {
        let code = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(String::from))
            .unwrap_or_else(|| "error".into());
        return Err(Unavailable(format!(
            "central warden answered {status} {code}"
        )));
    }
    serde_json::from_slice(&body)
        .map_err(|_| Unavailable("central warden's answer is not a decision".into()))
}

/// Status code and body of an HTTP/1.1 response (plain or chunked).
fn parse_response(raw: &[u8]) -> Result<(u16, Vec<u8>), Unavailable> {
    let garbled = || Unavailable("central warden's answer is not HTTP".into());
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(garbled)?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| garbled())?;
    let body = &raw[split + 4..];
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(garbled)?;
    let chunked = head.lines().any(|line| {
        let lower = line.to_ascii_lowercase();
        lower.starts_with("transfer-encoding:") && lower.contains("chunked")
    });
    if !chunked {
        return Ok((status, body.to_vec()));
    }
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(garbled)?;
        let size_text = std::str::from_utf8(&rest[..line_end]).map_err(|_| garbled())?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| garbled())?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok((status, out));
        }
        if rest.len() < size {
            return Err(garbled());
        }
        out.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).ok_or_else(garbled)?;
    }
}

fn over_nats(
    settings: &NatsSettings,
    body: String,
    deadline: Instant,
) -> Result<RemoteDecision, Unavailable> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|_| Unavailable("cannot start the NATS client".into()))?;
    runtime.block_on(async {
        let wait = remaining(deadline)?;
        let exchange = async {
            let client = crate::nats::connect(settings)
                .await
                .map_err(|_| Unavailable("central NATS is unreachable".into()))?;
            let reply = client
                .request("safety.check", body.into())
                .await
                .map_err(|_| Unavailable("no warden answered on safety.check".into()))?;
            let value: Value = serde_json::from_slice(&reply.payload)
                .map_err(|_| Unavailable("central warden's answer is not JSON".into()))?;
            if let Some(code) = value["error"]["code"].as_str() {
                return Err(Unavailable(format!("central warden answered {code}")));
            }
            serde_json::from_value(value)
                .map_err(|_| Unavailable("central warden's answer is not a decision".into()))
        };
        tokio::time::timeout(wait, exchange)
            .await
            .map_err(|_| Unavailable("central warden timed out".into()))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_chunked_responses() {
        let plain = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(parse_response(plain), Ok((200, b"{}".to_vec())));
        let chunked =
            b"HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked), Ok((401, b"abcde".to_vec())));
        assert!(parse_response(b"garbage").is_err());
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err()
        );
    }

    #[test]
    fn a_silent_server_is_unavailable_within_the_timeout() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let central = Central::Rest {
            authority: listener.local_addr().expect("addr").to_string(),
            base_path: String::new(),
            token: None,
        };
        let started = Instant::now();
        let err = check(
            &central,
            &NatsSettings::default(),
            &serde_json::json!({}),
            Duration::from_millis(100),
        )
        .expect_err("no answer");
        assert!(started.elapsed() < Duration::from_millis(400));
        assert!(
            err.0.contains("100 ms") || err.0.contains("timed out"),
            "{err}"
        );
        drop(listener);
    }
}
