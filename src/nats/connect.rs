//! Connecting to NATS with the configured credentials, and readiness.

use async_nats::{Client, ConnectOptions};

use super::{NatsError, NatsErrorKind};
use crate::config::NatsSettings;

/// Connects to NATS; the error names the URL, never a credential.
pub async fn connect(settings: &NatsSettings) -> Result<Client, NatsError> {
    let mut options = ConnectOptions::new().name("warden");
    if let Some(path) = &settings.creds_file {
        options = options.credentials_file(path).await.map_err(|e| {
            NatsError::new(
                NatsErrorKind::Credentials,
                format!("NATS_CREDS {}", path.display()),
                e,
            )
        })?;
    }
    if let (Some(user), Some(password)) = (&settings.user, &settings.password) {
        options = options.user_and_password(user.clone(), password.expose().clone());
    }
    if let Some(token) = &settings.token {
        options = options.token(token.expose().clone());
    }
    if let Some(ca) = &settings.tls_ca {
        options = options.add_root_certificates(ca.clone()).require_tls(true);
    }
    if let (Some(cert), Some(key)) = (&settings.tls_cert, &settings.tls_key) {
        options = options.add_client_certificate(cert.clone(), key.clone());
    }
    // Credentials in the URL (`nats://token@host`, `nats://user:pass@host`)
    // become options, so the client never sees (nor logs, at debug level)
    // a URL carrying them; a bare `token@` then authenticates as a token.
    let (url, url_credentials) = split_credentials(settings.url.expose());
    match url_credentials {
        Some(UrlCredentials::Token(token)) if settings.token.is_none() => {
            options = options.token(token);
        }
        Some(UrlCredentials::UserPassword(user, password)) if settings.user.is_none() => {
            options = options.user_and_password(user, password);
        }
        _ => {}
    }
    options.connect(url.as_str()).await.map_err(|e| {
        NatsError::connect(
            format!("cannot connect to NATS at {}", settings.display_url()),
            e,
        )
    })
}

enum UrlCredentials {
    Token(String),
    UserPassword(String, String),
}

/// The server URL(s) without userinfo, and the first userinfo found
/// (percent-decoded). `url` may list several servers separated by commas.
fn split_credentials(url: &str) -> (String, Option<UrlCredentials>) {
    let mut credentials = None;
    let servers: Vec<String> = url
        .split(',')
        .map(|server| {
            let server = server.trim();
            let Ok(mut parsed) = url::Url::parse(server) else {
                return server.to_string();
            };
            if parsed.username().is_empty() && parsed.password().is_none() {
                return server.to_string();
            }
            let decode = |s: &str| {
                // `+` is a plus in userinfo, not the space of form encoding.
                url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            let user = decode(parsed.username());
            let found = match parsed.password() {
                Some(password) => UrlCredentials::UserPassword(user, decode(password)),
                None => UrlCredentials::Token(user),
            };
            credentials.get_or_insert(found);
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        })
        .collect();
    (servers.join(","), credentials)
}

/// Ready when the NATS connection is up, JetStream serves warden's streams,
/// and the budget store answers. `nats` and `jetstream` are separate checks so
/// "NATS is down" and "JetStream or a stream is broken" are told apart.
pub struct NatsReadiness {
    pub client: Client,
    pub budgets: crate::budget::BudgetTracker,
}

#[async_trait::async_trait]
impl crate::readiness::Readiness for NatsReadiness {
    async fn checks(&self) -> Vec<(&'static str, bool)> {
        let nats = self.client.connection_state() == async_nats::connection::State::Connected;
        let jetstream = nats && self.jetstream_ready().await;
        let store = self.budgets.ping().await.is_ok();
        vec![
            ("nats", nats),
            ("jetstream", jetstream),
            ("budget_store", store),
        ]
    }
}

impl NatsReadiness {
    /// The audit stream answers within a second (JetStream enabled, stream there).
    async fn jetstream_ready(&self) -> bool {
        let js = async_nats::jetstream::new(self.client.clone());
        let info = js.get_stream(super::streams::AUDIT_STREAM);
        match tokio::time::timeout(std::time::Duration::from_secs(1), info).await {
            Ok(Ok(_)) => true,
            Ok(Err(e)) => {
                tracing::warn!(cause = %e, "readiness: JetStream does not serve the audit stream");
                false
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::NatsSettings;

    #[test]
    fn credentials_never_reach_messages() {
        let shown = |url: &str| {
            NatsSettings {
                url: url.to_string().into(),
                ..NatsSettings::default()
            }
            .display_url()
        };
        assert_eq!(
            shown("nats://user:s3cret@host:4222"),
            "nats://***@host:4222"
        );
        assert_eq!(shown("nats://host:4222"), "nats://host:4222");
        assert_eq!(
            shown("nats://t0ken@a:4222,nats://b:4222"),
            "nats://***@a:4222,nats://b:4222"
        );
    }

    #[test]
    fn credentials_move_from_the_url_into_options() {
        use super::{split_credentials, UrlCredentials};
        let (url, creds) = split_credentials("nats://s3cr%40t@host:4222");
        assert_eq!(url, "nats://host:4222");
        assert!(matches!(creds, Some(UrlCredentials::Token(t)) if t == "s3cr@t"));
        let (url, creds) = split_credentials("nats://u:p%2Bw@a:1, nats://b:2");
        assert_eq!(url, "nats://a:1,nats://b:2");
        assert!(
            matches!(creds, Some(UrlCredentials::UserPassword(u, p)) if u == "u" && p == "p+w")
        );
        let (url, creds) = split_credentials("nats://host:4222");
        assert_eq!(url, "nats://host:4222");
        assert!(creds.is_none());
    }
}
