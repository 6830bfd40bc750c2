//! Fuzzes URL and host checks of the network allowlist: no panic, and a
//! URL naming a metadata address is never allowed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden::policy::network::NetworkPolicy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = NetworkPolicy::new(&["api.example.com".to_string(), "*.github.com".to_string()])
        .expect("allowlist");
    let _ = policy.check_url(text);
    let _ = policy.check_host(text);
    let metadata = format!("http://169.254.169.254/{text}");
    assert!(!policy.check_url(&metadata).allowed, "{metadata}");
});
