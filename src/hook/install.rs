//! `warden hook install` / `uninstall`: merges warden's hook entries into a
//! Claude Code settings file, keeping every other setting and hook, and takes
//! out exactly those entries again. Idempotent; the previous file is kept as
//! `settings.json.bak` whenever it changes; writes are atomic (temp + rename).
//!
//! warden's entries are recognised by their command: a program named `warden`
//! (after optional `NAME=value` assignments) run as `hook claude-code`.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

/// The events and matchers warden installs.
pub const ENTRIES: [(&str, &str); 2] = [("PreToolUse", "*"), ("PostToolUse", "Bash")];

/// Seconds Claude Code waits for the hook (it answers in milliseconds; the
/// margin covers a central warden's timeout).
pub const HOOK_TIMEOUT_SECONDS: u64 = 10;

/// What a run changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub path: PathBuf,
    pub changed: bool,
    pub backup: Option<PathBuf>,
}

/// The hook command: `warden hook claude-code`, optionally pointed at a central warden.
pub fn command(warden: &Path, central: Option<&str>) -> String {
    let program = shell_quote(&warden.to_string_lossy());
    match central {
        Some(url) => format!("WARDEN_URL={} {program} hook claude-code", shell_quote(url)),
        None => format!("{program} hook claude-code"),
    }
}

fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-:@%+=,".contains(&b));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Whether `hook` (one object of a matcher group's `hooks`) is warden's.
pub fn is_wardens(hook: &Value) -> bool {
    let Some(command) = hook.get("command").and_then(Value::as_str) else {
        return false;
    };
    let Some(mut program) = command.trim().strip_suffix(" hook claude-code") else {
        return false;
    };
    while let Some((word, rest)) = program.trim_start().split_once(' ') {
        if !is_assignment(word) {
            break;
        }
        program = rest;
    }
    let program = program.trim();
    let program = match program
        .strip_prefix('\'')
        .and_then(|p| p.strip_suffix('\''))
    {
        Some(quoted) => quoted,
        None if !program.contains(char::is_whitespace) => program,
        None => return false,
    };
    program.rsplit('/').next() == Some("warden")
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    })
}

/// Adds (or updates) warden's entries in the settings file at `path`.
pub fn install(path: &Path, command: &str) -> Result<Outcome, String> {
    let before = read(path)?;
    let mut settings = before.clone().unwrap_or_else(|| json!({}));
    let root = settings
        .as_object_mut()
        .ok_or_else(|| format!("{}: settings must be a JSON object", path.display()))?;
    let hooks = root
        .entry("hooks")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| format!("{}: \"hooks\" must be a JSON object", path.display()))?;
    let ours = json!({"type": "command", "command": command, "timeout": HOOK_TIMEOUT_SECONDS});
    for (event, matcher) in ENTRIES {
        let groups = hooks
            .entry(event)
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .ok_or_else(|| format!("{}: hooks.{event} must be an array", path.display()))?;
        let mut found = false;
        for group in groups.iter_mut() {
            if let Some(list) = group.get_mut("hooks").and_then(Value::as_array_mut) {
                for hook in list.iter_mut().filter(|h| is_wardens(h)) {
                    *hook = ours.clone();
                    found = true;
                }
            }
        }
        if !found {
            groups.push(json!({"matcher": matcher, "hooks": [ours.clone()]}));
        }
    }
    write_if_changed(path, before.as_ref(), &settings)
}

/// Removes warden's entries (and only the groups, events and `hooks` object
/// they leave empty).
pub fn uninstall(path: &Path) -> Result<Outcome, String> {
    let Some(before) = read(path)? else {
        return Ok(Outcome {
            path: path.to_path_buf(),
            changed: false,
            backup: None,
        });
    };
    let mut settings = before.clone();
    if let Some(hooks) = settings.get_mut("hooks").and_then(Value::as_object_mut) {
        let mut emptied_events = Vec::new();
        for (event, groups) in hooks.iter_mut() {
            let Some(groups) = groups.as_array_mut() else {
                continue;
            };
            let had = groups.len();
            groups.retain_mut(|group| {
                let Some(list) = group.get_mut("hooks").and_then(Value::as_array_mut) else {
                    return true;
                };
                let before = list.len();
                list.retain(|h| !is_wardens(h));
                !(list.is_empty() && before > 0)
            });
            if groups.is_empty() && had > 0 {
                emptied_events.push(event.clone());
            }
        }
        for event in emptied_events {
            hooks.remove(&event);
        }
        if hooks.is_empty() {
            if let Some(root) = settings.as_object_mut() {
                root.remove("hooks");
            }
        }
    }
    write_if_changed(path, Some(&before), &settings)
}

fn read(path: &Path) -> Result<Option<Value>, String> {
    match fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => Ok(None),
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            format!(
                "{}: not valid JSON ({e}); fix it first, nothing was changed",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn write_if_changed(path: &Path, before: Option<&Value>, after: &Value) -> Result<Outcome, String> {
    let unchanged = match before {
        Some(old) => old == after,
        None => after.as_object().is_some_and(Map::is_empty),
    };
    if unchanged {
        return Ok(Outcome {
            path: path.to_path_buf(),
            changed: false,
            backup: None,
        });
    }
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(fail)?;
    }
    let backup = if path.exists() {
        let mut name = path.as_os_str().to_owned();
        name.push(".bak");
        let backup = PathBuf::from(name);
        fs::copy(path, &backup).map_err(fail)?;
        Some(backup)
    } else {
        None
    };
    let mut text = serde_json::to_string_pretty(after).map_err(|e| e.to_string())?;
    text.push('\n');
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".warden-tmp");
    let tmp = PathBuf::from(tmp_name);
    fs::write(&tmp, text).map_err(fail)?;
    fs::rename(&tmp, path).map_err(fail)?;
    Ok(Outcome {
        path: path.to_path_buf(),
        changed: true,
        backup,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_wardens_commands() {
        for yes in [
            "warden hook claude-code",
            "/usr/local/bin/warden hook claude-code",
            "WARDEN_URL=http://w:8080 /opt/warden hook claude-code",
            "'/path with space/warden' hook claude-code",
        ] {
            assert!(
                is_wardens(&json!({"type": "command", "command": yes})),
                "{yes}"
            );
        }
        for no in [
            "warden hook json",
            "python3 guard.py",
            "my-warden hook claude-code",
            "warden hook claude-code --extra",
            "echo warden hook claude-code",
        ] {
            assert!(
                !is_wardens(&json!({"type": "command", "command": no})),
                "{no}"
            );
        }
    }

    #[test]
    fn commands_quote_what_the_shell_would_split() {
        assert_eq!(
            command(Path::new("/usr/bin/warden"), None),
            "/usr/bin/warden hook claude-code"
        );
        assert_eq!(
            command(Path::new("/a b/warden"), Some("http://w:8080")),
            "WARDEN_URL=http://w:8080 '/a b/warden' hook claude-code"
        );
    }
}
