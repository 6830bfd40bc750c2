//! Policy plugins: the team's own rules in Rego, evaluated in-process with `regorus` beside the built-in gate.
//!
//! A plugin set is every `.rego` file under the configured paths (files ending
//! `_test.rego` are tests, loaded only by [`PluginSet::load_with_tests`]) plus
//! every `.json` file merged into `data`. Packages named `warden` or
//! `warden.<name>` are evaluated: their `deny` and `ask` rules are sets of
//! `{"rule": …, "reason": …}` objects, and `allow_override` (honoured only when
//! the policy file allows it, see [`PluginsConfig`]) a set of `{"rule": <built-in
//! rule id>, "reason": …}`. Rule ids are reported as `plugin.<package>.<rule>`.
//!
//! Evaluation runs under a wall-clock budget ([`EVAL_TIME_LIMIT`], regorus'
//! cooperative execution timer) and inside `catch_unwind`: an error, a timeout
//! or a panic becomes [`PluginVerdict::error`], which the gate turns into a
//! `plugin.error` denial unless `plugin_failure = "ignore"`.

pub mod combine;
pub mod input;
#[cfg(test)]
mod tests;

use std::num::NonZeroU32;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value as RegoValue};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Wall-clock budget of one evaluation of the whole plugin set.
pub const EVAL_TIME_LIMIT: Duration = Duration::from_millis(250);
/// Largest plugin or data file accepted (bytes).
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// Most rules (deny + ask + allow_override) reported from one evaluation.
pub const MAX_HITS: usize = 100;
/// Engines kept warm for concurrent checks.
const POOL_SIZE: usize = 8;

/// `[plugins]` in the policy file (and `WARDEN_POLICY_PLUGINS` for `paths`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginsConfig {
    /// Directories or files holding `.rego` and `.json` files.
    pub paths: Vec<PathBuf>,
    /// What an evaluation error does to the decision.
    pub failure: PluginFailure,
    /// Whether plugins may lift a built-in denial (`allow_override`).
    pub allow_overrides: bool,
    /// The built-in rule ids an `allow_override` may lift.
    pub override_rules: Vec<String>,
}

/// `plugin_failure`: what a plugin error or timeout does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PluginFailure {
    /// Deny with `rule: plugin.error` (fail closed, the default).
    #[default]
    Deny,
    /// Log it and keep the built-in decision.
    Ignore,
}

/// One loaded `.rego` (or data) file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its package (`warden.hours`); empty for data files.
    pub package: String,
    /// `sha256:<hex>` of its content.
    pub sha256: String,
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginHit {
    /// `plugin.<package>.<rule>` for deny/ask; the built-in rule id for an override.
    pub rule: String,
    /// The plugin's reason.
    pub reason: String,
}

/// What the plugin set said about one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginVerdict {
    pub deny: Vec<PluginHit>,
    pub ask: Vec<PluginHit>,
    pub allow_override: Vec<PluginHit>,
    /// Set when evaluation failed (the hits are then empty).
    pub error: Option<String>,
}

/// A loaded, validated set of plugins, shareable across threads.
pub struct PluginSet {
    template: Engine,
    pool: Mutex<Vec<Engine>>,
    files: Vec<PluginFile>,
    /// Packages evaluated (`warden`, `warden.hours`), without the `data.` prefix.
    packages: Vec<String>,
    /// The `(package, rule)` pairs that exist (an undefined rule path is an error in regorus).
    targets: Vec<(String, &'static str)>,
    /// `test_*` rules found (only with tests loaded): `data.<package>.<rule>`.
    tests: Vec<String>,
}

impl std::fmt::Debug for PluginSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginSet")
            .field("files", &self.files)
            .field("packages", &self.packages)
            .finish_non_exhaustive()
    }
}

impl PluginSet {
    /// Loads every plugin under `paths` (tests excluded). The error names the
    /// file and, for Rego and JSON syntax errors, the line.
    pub fn load(paths: &[PathBuf]) -> Result<Self, String> {
        Self::load_inner(paths, false)
    }

    /// Like [`PluginSet::load`], with `*_test.rego` files too (`warden policy test`).
    pub fn load_with_tests(paths: &[PathBuf]) -> Result<Self, String> {
        Self::load_inner(paths, true)
    }

    fn load_inner(paths: &[PathBuf], with_tests: bool) -> Result<Self, String> {
        let mut found = Vec::new();
        for path in paths {
            collect(path, &mut found, 0)?;
        }
        found.sort();
        found.dedup();
        let mut engine = Engine::new();
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit: EVAL_TIME_LIMIT,
            check_interval: NonZeroU32::MIN,
        });
        let mut files = Vec::new();
        let mut packages: Vec<String> = Vec::new();
        let mut tests: Vec<String> = Vec::new();
        let mut data_seen = false;
        for path in found {
            let name = path.display().to_string();
            let is_test = name.ends_with("_test.rego");
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if (ext == "rego" && is_test && !with_tests) || !matches!(ext, "rego" | "json") {
                continue;
            }
            let text = read_limited(&path)?;
            let sha256 = format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())));
            if ext == "json" {
                let data = RegoValue::from_json_str(&text)
                    .map_err(|e| format!("{name}: {}", one_line(&e.to_string())))?;
                engine
                    .add_data(data)
                    .map_err(|e| format!("{name}: {}", one_line(&e.to_string())))?;
                data_seen = true;
                files.push(PluginFile {
                    path,
                    package: String::new(),
                    sha256,
                });
                continue;
            }
            let package = engine
                .add_policy(name.clone(), text.clone())
                .map_err(|e| one_line(&e.to_string()))?;
            let package = package
                .strip_prefix("data.")
                .unwrap_or(&package)
                .to_string();
            if is_test {
                for name in test_rule_names(&text) {
                    let full = format!("data.{package}.{name}");
                    if !tests.contains(&full) {
                        tests.push(full);
                    }
                }
            } else if package == "warden" || package.starts_with("warden.") {
                if !packages.contains(&package) {
                    packages.push(package.clone());
                }
            } else if package != "lib" && !package.starts_with("lib.") {
                return Err(format!(
                    "{name}: package '{package}' is neither 'warden', 'warden.<name>' nor a library ('lib.<name>')"
                ));
            }
            files.push(PluginFile {
                path,
                package,
                sha256,
            });
        }
        if packages.is_empty() && !files.is_empty() && !data_seen {
            return Err("no plugin declares package 'warden' or 'warden.<name>'".to_string());
        }
        let targets = find_targets(&engine, &packages)?;
        let set = Self {
            template: engine,
            pool: Mutex::new(Vec::new()),
            files,
            packages,
            targets,
            tests,
        };
        // Evaluate every rule once now, so that a type error or a conflict
        // that needs no input is refused at load, not met on every check.
        let probe = set.evaluate_value(RegoValue::new_object());
        if let Some(e) = probe.error {
            return Err(e);
        }
        Ok(set)
    }

    /// Every loaded file with its content hash.
    pub fn files(&self) -> &[PluginFile] {
        &self.files
    }

    /// `test_*` rules found (`data.<package>.test_x`); empty unless loaded with tests.
    pub fn tests(&self) -> &[String] {
        &self.tests
    }

    /// Evaluates `deny`, `ask` and `allow_override` of every plugin package for `input`.
    ///
    /// Never panics: failures are reported in [`PluginVerdict::error`].
    pub fn evaluate(&self, input: &serde_json::Value) -> PluginVerdict {
        // serde_json's arbitrary_precision numbers do not survive a direct
        // conversion; JSON text is the reliable path (and cheap next to evaluation).
        let value = match serde_json::to_string(input)
            .map_err(|e| e.to_string())
            .and_then(|s| RegoValue::from_json_str(&s).map_err(|e| e.to_string()))
        {
            Ok(v) => v,
            Err(e) => {
                return PluginVerdict {
                    error: Some(format!("plugin input: {e}")),
                    ..PluginVerdict::default()
                }
            }
        };
        self.evaluate_value(value)
    }

    fn evaluate_value(&self, input: RegoValue) -> PluginVerdict {
        let mut engine = self.take_engine();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            engine.set_input(input);
            let mut verdict = PluginVerdict::default();
            for (package, rule) in &self.targets {
                let hits = match *rule {
                    "deny" => &mut verdict.deny,
                    "ask" => &mut verdict.ask,
                    _ => &mut verdict.allow_override,
                };
                let value = engine
                    .eval_rule(format!("data.{package}.{rule}"))
                    .map_err(|e| one_line(&e.to_string()))?;
                let prefix = (*rule != "allow_override").then(|| format!("plugin.{package}."));
                read_hits(&value, prefix.as_deref(), package, rule, hits)?;
            }
            Ok::<_, String>(verdict)
        }));
        match outcome {
            Ok(Ok(verdict)) => {
                self.give_back(engine);
                verdict
            }
            Ok(Err(e)) => {
                self.give_back(engine);
                PluginVerdict {
                    error: Some(e),
                    ..PluginVerdict::default()
                }
            }
            // A panicking engine is dropped, never reused.
            Err(_) => PluginVerdict {
                error: Some("plugin evaluation panicked".to_string()),
                ..PluginVerdict::default()
            },
        }
    }

    /// Evaluates one rule (`data.warden.test_x`) against an empty input: true only for `true`.
    pub fn run_test(&self, rule: &str) -> Result<bool, String> {
        let mut engine = self.take_engine();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            engine.set_input(RegoValue::new_object());
            engine.eval_rule(rule.to_string())
        }));
        match outcome {
            Ok(Ok(v)) => Ok(v == RegoValue::from(true)),
            Ok(Err(e)) => Err(one_line(&e.to_string())),
            Err(_) => Err("evaluation panicked".to_string()),
        }
    }

    fn take_engine(&self) -> Engine {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        pooled.unwrap_or_else(|| self.template.clone())
    }

    fn give_back(&self, engine: Engine) {
        if let Ok(mut pool) = self.pool.lock() {
            if pool.len() < POOL_SIZE {
                pool.push(engine);
            }
        }
    }
}

/// Rules a plugin package may define.
const RULES: [&str; 3] = ["deny", "ask", "allow_override"];

/// Which of [`RULES`] each package defines; a package defining none is refused.
fn find_targets(
    engine: &Engine,
    packages: &[String],
) -> Result<Vec<(String, &'static str)>, String> {
    let mut probe = engine.clone();
    probe.set_input(RegoValue::new_object());
    let mut targets = Vec::new();
    for package in packages {
        let before = targets.len();
        for rule in RULES {
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                probe.eval_rule(format!("data.{package}.{rule}"))
            }))
            .map_err(|_| format!("data.{package}.{rule}: evaluation panicked"))?;
            match outcome {
                Ok(_) => targets.push((package.clone(), rule)),
                Err(e) if e.to_string() == "not a valid rule path" => {}
                Err(e) => {
                    return Err(format!(
                        "data.{package}.{rule}: {}",
                        one_line(&e.to_string())
                    ))
                }
            }
        }
        if targets.len() == before {
            return Err(format!(
                "package {package} defines none of deny, ask, allow_override"
            ));
        }
    }
    Ok(targets)
}

/// Reads a set (or array) of `{"rule", "reason"}` objects into `hits`.
fn read_hits(
    value: &RegoValue,
    prefix: Option<&str>,
    package: &str,
    rule_name: &str,
    hits: &mut Vec<PluginHit>,
) -> Result<(), String> {
    let items: Vec<&RegoValue> = match value {
        RegoValue::Undefined | RegoValue::Null => return Ok(()),
        RegoValue::Set(set) => set.iter().collect(),
        RegoValue::Array(items) => items.iter().collect(),
        _ => {
            return Err(format!(
                "data.{package}.{rule_name} must be a set of {{\"rule\", \"reason\"}} objects"
            ))
        }
    };
    for item in items {
        if hits.len() >= MAX_HITS {
            break;
        }
        let field = |key: &str| match item {
            RegoValue::Object(map) => map.get(&RegoValue::from(key)).and_then(|v| match v {
                RegoValue::String(s) => Some(s.to_string()),
                _ => None,
            }),
            _ => None,
        };
        let Some(rule) = field("rule") else {
            return Err(format!(
                "data.{package}.{rule_name}: every element needs a string \"rule\""
            ));
        };
        let reason = field("reason").unwrap_or_else(|| rule.clone());
        let rule = match prefix {
            Some(p) => format!("{p}{rule}"),
            None => rule,
        };
        hits.push(PluginHit { rule, reason });
    }
    Ok(())
}

/// Files under `path` (recursively, hidden entries skipped), at most 8 levels down.
fn collect(path: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    if depth > 8 {
        return Ok(());
    }
    let entries = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", path.display()))?;
        let child = entry.path();
        let hidden = child
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if child.is_dir() {
            collect(&child, out, depth + 1)?;
        } else {
            out.push(child);
        }
    }
    Ok(())
}

fn read_limited(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{}: larger than {MAX_FILE_BYTES} bytes",
            path.display()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Names of the `test_*` rules a test file defines (at the start of a line).
fn test_rule_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test_") else {
            continue;
        };
        let tail: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let name = format!("test_{tail}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Regorus errors carry a source snippet over several lines
/// (`--> file:4:1`, the line, a caret, `error: …`); logs want `file:4:1: …`.
fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let location = lines.iter().find_map(|l| l.strip_prefix("-->"));
    let message = lines.iter().find_map(|l| l.strip_prefix("error:"));
    match (location, message) {
        (Some(at), Some(what)) => format!("{}: {}", at.trim(), what.trim()),
        _ => lines.join(" "),
    }
}

/// The outcome of `warden policy test`: one line per test, and how many failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestReport {
    /// `PASS data.pkg.test_x` / `FAIL data.pkg.test_x[: error]` lines.
    pub lines: Vec<String>,
    pub passed: usize,
    pub failed: usize,
}

/// Loads `paths` with their `*_test.rego` files and runs every `test_*` rule,
/// like `opa test`: a test passes when it evaluates to `true`.
pub fn run_tests(paths: &[PathBuf]) -> Result<TestReport, String> {
    let set = PluginSet::load_with_tests(paths)?;
    let mut report = TestReport {
        lines: Vec::new(),
        passed: 0,
        failed: 0,
    };
    for test in set.tests() {
        match set.run_test(test) {
            Ok(true) => {
                report.passed += 1;
                report.lines.push(format!("PASS {test}"));
            }
            Ok(false) => {
                report.failed += 1;
                report.lines.push(format!("FAIL {test}"));
            }
            Err(e) => {
                report.failed += 1;
                report.lines.push(format!("FAIL {test}: {e}"));
            }
        }
    }
    Ok(report)
}
