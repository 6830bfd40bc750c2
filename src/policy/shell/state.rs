//! State a script carries from one command to the next: literal variable
//! assignments, the directory it `cd`-ed into, and files it downloaded.

use super::expand::{Arg, Vars};
use super::wrappers::basename;

#[derive(Debug, Default)]
pub(crate) struct ScriptState {
    /// Literal variable assignments seen so far.
    pub vars: Vars,
    /// Directory the script has `cd`-ed into; `None` when unknown or unchanged.
    pub base: Option<String>,
    /// Files a download command wrote (`curl -o x.sh`, `wget URL`, `> x.sh`).
    downloaded: Vec<String>,
    /// Files written with literal text (`echo 'rm -rf /' > x.sh`), and that text.
    written: Vec<(String, String)>,
}

impl ScriptState {
    /// Records `NAME=value`; a value that is not literal forgets the name.
    pub(crate) fn assign(&mut self, a: &Arg) {
        let Some((name, value)) = a.value.split_once('=') else {
            return;
        };
        let name = name.trim_end_matches('+').to_string();
        if a.dynamic || self.vars.len() >= 256 {
            self.vars.remove(&name);
        } else {
            self.vars.insert(name, value.to_string());
        }
    }

    /// `cd DIR` / `pushd DIR`: later relative paths resolve against DIR.
    pub(crate) fn change_dir(&mut self, args: &[Arg<'_>]) {
        let target = args
            .iter()
            .find(|a| !a.value.starts_with('-') || a.value == "-");
        self.base = match target {
            None => Some("~".to_string()),
            Some(t) if t.dynamic || t.value == "-" => None,
            Some(t) if t.value.starts_with('/') || t.value.starts_with('~') => {
                Some(t.value.to_string())
            }
            Some(t) => Some(match &self.base {
                Some(b) => format!("{b}/{}", t.value),
                None => t.value.to_string(),
            }),
        };
    }

    pub(crate) fn runs_downloaded(&self, arg: &Arg) -> bool {
        !arg.dynamic && self.downloaded.iter().any(|d| d == file_key(&arg.value))
    }

    /// Output files of a download command.
    pub(crate) fn record_downloads(&mut self, name: &str, args: &[Arg<'_>]) {
        let mut explicit = false;
        let mut it = args.iter().peekable();
        while let Some(a) = it.next() {
            let v = a.text();
            let file = match v {
                "-o" | "--output" | "--output-document" => it.next().map(|a| a.text()),
                "-O" if name != "curl" => it.next().map(|a| a.text()),
                _ => v
                    .strip_prefix("--output=")
                    .or_else(|| v.strip_prefix("--output-document="))
                    .or_else(|| {
                        v.strip_prefix("-o")
                            .filter(|f| !f.is_empty() && !f.starts_with('-'))
                    }),
            };
            if let Some(f) = file {
                explicit = true;
                if f != "-" {
                    self.downloaded.push(file_key(f).to_string());
                }
            }
        }
        let remote_name = name == "wget"
            || args
                .iter()
                .any(|a| a.value == "-O" || a.value == "--remote-name");
        if !explicit && remote_name {
            for url in args.iter().filter(|a| a.value.contains("://")) {
                let last = url.value.rsplit('/').next().unwrap_or_default();
                let last = last.split(['?', '#']).next().unwrap_or_default();
                if !last.is_empty() {
                    self.downloaded.push(last.to_string());
                }
            }
        }
        self.downloaded.truncate(64);
    }

    /// `echo TEXT > path`: running `path` later runs TEXT.
    pub(crate) fn wrote_text(&mut self, path: &str, text: &str, append: bool) {
        let key = file_key(path).to_string();
        let full = self.written.len() >= 64;
        match self.written.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) if append => {
                existing.push('\n');
                existing.push_str(text);
            }
            Some((_, existing)) => *existing = text.to_string(),
            None if !full => self.written.push((key, text.to_string())),
            None => {}
        }
    }

    /// The literal text a script wrote to the file `arg` names, taken so
    /// that running the file again costs nothing (its text was analysed).
    pub(crate) fn take_written_text(&mut self, arg: &Arg) -> Option<String> {
        if arg.dynamic {
            return None;
        }
        let key = file_key(&arg.value);
        let i = self.written.iter().position(|(k, _)| k == key)?;
        Some(self.written.swap_remove(i).1)
    }

    /// A redirect target of a download command.
    pub(crate) fn downloaded_to(&mut self, path: &str) {
        self.downloaded.push(file_key(path).to_string());
    }
}

/// How a file is recognised when executed later: its name without `./`.
fn file_key(path: &str) -> &str {
    basename(path)
}
