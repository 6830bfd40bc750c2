//! Fuzzes the SQL analyser: any text, no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden::policy::shell::analyze_sql;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = analyze_sql(text);
    }
});
