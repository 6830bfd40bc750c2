//! Fuzzes the shell analyser (and, through it, the interpreter tokenisers):
//! any text must be analysed without a panic, in bounded time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden::policy::shell::{analyze_command, ShellOptions};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let findings = analyze_command(text, &ShellOptions::default());
        assert!(findings.len() <= 64);
    }
});
