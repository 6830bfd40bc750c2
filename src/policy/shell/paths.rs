//! Classification of path arguments: the filesystem root, system
//! directories, the home directory, paths outside the working directory,
//! and block devices.

use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathClass {
    /// `/` itself or `/*`.
    Root,
    /// A top-level system directory such as `/usr` (or its contents).
    SystemTop,
    /// A direct child of a system directory such as `/usr/lib` or `/home/alice`.
    SystemChild,
    /// The home directory itself (`~`, `~/`, `$HOME`, `~/*`).
    Home,
    /// Another top-level directory (`/data`, `/tmp`).
    TopLevel,
    /// Outside the working directory.
    Outside,
    Safe,
}

impl PathClass {
    /// Deleting or rewriting this is irreversible system-wide damage.
    pub fn critical(self) -> bool {
        matches!(self, PathClass::Root | PathClass::SystemTop)
    }

    /// Root, a system directory or its direct child, or the home directory.
    pub fn is_system_or_home(self) -> bool {
        matches!(
            self,
            PathClass::Root | PathClass::SystemTop | PathClass::SystemChild | PathClass::Home
        )
    }
}

const SYSTEM_DIRS: &[&str] = &[
    "bin",
    "boot",
    "dev",
    "etc",
    "home",
    "lib",
    "lib32",
    "lib64",
    "libx32",
    "opt",
    "proc",
    "root",
    "sbin",
    "srv",
    "sys",
    "usr",
    "var",
    "mnt",
    "media",
    "run",
    "snap",
    "nix",
    "System",
    "Library",
    "Applications",
    "Users",
    "Volumes",
    "private",
    "cores",
];

/// Home subdirectories whose loss is as bad as losing the home directory.
const HOME_CRITICAL: &[&str] = &[
    ".ssh",
    ".gnupg",
    ".aws",
    ".kube",
    ".config",
    ".local",
    ".password-store",
    "Documents",
    "Desktop",
    "Pictures",
];

/// Areas where deep paths are a user's own files when no cwd is known.
const HOME_AREAS: &[&str] = &["home", "Users", "root"];

const DEVICE_PREFIXES: &[&str] = &[
    "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "disk", "rdisk", "dm-", "md", "mapper", "nbd",
    "mem", "kmem", "port",
];

/// Splits a path into components, resolving `.` and `..`. The flag is set
/// when `..` climbs above the starting point.
fn normalize(path: &str) -> (Vec<&str>, bool) {
    let mut comps = Vec::new();
    let mut escaped = false;
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if comps.pop().is_none() {
                    escaped = true;
                }
            }
            _ => comps.push(c),
        }
    }
    (comps, escaped)
}

/// Cuts components at the first glob: `/usr/*` acts on all of `/usr`.
fn until_glob(mut comps: Vec<&str>) -> (Vec<&str>, bool) {
    match comps.iter().position(|c| c.contains(['*', '?', '['])) {
        Some(i) => {
            comps.truncate(i);
            (comps, true)
        }
        None => (comps, false),
    }
}

/// Joins a relative path onto the directory a script `cd`-ed into.
pub(crate) fn resolve<'a>(path: &'a str, base: Option<&str>) -> Cow<'a, str> {
    match base {
        Some(b) if !path.starts_with('/') && !path.starts_with('~') => {
            Cow::Owned(format!("{b}/{path}"))
        }
        _ => Cow::Borrowed(path),
    }
}

/// Classifies `path` relative to the working directory `cwd` (the
/// workspace boundary).
pub(crate) fn classify(path: &str, cwd: Option<&str>) -> PathClass {
    if path.is_empty() {
        return PathClass::Safe;
    }
    // Seen from a working directory inside a home, `~/x` is that home's `x`.
    if let (Some(rest), Some(home)) = (path.strip_prefix("~/"), cwd.and_then(home_prefix)) {
        return classify(&format!("{home}/{rest}"), cwd);
    }
    if let Some(rest) = path.strip_prefix('~') {
        let rest = rest.find('/').map_or("", |i| &rest[i + 1..]);
        let (comps, escaped) = normalize(rest);
        let (comps, _) = until_glob(comps);
        return if escaped
            || comps.is_empty()
            || (comps.len() == 1 && HOME_CRITICAL.contains(&comps[0]))
        {
            PathClass::Home
        } else {
            PathClass::Safe
        };
    }
    let cwd = cwd.filter(|c| c.starts_with('/'));
    let joined;
    let absolute = if path.starts_with('/') {
        path
    } else if let Some(base) = cwd {
        joined = format!("{base}/{path}");
        &joined
    } else {
        let (_, escaped) = normalize(path);
        return if escaped {
            PathClass::Outside
        } else {
            PathClass::Safe
        };
    };
    let (comps, glob) = until_glob(normalize(absolute).0);
    let inside = cwd.map(|c| {
        let base = normalize(c).0;
        comps.len() >= base.len() && comps[..base.len()] == base[..]
    });
    let Some(&first) = comps.first() else {
        return PathClass::Root;
    };
    if SYSTEM_DIRS.contains(&first) {
        if in_home_cache(&comps) {
            return PathClass::Safe;
        }
        return match (comps.len(), inside) {
            (1, _) => PathClass::SystemTop,
            (2, _) => PathClass::SystemChild,
            _ if first == "var" && comps.get(1) == Some(&"tmp") => PathClass::Safe,
            (3, _) if HOME_AREAS.contains(&first) && HOME_CRITICAL.contains(&comps[2]) => {
                PathClass::Home
            }
            (_, Some(true)) => PathClass::Safe,
            (_, Some(false)) => PathClass::Outside,
            (_, None) if HOME_AREAS.contains(&first) => PathClass::Safe,
            (_, None) => PathClass::Outside,
        };
    }
    if first == "tmp" {
        return if comps.len() == 1 && !glob {
            PathClass::TopLevel
        } else {
            PathClass::Safe
        };
    }
    if comps.len() == 1 {
        return PathClass::TopLevel;
    }
    match inside {
        Some(false) => PathClass::Outside,
        _ => PathClass::Safe,
    }
}

/// Caches are rebuilt on demand: deleting something inside `~/.cache` and
/// its kin is routine, wherever the working directory is.
fn in_home_cache(comps: &[&str]) -> bool {
    let below_home = match comps {
        ["home" | "Users", _, rest @ ..] | ["root", rest @ ..] => rest,
        _ => return false,
    };
    const CACHES: &[&[&str]] = &[
        &[".cache"],
        &["Library", "Caches"],
        &[".npm", "_cacache"],
        &[".gradle", "caches"],
        &[".cargo", "registry", "cache"],
    ];
    CACHES
        .iter()
        .any(|c| below_home.len() > c.len() && below_home[..c.len()] == **c)
}

/// `/home/u`, `/Users/u` or `/root` when `cwd` lies inside it.
fn home_prefix(cwd: &str) -> Option<String> {
    let (comps, _) = normalize(cwd);
    match comps.as_slice() {
        [area @ ("home" | "Users"), user, ..] => Some(format!("/{area}/{user}")),
        ["root", ..] => Some("/root".to_string()),
        _ => None,
    }
}

/// A disk, partition or memory device, writing to which destroys data.
pub(crate) fn is_block_device(path: &str) -> bool {
    if !path.starts_with('/') {
        return false;
    }
    let (comps, _) = normalize(path);
    match comps.as_slice() {
        ["dev", name, ..] => DEVICE_PREFIXES.iter().any(|p| name.starts_with(p)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::PathClass::*;
    use super::*;

    #[test]
    fn classify_without_cwd() {
        let cases = [
            ("/", Root),
            ("//", Root),
            ("/*", Root),
            ("/usr/..", Root),
            ("/./", Root),
            ("/usr", SystemTop),
            ("/usr/*", SystemTop),
            ("/etc/", SystemTop),
            ("/usr/lib", SystemChild),
            ("/var/lib", SystemChild),
            ("/home/alice", SystemChild),
            ("/var/lib/postgresql", Outside),
            ("/home/x/project/build", Safe),
            ("/root/proj/build", Safe),
            ("/var/tmp/x", Safe),
            ("~", Home),
            ("~/", Home),
            ("~/*", Home),
            ("~/..", Home),
            ("~/projects/x", Safe),
            ("~/.ssh", Home),
            ("/home/u/.ssh", Home),
            ("~/.cache", Safe),
            ("/tmp", TopLevel),
            ("/tmp/*", Safe),
            ("/tmp/build-123", Safe),
            ("/data", TopLevel),
            ("/data/x/y", Safe),
            ("build", Safe),
            ("./dist", Safe),
            ("..", Outside),
            ("../x", Outside),
            ("a/../../b", Outside),
            ("a/../b", Safe),
            ("", Safe),
        ];
        for (path, want) in cases {
            assert_eq!(classify(path, None), want, "{path}");
        }
    }

    #[test]
    fn classify_with_cwd() {
        let cwd = Some("/home/u/proj/");
        let cases = [
            ("/home/u/proj/build", Safe),
            ("/home/u/proj", Safe),
            ("/home/u/proj2", Outside),
            ("/home/u", SystemChild),
            ("/home/u/other/x", Outside),
            ("/srv/data/x", Outside),
            ("/data/x", Outside),
            ("/tmp/x", Safe),
            ("build/..", Safe),
            ("../other", Outside),
            ("../../..", Root),
            ("/", Root),
        ];
        for (path, want) in cases {
            assert_eq!(classify(path, cwd), want, "{path}");
        }
        assert_eq!(classify("etc", Some("/")), SystemTop);
        assert_eq!(classify("/var/www/app/cache", Some("/var/www/app")), Safe);
    }

    #[test]
    fn block_devices() {
        for dev in [
            "/dev/sda",
            "/dev/sda1",
            "/dev/nvme0n1p2",
            "/dev/vdb",
            "/dev/xvda",
            "/dev/mmcblk0",
            "/dev/disk2",
            "/dev/mapper/root",
            "/dev/./sda",
        ] {
            assert!(is_block_device(dev), "{dev}");
        }
        for not in [
            "/dev/null",
            "/dev/zero",
            "/dev/stdout",
            "/dev/tty",
            "./sda",
            "/dev",
            "disk.img",
        ] {
            assert!(!is_block_device(not), "{not}");
        }
    }
}
