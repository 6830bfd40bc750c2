//! The hook's local audit trail: one JSON line per decision, appended to a
//! file (already redacted by the caller), rotated by size (`audit.jsonl` →
//! `audit.jsonl.1` → … → `.3`). A failure to write is reported on stderr and
//! never changes the decision.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Rotated generations kept beside the live file.
pub const KEEP: u32 = 3;

/// An append-only JSONL file with size rotation.
#[derive(Debug, Clone)]
pub struct AuditFile {
    path: PathBuf,
    max_bytes: u64,
}

impl AuditFile {
    pub fn new(path: PathBuf, max_bytes: u64) -> Self {
        Self { path, max_bytes }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `line` (one JSON document, no newline) as one write.
    pub fn append(&self, line: &[u8]) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let size = fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        if size > 0 && size + line.len() as u64 + 1 > self.max_bytes {
            self.rotate()?;
        }
        let mut record = Vec::with_capacity(line.len() + 1);
        record.extend_from_slice(line);
        record.push(b'\n');
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Commands and paths are redacted, yet still nobody else's business.
            options.mode(0o600);
        }
        options.open(&self.path)?.write_all(&record)
    }

    fn generation(&self, n: u32) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn rotate(&self) -> std::io::Result<()> {
        for n in (1..KEEP).rev() {
            let from = self.generation(n);
            if from.exists() {
                fs::rename(&from, self.generation(n + 1))?;
            }
        }
        fs::rename(&self.path, self.generation(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_lines_and_rotates_by_size_keeping_three_generations() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state/audit.jsonl");
        let audit = AuditFile::new(path.clone(), 100);
        for i in 0..20 {
            audit
                .append(format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(20)).as_bytes())
                .expect("append");
        }
        let live = fs::read_to_string(&path).expect("live file");
        assert!(live.len() <= 100, "{}", live.len());
        assert!(live
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
        assert!(live.contains("\"n\":19"));
        for n in 1..=KEEP {
            assert!(audit.generation(n).exists(), "generation {n}");
        }
        assert!(!audit.generation(KEEP + 1).exists());
    }
}
