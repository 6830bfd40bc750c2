//! Criterion benchmarks of the budget hot path without Redis: exact money
//! parsing/printing and a spend through the tracker on the in-memory store.

use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use warden::budget::{BudgetSettings, BudgetTracker, MemoryStore, Money};

fn bench_money(c: &mut Criterion) {
    c.bench_function("money_parse_json", |b| {
        b.iter(|| serde_json::from_str::<Money>(black_box("0.001615")))
    });
    let amount: Money = "9.95".parse().expect("valid amount");
    c.bench_function("money_to_json", |b| {
        b.iter(|| serde_json::to_string(black_box(&amount)))
    });
}

fn bench_spend(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let settings = BudgetSettings {
        max_run_budget: "1000000".parse().expect("valid"),
        default_run_budget: "1000000".parse().expect("valid"),
        ..BudgetSettings::default()
    };
    let tracker =
        BudgetTracker::new(Arc::new(MemoryStore::new()), settings).expect("valid settings");
    let amount: Money = "0.000001".parse().expect("valid amount");
    c.bench_function("tracker_spend_memory_store", |b| {
        b.to_async(&runtime)
            .iter(|| async { tracker.spend("bench-run", amount, None).await })
    });
}

criterion_group!(benches, bench_money, bench_spend);
criterion_main!(benches);
