//! Fuzzes request decoding and the gate: any body either fails to parse or
//! is decided, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden::policy::{PolicyConfig, PolicyGate};
use warden::service::{parse, CheckRequest};

fuzz_target!(|data: &[u8]| {
    let gate = PolicyGate::new(PolicyConfig::default()).expect("default policy");
    if let Ok(request) = parse::<CheckRequest>(data) {
        let _ = gate.check(&request.action, &request.context);
    }
});
