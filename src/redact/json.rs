//! Redaction of a parsed JSON document: every string value is scanned like a log line,
//! and a value under a secret-named key (`password`, `api_key`, `client_secret`, a known
//! or caller-named variable…) is a secret as a whole. Keys and structure are kept, so
//! the document stays valid. Findings are relative to each string value.

use std::borrow::Cow;

use serde_json::Value;

use crate::redact::engine::Candidate;
use crate::redact::literals::{check_value, NameSet};
use crate::redact::rules::{self, prio, Check};
use crate::redact::{Finding, Redactor};

pub(crate) fn redact_value(r: &Redactor, v: &mut Value, names: &NameSet, out: &mut Vec<Finding>) {
    match v {
        Value::String(s) => redact_string(r, s, None, names, out),
        Value::Array(items) => {
            for item in items {
                redact_value(r, item, names, out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                match item {
                    Value::String(s) => redact_string(r, s, Some(k), names, out),
                    other => redact_value(r, other, names, out),
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn redact_string(
    r: &Redactor,
    s: &mut String,
    key: Option<&str>,
    names: &NameSet,
    out: &mut Vec<Finding>,
) {
    let extra = key
        .and_then(|k| classify_key(k, names))
        .filter(|(kind, check, _)| {
            check_value(*check, s.as_bytes(), &[]) && !(kind == "BEARER_TOKEN" && s.contains(' '))
        })
        .map(|(kind, _, priority)| vec![Candidate::new(0, s.len(), kind, priority, 0)])
        .unwrap_or_default();
    let names = (!names.is_empty()).then_some(names);
    let red = r.redact_str_extra(s, names, extra);
    if red.findings.is_empty() {
        return;
    }
    let text = red.text.into_owned();
    out.extend(red.findings);
    *s = text;
}

/// The kind, value check and priority a key gives its string value, if it names a secret.
fn classify_key(key: &str, names: &NameSet) -> Option<(Cow<'static, str>, Check, u8)> {
    if let Some(n) = names.lookup(key) {
        return Some((
            Cow::Owned(n.to_string()),
            Check::NotPlaceholder(1),
            prio::NAMED_ENV,
        ));
    }
    if let Some(kind) = rules::known_kind(key.as_bytes()) {
        return Some((
            Cow::Borrowed(kind),
            Check::NotPlaceholder(8),
            prio::KNOWN_NAME,
        ));
    }
    let k = key.to_ascii_lowercase();
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| k.ends_with(s));
    if ends(&["password", "passwd", "passphrase", "pwd"]) {
        return Some((Cow::Borrowed("PASSWORD"), Check::Password, prio::CONTEXT));
    }
    // `Bearer …` / `Basic …` values are left to the scanner, which keeps the scheme.
    if k == "authorization" || k == "proxy-authorization" {
        return Some((
            Cow::Borrowed("BEARER_TOKEN"),
            Check::Random(16),
            prio::CONTEXT,
        ));
    }
    let generic = [
        "api_key",
        "api-key",
        "apikey",
        "secret",
        "secret_key",
        "secretkey",
        "token",
        "private_key",
        "privatekey",
        "access_key",
        "accesskey",
        "auth_key",
        "credentials",
    ];
    if ends(&generic) {
        return Some((
            Cow::Borrowed("GENERIC_SECRET"),
            Check::Random(12),
            prio::GENERIC,
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::redact::Redactor;

    #[test]
    fn values_redacted_keys_and_structure_kept() {
        let r = Redactor::default();
        let mut v = json!({
            "user": "alice",
            "password": "hunter2xyz",
            "nested": {"headers": {"Authorization": "Bearer abcDEF1234567890xyzXYZ"}},
            "list": ["AKIAIOSFODNN7EXAMPLE", 42, null, "plain"],
            "client_secret": "Zx8vQ2mN7pL4kR9t",
            "token": "null",
            "count": 12345678901234567890u64,
            "password_hint": "pet name"
        });
        let findings = r.redact_json_value(&mut v, &[]);
        assert_eq!(v["password"], "[REDACTED:PASSWORD]");
        assert_eq!(
            v["nested"]["headers"]["Authorization"],
            "Bearer [REDACTED:BEARER_TOKEN]"
        );
        assert_eq!(v["list"][0], "[REDACTED:AWS_ACCESS_KEY_ID]");
        assert_eq!(v["client_secret"], "[REDACTED:GENERIC_SECRET]");
        assert_eq!(v["token"], "null");
        assert_eq!(v["user"], "alice");
        assert_eq!(v["password_hint"], "pet name");
        assert_eq!(v["count"].to_string(), "12345678901234567890");
        assert_eq!(findings.len(), 4);
        assert!(findings
            .iter()
            .any(|f| f.kind == "BEARER_TOKEN" && f.start == 7 && f.end == 29));
    }

    #[test]
    fn named_keys_and_embedded_assignments() {
        let r = Redactor::default();
        let names = vec!["DATABASE_URL".to_string()];
        let mut v = json!({"DATABASE_URL": "postgres://app:pw@db/app", "cmd": "DATABASE_URL=mysql://x@y/z run"});
        r.redact_json_value(&mut v, &names);
        assert_eq!(v["DATABASE_URL"], "[REDACTED:DATABASE_URL]");
        assert_eq!(v["cmd"], "DATABASE_URL=[REDACTED:DATABASE_URL] run");
    }
}
