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
    options
        .connect(settings.url.expose().as_str())
        .await
        .map_err(|e| {
            NatsError::connect(
                format!("cannot connect to NATS at {}", settings.display_url()),
                e,
            )
        })
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
}
