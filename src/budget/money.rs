//! Exact money amounts as integer micro-units, parsed and printed without ever touching `f64`.
//!
//! Grammar: the JSON number grammar (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
//! A value is accepted when it is an exact multiple of 0.000001: `1e-2`, `2.5E1` and
//! `0.1000000` (trailing zeros) are accepted, `1e-7` and `0.1234567` are refused with
//! [`MoneyError::TooManyDecimals`]. `-0` is zero; any other negative value is refused.
//! The largest amount is [`Money::MAX`] (2^53 − 1 micro-units, ≈ 9.007 billion), so every
//! amount is exact both in `i64` and in a Redis Lua (double) number.
//! Serialisation emits a `serde_json::Number` (arbitrary precision), i.e. a bare JSON number
//! with serde_json; other serde formats would see serde_json's private number wrapper.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Micro-units per whole unit (6 decimal places).
pub const MICROS_PER_UNIT: i64 = 1_000_000;
const MAX_MICROS: i64 = (1 << 53) - 1;
const DECIMALS: i64 = 6;

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must not be negative (got {0})")]
    Negative(String),
    #[error("amount must be greater than zero")]
    Zero,
    #[error("amount must be a finite JSON number, got {0}")]
    NotANumber(String),
    #[error("amount has more than 6 decimal places (got {0})")]
    TooManyDecimals(String),
    #[error("amount is too large (the maximum is 9007199254.740991)")]
    Overflow,
    #[error("amount {amount} is above the maximum of {max}")]
    AboveMax { amount: Money, max: Money },
}

/// A non-negative amount of money in exact micro-units (1 unit = 1,000,000 micros).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

/// Shortens caller-supplied text before echoing it in an error message.
fn echo(text: &str) -> String {
    let mut out: String = text.chars().take(32).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    format!("{out:?}")
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl Money {
    pub const ZERO: Money = Money(0);
    pub const MAX: Money = Money(MAX_MICROS);

    /// Builds an amount from micro-units; refuses negatives and values above [`Money::MAX`].
    pub fn from_micros(micros: i64) -> Result<Self, MoneyError> {
        if micros < 0 {
            return Err(MoneyError::Negative(format!("{micros} micro-units")));
        }
        if micros > MAX_MICROS {
            return Err(MoneyError::Overflow);
        }
        Ok(Money(micros))
    }

    /// Whole units (any `u32` fits below [`Money::MAX`]).
    pub fn from_units(units: u32) -> Money {
        Money(i64::from(units) * MICROS_PER_UNIT)
    }

    pub const fn micros(self) -> i64 {
        self.0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parses decimal text (see the module docs for the grammar).
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let t = text.trim();
        let (negative, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        let well_formed = all_digits(int_part)
            && (int_part == "0" || !int_part.starts_with('0'))
            && (!mantissa.contains('.') || all_digits(frac_part))
            && exponent.is_none_or(|e| all_digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
        if !well_formed {
            return Err(MoneyError::NotANumber(echo(text)));
        }
        // Exponent, clamped: anything beyond ±10^6 is hopeless either way.
        let exp: i64 = match exponent {
            None => 0,
            Some(e) => {
                let (sign, digits) = match e.strip_prefix('-') {
                    Some(d) => (-1, d),
                    None => (1, e.strip_prefix('+').unwrap_or(e)),
                };
                let digits = digits.trim_start_matches('0');
                let magnitude = if digits.len() > 7 {
                    10_000_000
                } else {
                    digits.parse::<i64>().unwrap_or(0)
                };
                sign * magnitude
            }
        };
        let mut digits: String = format!("{int_part}{frac_part}")
            .trim_start_matches('0')
            .to_owned();
        if digits.is_empty() {
            return Ok(Money::ZERO); // 0, -0, 0.000, 0e5 …
        }
        if negative {
            return Err(MoneyError::Negative(echo(text)));
        }
        // value = digits × 10^(-scale)
        let mut scale = frac_part.len() as i64 - exp;
        while scale > DECIMALS && digits.ends_with('0') {
            digits.pop();
            scale -= 1;
        }
        if scale > DECIMALS {
            return Err(MoneyError::TooManyDecimals(echo(text)));
        }
        let shift = DECIMALS - scale; // ≥ 0
        if digits.len() as i64 + shift > 17 {
            return Err(MoneyError::Overflow);
        }
        let mut micros: i64 = digits.parse().map_err(|_| MoneyError::Overflow)?;
        for _ in 0..shift {
            micros = micros.checked_mul(10).ok_or(MoneyError::Overflow)?;
        }
        Money::from_micros(micros)
    }

    /// Like [`Money::parse`] but refuses zero.
    pub fn parse_positive(text: &str) -> Result<Self, MoneyError> {
        Money::parse(text)?.ensure_positive()
    }

    /// Reads an amount from a JSON value; only JSON numbers are accepted (never strings).
    pub fn from_json(value: &serde_json::Value) -> Result<Self, MoneyError> {
        match value {
            serde_json::Value::Number(n) => Money::parse(n.as_str()),
            serde_json::Value::String(s) => Err(MoneyError::NotANumber(format!(
                "the string {} (send a JSON number)",
                echo(s)
            ))),
            serde_json::Value::Null => Err(MoneyError::NotANumber("null".into())),
            serde_json::Value::Bool(b) => Err(MoneyError::NotANumber(format!("boolean {b}"))),
            serde_json::Value::Array(_) => Err(MoneyError::NotANumber("an array".into())),
            serde_json::Value::Object(_) => Err(MoneyError::NotANumber("an object".into())),
        }
    }

    pub fn ensure_positive(self) -> Result<Self, MoneyError> {
        if self.is_zero() {
            Err(MoneyError::Zero)
        } else {
            Ok(self)
        }
    }

    pub fn ensure_at_most(self, max: Money) -> Result<Self, MoneyError> {
        if self > max {
            Err(MoneyError::AboveMax { amount: self, max })
        } else {
            Ok(self)
        }
    }

    /// Sum, or `None` above [`Money::MAX`].
    pub fn checked_add(self, other: Money) -> Option<Money> {
        Money::from_micros(self.0.checked_add(other.0)?).ok()
    }

    /// Difference, or `None` when it would be negative.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        Money::from_micros(self.0.checked_sub(other.0)?).ok()
    }

    /// Difference clamped at zero.
    pub fn saturating_sub(self, other: Money) -> Money {
        self.checked_sub(other).unwrap_or(Money::ZERO)
    }

    /// The JSON number for this amount, e.g. `0.05`, `10.0` (always one fractional digit).
    pub fn to_json_number(self) -> serde_json::Number {
        let text = self.to_string();
        // The text is always valid JSON number syntax; the fallback is unreachable.
        serde_json::Number::from_str(&text).unwrap_or_else(|_| serde_json::Number::from(self.0))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / MICROS_PER_UNIT;
        let frac = format!("{:06}", self.0 % MICROS_PER_UNIT);
        let frac = frac.trim_end_matches('0');
        let frac = if frac.is_empty() { "0" } else { frac };
        write!(f, "{whole}.{frac}")
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json_number().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Money::from_json(&value).map_err(serde::de::Error::custom)
    }
}
