//! Criterion benchmarks of the policy gate's hot path: one `check_action` on
//! a short command, a 20-command `&&` chain, and a ~4 KB script.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::json;
use warden::policy::{ActionType, PolicyConfig, PolicyGate};

fn chain() -> String {
    (0..20)
        .map(|i| format!("cd pkg{i} && npm ci --silent && cd .."))
        .take(20)
        .collect::<Vec<_>>()
        .join(" && ")
}

fn script() -> String {
    let mut script = String::from("#!/bin/bash\nset -euo pipefail\n");
    let mut i = 0;
    while script.len() < 4096 {
        script.push_str(&format!(
            "if [ -f \"build/out{i}.log\" ]; then rm -f \"build/out{i}.log\"; fi\n\
             echo \"step {i}: $(date +%s)\" | tee -a build.log\n\
             for f in src/*.py; do python3 -m py_compile \"$f\"; done\n"
        ));
        i += 1;
    }
    script
}

fn bench_gate(c: &mut Criterion) {
    let gate = PolicyGate::new(PolicyConfig::default()).expect("default policy is valid");
    let cases = [
        ("npm_install_express", "npm install express".to_string()),
        ("chain_20_commands", chain()),
        ("script_4kb", script()),
        (
            "rm_rf_root_behind_sudo_bash_c",
            "sudo bash -c 'rm -rf /'".to_string(),
        ),
    ];
    let mut group = c.benchmark_group("policy_check_execute_code");
    for (name, command) in cases {
        let context = json!({ "command": command });
        group.bench_function(name, |b| {
            b.iter(|| gate.check_action(ActionType::ExecuteCode, black_box(&context)))
        });
    }
    group.finish();

    let config = PolicyConfig {
        network_allowlist: vec!["api.openai.com".into(), "*.github.com".into()],
        ..PolicyConfig::default()
    };
    let gate = PolicyGate::new(config).expect("valid allowlist");
    let context = json!({ "url": "https://raw.github.com/org/repo/main/README.md" });
    c.bench_function("policy_check_network_access", |b| {
        b.iter(|| gate.check_action(ActionType::NetworkAccess, black_box(&context)))
    });
}

criterion_group!(benches, bench_gate);
criterion_main!(benches);
