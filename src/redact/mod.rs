//! The redactor: removes secrets (API keys, tokens, private keys, passwords,
//! credentials, named env values) from log lines and outputs before anyone stores or
//! reads them. Pure: no I/O except the reader/writer handed to [`Redactor::redact_stream`],
//! and it never reads the process environment (the caller passes a snapshot).
//!
//! Only the secret itself is replaced, by `[REDACTED:<KIND>]` (or
//! `[REDACTED:<KIND>:<8 hex of HMAC-SHA256>]` when a key is configured, so equal secrets
//! stay correlatable); every other byte is kept. A keyword prefilter (Aho-Corasick)
//! decides which rules run, so a clean line costs one automaton pass and no allocation.
//!
//! # Layout
//!
//! - `rules`: the rule table (kinds, keywords, patterns, checks). Data.
//! - `value`: value parsing, placeholder / entropy / base64 checks, PEM body scanning.
//! - `literals`: env-value snapshot and named-variable matching.
//! - `engine`: prefilter, rule execution, overlap resolution, rendering.
//! - `json`: redaction of `serde_json::Value` documents, using key context.
//! - `stream`: `BufRead` → `Write` redaction in bounded memory.

mod engine;
mod json;
mod literals;
mod rules;
mod stream;
mod value;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use serde::Serialize;

use crate::redact::engine::{Candidate, Engine};
use crate::redact::literals::NameSet;

pub use crate::redact::stream::{MAX_LINE, PEM_HOLD_MAX};

/// Every kind the built-in rules emit, for metrics. Named env vars use their own name.
pub fn kinds() -> &'static [&'static str] {
    rules::KINDS
}

/// Construction-time settings.
#[derive(Clone, Default)]
pub struct RedactorConfig {
    /// Keyed-hash mode: placeholders become `[REDACTED:KIND:xxxxxxxx]`, the first 8 hex
    /// digits of HMAC-SHA256(key, secret).
    pub hmac_key: Option<Vec<u8>>,
    /// `(NAME, current value)` snapshot of named env vars taken by the caller; each value
    /// of at least 8 bytes is redacted wherever it appears, as `[REDACTED:NAME]`.
    pub env_values: Vec<(String, String)>,
}

impl fmt::Debug for RedactorConfig {
    // Never print the key or the values: a config dump must not leak what it protects.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.env_values.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("RedactorConfig")
            .field("hmac_key", &self.hmac_key.as_ref().map(|_| "<set>"))
            .field("env_values", &names)
            .finish()
    }
}

/// The redactor. Built once, `Send + Sync`, and cheap to clone (shared internals).
#[derive(Clone)]
pub struct Redactor {
    engine: Arc<Engine>,
    /// The last compiled name set. Callers pass the same configured names on
    /// almost every call, and compiling the automaton costs far more than the
    /// redaction of one log line, so one remembered entry is enough.
    names: Arc<RwLock<Option<CompiledNames>>>,
}

/// A name list and the automaton compiled from it.
type CompiledNames = (Vec<String>, Arc<NameSet>);

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("env_values", &self.engine.env_value_count())
            .field("keyed", &self.engine.has_hmac())
            .finish_non_exhaustive()
    }
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new(RedactorConfig::default())
    }
}

/// One redacted secret: its kind and its byte range in the input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Finding {
    pub kind: Cow<'static, str>,
    pub start: usize,
    pub end: usize,
}

/// A redaction result. `text` borrows the input when nothing matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted<'a> {
    pub text: Cow<'a, str>,
    pub findings: Vec<Finding>,
}

impl Redacted<'_> {
    /// True when nothing was redacted.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// What [`Redactor::redact_stream`] saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StreamStats {
    pub bytes_in: u64,
    /// Lines read (a final line without a newline counts).
    pub lines: u64,
    pub findings: u64,
    pub by_kind: BTreeMap<String, u64>,
}

impl Redactor {
    pub fn new(cfg: RedactorConfig) -> Self {
        Self {
            engine: Arc::new(Engine::new(&cfg.env_values, cfg.hmac_key.as_deref())),
            names: Arc::new(RwLock::new(None)),
        }
    }

    /// The same redactor, built for a short-lived process: construction is
    /// cheaper, scanning somewhat slower (`warden hook`, file content checks).
    pub fn one_shot(cfg: RedactorConfig) -> Self {
        Self {
            engine: Arc::new(Engine::one_shot(&cfg.env_values, cfg.hmac_key.as_deref())),
            names: Arc::new(RwLock::new(None)),
        }
    }

    /// The compiled set for `names`, reused while callers keep passing the same list.
    fn name_set(&self, names: &[String]) -> Arc<NameSet> {
        if let Some((cached, set)) = self
            .names
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            if cached.as_slice() == names {
                return Arc::clone(set);
            }
        }
        let set = Arc::new(NameSet::new(names));
        *self.names.write().unwrap_or_else(|p| p.into_inner()) =
            Some((names.to_vec(), Arc::clone(&set)));
        set
    }

    /// Redacts every secret the built-in rules and the env-value snapshot find.
    pub fn redact<'a>(&self, text: &'a str) -> Redacted<'a> {
        self.redact_with(text, None)
    }

    /// Like [`redact`](Self::redact), and also treats `NAME=value`, `NAME: value` and
    /// `"NAME": "value"` assignments of these names as secrets of kind `NAME`.
    pub fn redact_env_vars<'a>(&self, text: &'a str, names: &[String]) -> Redacted<'a> {
        let names = self.name_set(names);
        self.redact_with(text, (!names.is_empty()).then_some(&*names))
    }

    /// Redacts every string value of a JSON document in place (keys are kept; a value
    /// under a secret-named key such as `password` or `api_key` is a secret as a whole).
    /// Finding ranges are byte offsets within each string's own value.
    pub fn redact_json_value(
        &self,
        value: &mut serde_json::Value,
        names: &[String],
    ) -> Vec<Finding> {
        let names = self.name_set(names);
        let mut findings = Vec::new();
        json::redact_value(self, value, &names, &mut findings);
        findings
    }

    /// Streams `input` to `output`, line by line, in bounded memory (see [`MAX_LINE`] and
    /// [`PEM_HOLD_MAX`]). A secret is never split across chunks: a PEM private key block
    /// is held from BEGIN to END; a line longer than [`MAX_LINE`] is processed in windows
    /// that overlap by more than any secret's context. Bytes that are not valid UTF-8 pass
    /// through unchanged. Flushes after every line when `flush_each_line`.
    pub fn redact_stream<R: std::io::BufRead, W: std::io::Write>(
        &self,
        input: R,
        output: W,
        names: &[String],
        flush_each_line: bool,
    ) -> std::io::Result<StreamStats> {
        stream::run(self, input, output, &self.name_set(names), flush_each_line)
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn redact_with<'a>(&self, text: &'a str, names: Option<&NameSet>) -> Redacted<'a> {
        self.redact_str_extra(text, names, Vec::new())
    }

    /// The `&str` path: ranges are widened to char boundaries (they already are for every
    /// built-in rule; env values and names are caller-supplied) so the output stays UTF-8.
    pub(crate) fn redact_str_extra<'a>(
        &self,
        text: &'a str,
        names: Option<&NameSet>,
        extra: Vec<Candidate>,
    ) -> Redacted<'a> {
        let mut groups = self.engine.scan(text.as_bytes(), names, extra);
        if groups.is_empty() {
            return Redacted {
                text: Cow::Borrowed(text),
                findings: Vec::new(),
            };
        }
        let mut widened = false;
        for g in &mut groups {
            while !text.is_char_boundary(g.start) {
                g.start -= 1;
                widened = true;
            }
            while !text.is_char_boundary(g.end) {
                g.end += 1;
                widened = true;
            }
        }
        if widened {
            groups = engine::resolve(groups);
        }
        let mut out = Vec::with_capacity(text.len() + groups.len() * 24);
        self.engine.render(text.as_bytes(), &groups, &mut out);
        let text = match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let findings = groups
            .into_iter()
            .map(|g| Finding {
                kind: g.kind,
                start: g.start,
                end: g.end,
            })
            .collect();
        Redacted {
            text: Cow::Owned(text),
            findings,
        }
    }
}

#[cfg(test)]
mod api_tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn redactor_is_send_sync() {
        assert_send_sync::<Redactor>();
    }

    #[test]
    fn seed_example_holds_exactly() {
        let r = Redactor::default();
        let out = r.redact("export OPENAI_API_KEY=sk-1234567890abcdef");
        assert_eq!(out.text, "export OPENAI_API_KEY=[REDACTED:OPENAI_API_KEY]");
        assert_eq!(
            out.findings,
            vec![Finding {
                kind: Cow::Borrowed("OPENAI_API_KEY"),
                start: 22,
                end: 41
            }]
        );
    }

    #[test]
    fn clean_text_is_borrowed() {
        let r = Redactor::default();
        let out = r.redact("GET /healthz 200 3ms");
        assert!(matches!(out.text, Cow::Borrowed(_)));
        assert!(out.is_clean());
    }

    #[test]
    fn finding_serialises_as_kind_start_end() {
        let f = Finding {
            kind: Cow::Borrowed("JWT"),
            start: 1,
            end: 2,
        };
        assert_eq!(
            serde_json::to_string(&f).expect("serialises"),
            r#"{"kind":"JWT","start":1,"end":2}"#
        );
    }

    #[test]
    fn keyed_mode_is_stable_and_distinguishes_secrets() {
        let r = Redactor::new(RedactorConfig {
            hmac_key: Some(b"k".to_vec()),
            env_values: vec![],
        });
        let a = r.redact("password=hunter2xyz and password=hunter2xyz");
        let b = r.redact("password=other-pass1");
        let tag = |s: &str| {
            s.split("[REDACTED:PASSWORD:")
                .nth(1)
                .map(|t| t[..8].to_string())
        };
        assert_eq!(a.text.matches("[REDACTED:PASSWORD:").count(), 2);
        assert_eq!(
            tag(&a.text),
            tag(&a.text.replacen("[REDACTED:PASSWORD:", "", 1))
        );
        assert_ne!(tag(&a.text), tag(&b.text));
    }

    #[test]
    fn debug_never_prints_secrets() {
        let cfg = RedactorConfig {
            hmac_key: Some(b"topsecretkey".to_vec()),
            env_values: vec![("DB".into(), "s3cr3t-value".into())],
        };
        let dbg = format!("{cfg:?} {:?}", Redactor::new(cfg.clone()));
        assert!(
            !dbg.contains("topsecretkey") && !dbg.contains("s3cr3t-value"),
            "{dbg}"
        );
    }
}
