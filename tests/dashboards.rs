//! The operator artefacts stay true to the code: the Grafana dashboard and the
//! Prometheus alert rules only name metrics warden exports (and the dashboard
//! shows every one), the dashboard is portable (fixed uid, datasource picked by
//! a variable), the rules pass `promtool` when it is installed, and
//! `.env.example` documents every variable warden reads.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

fn dashboard() -> Value {
    serde_json::from_str(&read("dashboards/warden.json"))
        .unwrap_or_else(|e| panic!("dashboards/warden.json is not JSON: {e}"))
}

/// Every `warden_*` identifier in `text`, with histogram series suffixes removed.
fn metric_names(text: &str) -> BTreeSet<String> {
    let pattern = regex::Regex::new(r"\bwarden_[a-zA-Z0-9_]+").expect("valid regex");
    pattern
        .find_iter(text)
        .map(|m| {
            let name = m.as_str();
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .unwrap_or(name)
                .to_string()
        })
        .collect()
}

fn exported() -> BTreeSet<String> {
    warden::metrics::Metrics::new()
        .family_names()
        .into_iter()
        .collect()
}

/// Every PromQL expression in the dashboard (targets and template queries).
fn expressions(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("expr" | "definition", Value::String(s)) => out.push(s.clone()),
                    ("query", Value::String(s)) => out.push(s.clone()),
                    _ => expressions(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| expressions(v, out)),
        _ => {}
    }
}

/// All panels, including those nested in collapsed rows.
fn panels(dashboard: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = dashboard["panels"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    while let Some(panel) = stack.pop() {
        stack.extend(panel["panels"].as_array().into_iter().flatten());
        out.push(panel);
    }
    out
}

#[test]
fn metric_name_extraction_strips_histogram_suffixes() {
    let names = metric_names(
        "rate(warden_a_bucket[5m]) warden_b_sum / warden_b_count up{job=\"warden\"} warden_c_total",
    );
    let want: BTreeSet<String> = ["warden_a", "warden_b", "warden_c_total"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(names, want);
}

#[test]
fn dashboard_and_alerts_only_name_exported_metrics() {
    let exported = exported();
    let mut exprs = Vec::new();
    expressions(&dashboard(), &mut exprs);
    assert!(
        exprs.len() > 20,
        "found only {} PromQL expressions in the dashboard",
        exprs.len()
    );
    for (file, text) in [
        ("dashboards/warden.json", exprs.join("\n")),
        ("dashboards/alerts.yml", read("dashboards/alerts.yml")),
    ] {
        let named = metric_names(&text);
        assert!(!named.is_empty(), "{file} names no warden_* metric");
        let unknown: Vec<_> = named.difference(&exported).collect();
        assert!(
            unknown.is_empty(),
            "{file} uses metrics warden does not export: {unknown:?}\nexported: {exported:?}"
        );
    }
}

#[test]
fn dashboard_shows_every_exported_metric() {
    let mut exprs = Vec::new();
    expressions(&dashboard(), &mut exprs);
    let shown = metric_names(&exprs.join("\n"));
    let missing: Vec<_> = exported().difference(&shown).cloned().collect();
    assert!(
        missing.is_empty(),
        "metrics with no panel on dashboards/warden.json: {missing:?}"
    );
}

#[test]
fn dashboard_is_portable_and_well_formed() {
    let dashboard = dashboard();
    assert_eq!(
        dashboard["uid"], "warden",
        "fixed uid for links and provisioning"
    );
    assert!(dashboard["title"].is_string());
    assert!(
        dashboard.get("id").is_none_or(Value::is_null),
        "no instance-specific id"
    );
    let variables = dashboard["templating"]["list"]
        .as_array()
        .expect("templating.list");
    let datasource = variables
        .iter()
        .find(|v| v["name"] == "datasource")
        .expect("a `datasource` template variable");
    assert_eq!(datasource["type"], "datasource");
    assert_eq!(datasource["query"], "prometheus");

    let rows: Vec<String> = panels(&dashboard)
        .iter()
        .filter(|p| p["type"] == "row")
        .filter_map(|p| p["title"].as_str().map(String::from))
        .collect();
    for row in ["Decisions", "Budgets", "Redaction", "Latency"] {
        assert!(rows.iter().any(|r| r == row), "no row {row:?}: {rows:?}");
    }

    let mut ids = BTreeSet::new();
    for panel in panels(&dashboard) {
        let title = panel["title"].as_str().unwrap_or("?");
        assert!(
            ids.insert(panel["id"].as_i64().expect("numeric panel id")),
            "duplicate panel id in {title}"
        );
        if panel["type"] == "row" {
            continue;
        }
        assert_datasource_is_variable(&panel["datasource"], title);
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{title}: no queries");
        for target in targets {
            if let Some(ds) = target.get("datasource") {
                assert_datasource_is_variable(ds, title);
            }
            assert!(
                target["expr"].as_str().is_some_and(|e| !e.is_empty()),
                "{title}: empty query"
            );
        }
        assert!(
            panel["gridPos"]["w"]
                .as_i64()
                .is_some_and(|w| w > 0 && w <= 24),
            "{title}: gridPos"
        );
    }
    let heatmap = panels(&dashboard)
        .into_iter()
        .find(|p| p["type"] == "heatmap")
        .expect("a utilization heatmap");
    assert!(heatmap
        .to_string()
        .contains("warden_budget_utilization_ratio_bucket"));
}

/// A panel's datasource is `${datasource}` (string or `{uid}` form), never an id or a fixed uid.
fn assert_datasource_is_variable(ds: &Value, title: &str) {
    let uid = match ds {
        Value::String(s) => s.as_str(),
        Value::Object(map) => map.get("uid").and_then(Value::as_str).unwrap_or(""),
        other => panic!("{title}: datasource {other} is hard-coded"),
    };
    assert!(
        uid == "${datasource}" || uid == "$datasource",
        "{title}: datasource {ds} is hard-coded; use ${{datasource}}"
    );
}

#[test]
fn every_alert_rule_has_for_severity_and_summary() {
    let text = read("dashboards/alerts.yml");
    let rules: Vec<&str> = text.split("- alert:").skip(1).collect();
    assert!(rules.len() >= 7, "only {} alert rules", rules.len());
    for rule in &rules {
        let name = rule.split_whitespace().next().unwrap_or("?");
        for key in ["expr:", "for:", "severity:", "summary:"] {
            assert!(rule.contains(key), "alert {name} has no {key}");
        }
    }
    for needle in [
        "warden_budget_alerts_total",
        "warden_budget_exceeded_total",
        "warden_dlq_messages_total",
        "warden_log_pipeline_lag_messages",
        "warden_budget_store_errors_total",
        "warden_audit_publish_failures_total",
        "up{job=\"warden\"} == 0",
    ] {
        assert!(text.contains(needle), "no alert uses {needle}");
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

#[test]
fn promtool_accepts_the_rules_and_config() {
    let Some(promtool) = on_path("promtool") else {
        eprintln!("skip: promtool is not on PATH (scripts/check-ops.sh installs it)");
        return;
    };
    for args in [
        ["check", "rules", "dashboards/alerts.yml"],
        ["check", "config", "dashboards/prometheus.yml"],
    ] {
        let output = std::process::Command::new(&promtool)
            .args(args)
            .current_dir(root())
            .output()
            .expect("promtool runs");
        assert!(
            output.status.success(),
            "promtool {}:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn provisioning_points_grafana_at_the_dashboard() {
    let provider = read("dashboards/provisioning/dashboards/warden.yml");
    assert!(provider.contains("path: /var/lib/grafana/dashboards"));
    let datasource = read("dashboards/provisioning/datasources/prometheus.yml");
    assert!(datasource.contains("type: prometheus"));
    let compose = read("docker-compose.yml");
    for mount in [
        "./dashboards/provisioning:/etc/grafana/provisioning",
        "./dashboards/warden.json:/var/lib/grafana/dashboards/warden.json",
        "./dashboards/alerts.yml:/etc/prometheus/alerts.yml",
        "./dashboards/prometheus.yml:/etc/prometheus/prometheus.yml",
    ] {
        assert!(
            compose.contains(mount),
            "docker-compose.yml does not mount {mount}"
        );
    }
    let prometheus = read("dashboards/prometheus.yml");
    assert!(prometheus.contains("job_name: warden") && prometheus.contains("warden:8080"));
    assert!(prometheus.contains("- alerts.yml"));
}

/// Every variable `src/config.rs` reads is documented in `.env.example`
/// (`NAME=` at the start of a line).
#[test]
fn env_example_documents_every_variable() {
    let source = read("src/config.rs");
    let source = source.split("#[cfg(test)]").next().unwrap_or_default();
    let literal = regex::Regex::new(r#""([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)""#).expect("valid regex");
    let example = read(".env.example");
    let documented: BTreeSet<&str> = example
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(name, _)| name.trim())
        .filter(|name| !name.starts_with('#'))
        .collect();
    let redact_defaults = warden::config::DEFAULT_REDACT_ENV_NAMES;
    let read_vars: BTreeSet<&str> = literal
        .captures_iter(source)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        // Names of secrets to redact by default are not settings (unless also one).
        .filter(|name| !redact_defaults.contains(name) || documented.contains(name))
        .collect();
    assert!(
        read_vars.len() > 25,
        "found only {} variables in src/config.rs",
        read_vars.len()
    );
    let missing: Vec<_> = read_vars.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        ".env.example does not document {missing:?}"
    );
    for name in [
        "WARDEN_API_TOKENS",
        "WARDEN_ADMIN_TOKENS",
        "WARDEN_TOKENS_FILE",
        "WARDEN_METRICS_PUBLIC",
    ] {
        assert!(documented.contains(name), ".env.example lacks {name}");
    }
    assert!(Path::new(&root().join("Dockerfile")).exists());
}
