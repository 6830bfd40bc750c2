//! Table tests for `Money` parsing, JSON (de)serialisation and arithmetic.

use proptest::prelude::*;

use super::money::{Money, MoneyError};

fn m(micros: i64) -> Money {
    Money::from_micros(micros).unwrap()
}

#[derive(Debug)]
enum Want {
    Ok(i64),
    Negative,
    NotANumber,
    TooManyDecimals,
    Overflow,
}

#[test]
fn parse_table() {
    use Want::*;
    let rows: &[(&str, Want)] = &[
        ("0", Ok(0)),
        ("0.0", Ok(0)),
        ("-0", Ok(0)),
        ("-0.000", Ok(0)),
        ("0.05", Ok(50_000)),
        ("9.95", Ok(9_950_000)),
        ("10", Ok(10_000_000)),
        ("10.0", Ok(10_000_000)),
        ("100.000000", Ok(100_000_000)),
        ("0.000001", Ok(1)),
        ("0.1000000", Ok(100_000)),
        ("1e-2", Ok(10_000)),
        ("2.5E1", Ok(25_000_000)),
        ("1E+2", Ok(100_000_000)),
        ("1e-6", Ok(1)),
        ("123.456e-3", Ok(123_456)),
        ("0e999999999999", Ok(0)),
        ("9007199254.740991", Ok(9_007_199_254_740_991)),
        ("-1", Negative),
        ("-0.01", Negative),
        ("-1e-2", Negative),
        ("0.0000001", TooManyDecimals),
        ("0.1234567", TooManyDecimals),
        ("1e-7", TooManyDecimals),
        ("1.5e-999999999999", TooManyDecimals),
        ("9007199254.740992", Overflow),
        ("1e10", Overflow),
        ("1e999999999999", Overflow),
        ("99999999999999999999999999", Overflow),
        ("NaN", NotANumber),
        ("nan", NotANumber),
        ("inf", NotANumber),
        ("-Infinity", NotANumber),
        ("", NotANumber),
        ("abc", NotANumber),
        ("1.", NotANumber),
        (".5", NotANumber),
        ("01", NotANumber),
        ("+1", NotANumber),
        ("1e", NotANumber),
        ("1,5", NotANumber),
        ("0x10", NotANumber),
        ("1 2", NotANumber),
    ];
    assert!(rows.len() >= 25);
    for (text, want) in rows {
        let got = Money::parse(text);
        let ok = match (want, &got) {
            (Ok(micros), Result::Ok(v)) => v.micros() == *micros,
            (Negative, Err(MoneyError::Negative(_))) => true,
            (NotANumber, Err(MoneyError::NotANumber(_))) => true,
            (TooManyDecimals, Err(MoneyError::TooManyDecimals(_))) => true,
            (Overflow, Err(MoneyError::Overflow)) => true,
            _ => false,
        };
        assert!(ok, "parse({text:?}) = {got:?}, wanted {want:?}");
    }
}

#[test]
fn parse_positive_refuses_zero() {
    assert_eq!(Money::parse_positive("0"), Err(MoneyError::Zero));
    assert_eq!(Money::parse_positive("0.0e3"), Err(MoneyError::Zero));
    assert_eq!(Money::parse_positive("0.01"), Ok(m(10_000)));
    assert_eq!(
        m(5).ensure_at_most(m(4)),
        Err(MoneyError::AboveMax {
            amount: m(5),
            max: m(4)
        })
    );
}

#[test]
fn json_inputs() {
    let ok: Money = serde_json::from_str("0.05").unwrap();
    assert_eq!(ok, m(50_000));
    let big: Money = serde_json::from_str("1.000000000000000000000").unwrap();
    assert_eq!(big, m(1_000_000));
    for (json, needle) in [
        ("\"0.05\"", "string"),
        ("null", "null"),
        ("true", "boolean"),
        ("[1]", "array"),
        ("{}", "object"),
        ("-0.05", "negative"),
        ("0.0000001", "more than 6 decimal places"),
        ("1e400", "too large"),
    ] {
        let err = serde_json::from_str::<Money>(json).unwrap_err().to_string();
        assert!(err.contains(needle), "{json}: {err}");
    }
    // Error messages never echo unbounded input.
    let long = format!("\"{}\"", "x".repeat(10_000));
    assert!(
        serde_json::from_str::<Money>(&long)
            .unwrap_err()
            .to_string()
            .len()
            < 200
    );
}

#[test]
fn serialisation_table() {
    let sum = Money::parse("0.1")
        .unwrap()
        .checked_add(Money::parse("0.2").unwrap())
        .unwrap();
    let rows = [
        (Money::parse("0.05").unwrap(), "0.05"),
        (Money::parse("9.95").unwrap(), "9.95"),
        (Money::parse("10").unwrap(), "10.0"),
        (Money::ZERO, "0.0"),
        (sum, "0.3"),
        (Money::from_units(100), "100.0"),
        (m(1), "0.000001"),
        (m(1_001_500), "1.0015"),
        (Money::MAX, "9007199254.740991"),
    ];
    for (money, text) in rows {
        assert_eq!(serde_json::to_string(&money).unwrap(), text);
        assert_eq!(money.to_string(), text);
        assert_eq!(text.parse::<Money>().unwrap(), money);
        assert_eq!(serde_json::from_str::<Money>(text).unwrap(), money);
    }
    assert_eq!(
        serde_json::to_value(Money::parse("0.05").unwrap())
            .unwrap()
            .to_string(),
        "0.05"
    );
}

#[test]
fn checked_arithmetic() {
    assert_eq!(m(3).checked_sub(m(5)), None);
    assert_eq!(m(5).checked_sub(m(3)), Some(m(2)));
    assert_eq!(m(3).saturating_sub(m(5)), Money::ZERO);
    assert_eq!(Money::MAX.checked_add(m(1)), None);
    assert_eq!(Money::MAX.checked_add(Money::ZERO), Some(Money::MAX));
    assert!(Money::from_micros(-1).is_err());
    // 1,000 × 0.001 is exactly 1.0 — no float noise.
    let step = Money::parse("0.001615").unwrap();
    let mut total = Money::ZERO;
    for _ in 0..1000 {
        total = total.checked_add(step).unwrap();
    }
    assert_eq!(total.to_string(), "1.615");
}

proptest! {
    #[test]
    fn display_parse_roundtrip(micros in 0i64..=Money::MAX.micros()) {
        let money = m(micros);
        let text = money.to_string();
        prop_assert!(text.contains('.'));
        prop_assert_eq!(text.parse::<Money>().unwrap(), money);
        prop_assert_eq!(serde_json::to_string(&money).unwrap(), text.clone());
        prop_assert_eq!(serde_json::from_str::<Money>(&text).unwrap(), money);
    }

    #[test]
    fn addition_is_exact(a in 0i64..1_000_000_000_000, b in 0i64..1_000_000_000_000) {
        prop_assert_eq!(m(a).checked_add(m(b)).unwrap().micros(), a + b);
    }
}
