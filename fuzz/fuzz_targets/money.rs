//! Fuzzes money parsing: no panic; what parses prints back to a value that
//! parses to the same amount.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden::budget::Money;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(money) = Money::parse(text) {
        let again = Money::parse(&money.to_string()).expect("printed money parses");
        assert_eq!(again, money);
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = Money::from_json(&value);
    }
});
