//! Readiness: whether the service's dependencies answer, by name. The REST
//! adapter serves it as `/readyz`; the NATS adapter provides the real checks.

/// Reports whether the service's dependencies are reachable, by name.
#[async_trait::async_trait]
pub trait Readiness: Send + Sync {
    async fn checks(&self) -> Vec<(&'static str, bool)>;
}

/// Always ready: for tests and the in-memory dev mode.
pub struct AlwaysReady;

#[async_trait::async_trait]
impl Readiness for AlwaysReady {
    async fn checks(&self) -> Vec<(&'static str, bool)> {
        Vec::new()
    }
}
