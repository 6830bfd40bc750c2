//! Robustness: no input panics or overflows the stack, deep nesting is
//! bounded, and pathological inputs finish quickly.

use super::{analyze_command, analyze_sql, ShellOptions};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "(",
    ")",
    "$(",
    "`",
    "'",
    "\"",
    "\\",
    "{",
    "}",
    ";",
    ";;",
    "|",
    "||",
    "&",
    "&&",
    "<<",
    "<<-",
    "<<<",
    ">",
    ">&",
    "<(",
    ">(",
    "${",
    "${X:-",
    "$'",
    "$((",
    "\n",
    "#",
    "~",
    " ",
    "\t",
    "rm",
    "-rf",
    "/",
    "bash -c",
    "eval",
    "=",
    "!",
    "*",
    "EOF",
    "xargs",
    "sudo",
    "curl x",
    "sh",
    "f()",
    ":",
    "DROP TABLE t",
    "psql -c",
    "\\x72",
    "é",
    "🦀",
];

fn metachar_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_unicode_never_panics(s in ".{0,300}") {
        let _ = analyze_command(&s, &ShellOptions::default());
        let _ = analyze_sql(&s);
    }

    #[test]
    fn metacharacter_soup_never_panics(s in metachar_soup()) {
        let _ = analyze_command(&s, &ShellOptions::default());
        let _ = analyze_sql(&s);
    }

    #[test]
    fn arbitrary_bytes_as_lossy_text_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let s = String::from_utf8_lossy(&bytes);
        let _ = analyze_command(&s, &ShellOptions::default());
    }

    #[test]
    fn findings_are_bounded(s in metachar_soup()) {
        let f = analyze_command(&s, &ShellOptions::default());
        prop_assert!(f.len() <= 64);
        prop_assert!(f.iter().all(|f| f.description.chars().count() <= 120));
    }
}

fn too_complex_or_flagged(cmd: &str) {
    let f = analyze_command(cmd, &ShellOptions::default());
    assert!(
        !f.is_empty(),
        "deep input returned no finding: {}",
        &cmd[..cmd.len().min(60)]
    );
}

#[test]
fn deep_nesting_is_bounded() {
    let n = 10_000;
    // Genuinely nested forms: reported (as too complex, at least).
    let nested = [
        format!("{}rm -rf /", "eval ".repeat(n)),
        format!("{}rm -rf /{}", "$(".repeat(n), ")".repeat(n)),
        format!("{}rm -rf /{}", "bash -c \"$(".repeat(n), ")\"".repeat(n)),
        format!("{}x{}", "\"$(echo ".repeat(n), ")\"".repeat(n)),
        format!("{}x", "${X:-$(".repeat(n)),
        format!("{}x", "f() ".repeat(n)),
        format!("{}x", "<(".repeat(n)),
        "(".repeat(100_000),
        "{ ".repeat(100_000),
    ];
    for cmd in &nested {
        too_complex_or_flagged(cmd);
    }
    let f = analyze_command(&"(".repeat(100_000), &ShellOptions::default());
    assert_eq!(f[0].rule, "shell.too_complex");
    // Long but flat in shell semantics (`-c` takes one word): must just return.
    for cmd in [
        format!("{}rm -rf /", "bash -c \"".repeat(n)),
        format!("{}rm -rf /", "sh -c ".repeat(n)),
        format!("{}x", "sudo ".repeat(n)),
        "`".repeat(n),
        "'".repeat(n),
        "\\".repeat(n),
        "<<EOF\n".repeat(n),
    ] {
        let _ = analyze_command(&cmd, &ShellOptions::default());
    }
}

#[test]
fn deep_nesting_on_a_small_stack() {
    // Gate worker threads may have small stacks; stay well inside 1 MiB.
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let _ = analyze_command(&"$(".repeat(50_000), &ShellOptions::default());
            let _ = analyze_command(
                &format!("{}rm -rf /", "bash -c \"".repeat(5_000)),
                &ShellOptions::default(),
            );
            let _ = analyze_sql(&"(".repeat(50_000));
            let _ = analyze_sql(&format!(
                "SELECT {}1{}",
                "(".repeat(5_000),
                ")".repeat(5_000)
            ));
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn moderate_nesting_still_analysed() {
    // Ten levels of real nesting is well within the budget and still found.
    let mut cmd = "rm -rf /".to_string();
    for _ in 0..10 {
        cmd = format!("echo $({cmd})");
    }
    let f = analyze_command(&cmd, &ShellOptions::default());
    assert!(
        f.iter().any(|f| f.rule == "shell.rm_recursive_root"),
        "{f:?}"
    );
}

#[test]
fn nested_substitutions_are_not_exponential() {
    // 30 levels of `$(echo …)` inside one word: every level must be
    // expanded a bounded number of times.
    let mut cmd = "curl x".to_string();
    for _ in 0..30 {
        cmd = format!("echo \"$({cmd})\"");
    }
    let start = std::time::Instant::now();
    let f = analyze_command(&format!("{cmd} | sh"), &ShellOptions::default());
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    assert!(
        f.iter().any(|f| f.rule == "shell.remote_pipe_exec"),
        "{f:?}"
    );
}

#[test]
fn large_inputs_finish_quickly() {
    let big = "echo hello && ls -la | grep x; ".repeat(20_000);
    let start = std::time::Instant::now();
    assert!(analyze_command(&big, &ShellOptions::default()).is_empty());
    let many = "rm -rf /; ".repeat(20_000);
    assert!(analyze_command(&many, &ShellOptions::default()).len() <= 64);
    let sql = "SELECT 1; ".repeat(20_000);
    assert!(analyze_sql(&sql).is_empty());
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}
