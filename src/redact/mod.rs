//! PLACEHOLDER redactor (replaced by the real one).
use std::borrow::Cow;
#[derive(Default, Clone)]
pub struct RedactorConfig {
    pub hmac_key: Option<Vec<u8>>,
    pub env_values: Vec<(String, String)>,
}
pub struct Redactor;
#[derive(Debug, Clone, serde::Serialize)]
pub struct Finding {
    pub kind: String,
    pub start: usize,
    pub end: usize,
}
pub struct Redacted<'a> {
    pub text: Cow<'a, str>,
    pub findings: Vec<Finding>,
}
pub struct StreamStats {
    pub bytes_in: u64,
    pub lines: u64,
    pub findings: u64,
}
impl Redactor {
    pub fn new(_c: RedactorConfig) -> Self {
        Redactor
    }
    pub fn redact<'a>(&self, t: &'a str) -> Redacted<'a> {
        Redacted {
            text: Cow::Borrowed(t),
            findings: vec![],
        }
    }
    pub fn redact_env_vars<'a>(&self, t: &'a str, _n: &[String]) -> Redacted<'a> {
        self.redact(t)
    }
    pub fn redact_json_value(&self, _v: &mut serde_json::Value, _n: &[String]) -> Vec<Finding> {
        vec![]
    }
    pub fn redact_stream<R: std::io::BufRead, W: std::io::Write>(
        &self,
        mut i: R,
        mut o: W,
        _n: &[String],
        _f: bool,
    ) -> std::io::Result<StreamStats> {
        let n = std::io::copy(&mut i, &mut o)?;
        Ok(StreamStats {
            bytes_in: n,
            lines: 0,
            findings: 0,
        })
    }
}
pub fn kinds() -> &'static [&'static str] {
    &[]
}
