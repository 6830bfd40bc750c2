//! Table-driven tests for path normalisation and the delete-files policy.

use super::*;

#[test]
fn normalisation_table() {
    let root = PathPolicy::parse_cwd("/work/proj").unwrap();
    let cases: &[(&str, Option<&NormPath>, &str, bool)] = &[
        ("/", None, "/", false),
        ("//etc/", None, "/etc", false),
        ("/etc/.", None, "/etc", false),
        ("/tmp/../etc", None, "/etc", false),
        ("/../../etc", None, "/etc", false),
        ("/a/./b//c/", None, "/a/b/c", false),
        ("~", None, "~", false),
        ("~/", None, "~", false),
        ("~bob/.ssh", None, "~/.ssh", false),
        ("$HOME/.aws", None, "~/.aws", false),
        ("${HOME}", None, "~", false),
        ("$HOMEDIR/x", None, "$HOMEDIR/x", false),
        ("~/..", None, "~", true),
        ("build", None, "build", false),
        ("..", None, ".", true),
        ("build", Some(&root), "/work/proj/build", false),
        ("../../..", Some(&root), "/", false),
        ("./x/../y", Some(&root), "/work/proj/y", false),
    ];
    for (raw, cwd, want, escaped) in cases {
        let got = normalize(raw, *cwd).unwrap();
        assert_eq!(
            (got.to_string().as_str(), got.escaped),
            (*want, *escaped),
            "{raw}"
        );
    }
    assert!(normalize("", None).is_err());
    assert!(normalize("/a\0b", None).is_err());
}

fn policy() -> PathPolicy {
    PathPolicy::new(&[
        "/srv/data".to_string(),
        "~/important".to_string(),
        "/data/*/db".to_string(),
    ])
    .unwrap()
}

#[test]
fn delete_table() {
    let cwd_home = PathPolicy::parse_cwd("/home/alice").unwrap();
    let cwd_proj = PathPolicy::parse_cwd("/work/proj").unwrap();
    // (path, cwd, expected rule or None for allowed)
    let cases: &[(&str, Option<&NormPath>, Option<&str>)] = &[
        ("/", None, Some("paths.root")),
        ("//", None, Some("paths.root")),
        ("/tmp/..", None, Some("paths.root")),
        ("/etc", None, Some("paths.system")),
        ("//etc/", None, Some("paths.system")),
        ("/etc/.", None, Some("paths.system")),
        ("/tmp/../etc", None, Some("paths.system")),
        ("/etc/passwd", None, Some("paths.system")),
        ("/boot/vmlinuz", None, Some("paths.system")),
        ("/usr/bin/ls", None, Some("paths.system")),
        ("/usr", None, Some("paths.system")),
        ("/var", None, Some("paths.system")),
        ("/var/lib/dpkg", None, Some("paths.system")),
        ("/opt", None, Some("paths.system")),
        ("/srv", None, Some("paths.system")),
        ("/proc/1", None, Some("paths.system")),
        ("/sys", None, Some("paths.system")),
        ("/lib64", None, Some("paths.system")),
        ("/home", None, Some("paths.system")),
        ("/*", None, Some("paths.system")),
        ("/e*", None, Some("paths.system")),
        ("/root", None, Some("paths.home")),
        ("/home/alice", None, Some("paths.home")),
        ("/home/alice/", None, Some("paths.home")),
        ("/Users/bob", None, Some("paths.home")),
        ("~", None, Some("paths.home")),
        ("$HOME", None, Some("paths.home")),
        ("~bob", None, Some("paths.home")),
        ("~/.ssh", None, Some("paths.credentials")),
        ("~/.ssh/id_ed25519", None, Some("paths.credentials")),
        ("$HOME/.aws/credentials", None, Some("paths.credentials")),
        ("~/.gnupg", None, Some("paths.credentials")),
        ("~/.kube/config", None, Some("paths.credentials")),
        ("~/.docker/config.json", None, Some("paths.credentials")),
        ("~/.docker", None, Some("paths.credentials")),
        ("~/.config/gcloud", None, Some("paths.credentials")),
        ("~/.config", None, Some("paths.credentials")),
        ("~/.netrc", None, Some("paths.credentials")),
        ("/home/alice/.ssh", None, Some("paths.credentials")),
        (
            "/home/alice/.ssh/authorized_keys",
            None,
            Some("paths.credentials"),
        ),
        ("/root/.aws", None, Some("paths.credentials")),
        ("/Users/bob/.kube", None, Some("paths.credentials")),
        (".ssh", None, Some("paths.credentials")),
        (".ssh", Some(&cwd_home), Some("paths.credentials")),
        ("/srv/data", None, Some("paths.protected")),
        ("/srv/data/users.db", None, Some("paths.protected")),
        ("/srv/data/../data/x", None, Some("paths.protected")),
        ("~/important/file", None, Some("paths.protected")),
        ("/data/prod/db", None, Some("paths.protected")),
        ("/data", None, Some("paths.protected")),
        ("~/..", None, Some("paths.unresolved")),
        ("../x", None, Some("paths.unresolved")),
        (".", None, Some("paths.unresolved")),
        ("/tmp/build", None, None),
        ("/tmp/x/../y", None, None),
        ("/var/tmp/cache", None, None),
        ("/home/alice/projects/app/target", None, None),
        ("~/projects/old", None, None),
        ("~/.docker/cache", None, None),
        ("~/.cache/pip", None, None),
        ("/srv/database", None, None),
        ("/data/prod/logs", None, None),
        ("/opt/myapp/tmp", None, None),
        ("build", None, None),
        ("build", Some(&cwd_proj), None),
        (".", Some(&cwd_proj), None),
        ("/work/proj/.ssh-notes", None, None),
    ];
    let p = policy();
    for (raw, cwd, want) in cases {
        let got = p.check(&[raw], *cwd).unwrap();
        assert_eq!(
            got.as_ref().map(|d| d.rule.as_str()),
            *want,
            "{raw}: {got:?}"
        );
        if let Some(d) = got {
            assert!(!d.allowed && d.reason.contains(raw), "{raw}: {}", d.reason);
            assert_eq!(d.findings.len(), 1);
        }
    }
}

#[test]
fn reasons_and_findings() {
    let p = policy();
    let d = p
        .check(&["/tmp/ok", "/tmp/../etc", "~/.ssh"], None)
        .unwrap()
        .unwrap();
    assert_eq!(d.rule, "paths.system");
    assert_eq!(
        d.reason,
        "Deletion of '/tmp/../etc' (resolves to '/etc') is denied: it is the system directory '/etc'"
    );
    assert_eq!(d.findings.len(), 2);
    assert!(d.findings[1].contains("credential store '~/.ssh'"));
    let d = p.check(&["~/.config"], None).unwrap().unwrap();
    assert!(
        d.reason
            .contains("it contains the credential store '~/.config/gcloud'"),
        "{}",
        d.reason
    );
    assert_eq!(d.risk, Risk::Critical);
}

#[test]
fn bad_inputs() {
    let p = policy();
    assert!(p.check(&[""], None).is_err());
    assert!(p.check(&["/a\0"], None).is_err());
    for cwd in ["relative", "", "~/..", "../x"] {
        assert!(PathPolicy::parse_cwd(cwd).is_err(), "{cwd}");
    }
    for bad in ["relative/dir", "", "~/../x"] {
        assert!(PathPolicy::new(&[bad.to_string()]).is_err(), "{bad}");
    }
}
