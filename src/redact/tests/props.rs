//! Properties: no input panics, redaction is idempotent, and no planted secret survives
//! whatever surrounds it.

use proptest::prelude::*;

use crate::redact::tests::rules::cases;
use crate::redact::Redactor;

fn redactor() -> &'static Redactor {
    static R: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
    R.get_or_init(Redactor::default)
}

/// (kind, secret, template) triples from the rule table.
fn planted() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for c in cases() {
        for s in &c.secrets {
            for t in c.templates {
                out.push((c.kind.to_string(), s.clone(), t.to_string()));
            }
        }
    }
    out
}

fn noise() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 =:/._,-]{0,40}",
        Just(String::new()),
        Just("password".to_string()),
        Just("Bearer".to_string()),
        Just("token=".to_string()),
        Just("https://".to_string()),
        Just("[REDACTED:".to_string()),
        "\\PC{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_and_is_idempotent(s in "\\PC{0,200}") {
        let r = redactor();
        let once = r.redact(&s).text.into_owned();
        let twice = r.redact(&once).text.into_owned();
        prop_assert_eq!(&once, &twice);
        let _ = r.redact_env_vars(&s, &["DB_PASSWORD".to_string(), "X".to_string()]);
    }

    #[test]
    fn arbitrary_bytes_stream_never_panics(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        let r = redactor();
        let mut out = Vec::new();
        r.redact_stream(&b[..], &mut out, &[], false).expect("Vec sink");
        if let Ok(s) = std::str::from_utf8(&b) {
            prop_assert_eq!(String::from_utf8_lossy(&out), r.redact(s).text);
        }
    }

    #[test]
    fn planted_secrets_never_survive(idx in 0usize..1000, pre in noise(), post in noise()) {
        let all = planted();
        let (kind, secret, template) = &all[idx % all.len()];
        let input = format!("{pre} {} {post}", template.replace("{S}", secret));
        let r = redactor();
        let once = r.redact(&input).text.into_owned();
        prop_assert!(!once.contains(secret.as_str()), "{} secret survived in {:?}", kind, once);
        let twice = r.redact(&once).text.into_owned();
        prop_assert_eq!(&once, &twice);
    }
}
