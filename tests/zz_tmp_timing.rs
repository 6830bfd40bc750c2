#[test]
fn t() {
    let t0 = std::time::Instant::now();
    let r = warden::redact::Redactor::default();
    let t1 = t0.elapsed();
    let x = r.redact_env_vars(
        "ls -la && OPENAI_API_KEY=sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH python x",
        &["DATABASE_URL".to_string()],
    );
    let t2 = t0.elapsed();
    let g = warden::policy::PolicyGate::new(Default::default()).unwrap();
    let t3 = t0.elapsed();
    let d = g
        .check(
            "execute_code",
            &serde_json::json!({"command": "git status && cargo build"}),
        )
        .unwrap();
    let t4 = t0.elapsed();
    eprintln!(
        "redactor new {t1:?} redact {t2:?} gate {t3:?} check {t4:?} {} {}",
        x.findings.len(),
        d.allowed
    );
}
