//! Typed access to fields of an action's JSON context, with precise errors.

use serde_json::{Map, Value};

use super::action::ActionType;
use super::error::PolicyError;

/// A validated JSON-object context for one action.
pub struct Context<'a> {
    action: ActionType,
    fields: &'a Map<String, Value>,
}

impl<'a> Context<'a> {
    /// Wraps `value`, which must be a JSON object.
    pub fn new(action: ActionType, value: &'a Value) -> Result<Self, PolicyError> {
        match value {
            Value::Object(fields) => Ok(Self { action, fields }),
            other => Err(PolicyError::InvalidField {
                action,
                field: "context",
                message: format!("must be a JSON object, got {}", type_name(other)),
            }),
        }
    }

    /// The action this context belongs to.
    pub fn action(&self) -> ActionType {
        self.action
    }

    /// Whether `field` is present and not `null`.
    pub fn has(&self, field: &str) -> bool {
        !matches!(self.fields.get(field), None | Some(Value::Null))
    }

    /// A required string field.
    pub fn required_str(&self, field: &'static str) -> Result<&'a str, PolicyError> {
        self.optional_str(field)?.ok_or(PolicyError::MissingField {
            action: self.action,
            field,
        })
    }

    /// An optional string field (`null` counts as absent).
    pub fn optional_str(&self, field: &'static str) -> Result<Option<&'a str>, PolicyError> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(self.wrong_type(field, "a string", other)),
        }
    }

    /// An optional boolean field (`null` counts as absent).
    pub fn optional_bool(&self, field: &'static str) -> Result<Option<bool>, PolicyError> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong_type(field, "a boolean", other)),
        }
    }

    /// An optional array-of-strings field (`null` counts as absent).
    pub fn optional_str_array(
        &self,
        field: &'static str,
    ) -> Result<Option<Vec<&'a str>>, PolicyError> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(s.as_str()),
                    other => Err(self.invalid(
                        field,
                        format!("element {i} must be a string, got {}", type_name(other)),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(self.wrong_type(field, "an array of strings", other)),
        }
    }

    /// An optional TCP port (integer 1..=65535, or a decimal string of one).
    pub fn optional_port(&self, field: &'static str) -> Result<Option<u16>, PolicyError> {
        let bad = || self.invalid(field, "must be an integer between 1 and 65535".to_string());
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => {
                // With arbitrary_precision the textual form is authoritative.
                let text = n.to_string();
                match text.parse::<u16>() {
                    Ok(p) if p > 0 => Ok(Some(p)),
                    _ => Err(bad()),
                }
            }
            Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                match s.parse::<u16>() {
                    Ok(p) if p > 0 => Ok(Some(p)),
                    _ => Err(bad()),
                }
            }
            Some(_) => Err(bad()),
        }
    }

    /// Builds an [`PolicyError::InvalidField`] for this action.
    pub fn invalid(&self, field: &'static str, message: String) -> PolicyError {
        PolicyError::InvalidField {
            action: self.action,
            field,
            message,
        }
    }

    fn wrong_type(&self, field: &'static str, expected: &str, got: &Value) -> PolicyError {
        self.invalid(field, format!("must be {expected}, got {}", type_name(got)))
    }
}

/// JSON type name of a value, for messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: ActionType = ActionType::NetworkAccess;

    #[test]
    fn non_object_contexts_are_invalid() {
        for v in [json!(null), json!(1), json!("x"), json!([1]), json!(true)] {
            let err = Context::new(A, &v).err().unwrap();
            assert_eq!(
                crate::error::ErrorCode::from(&err).as_str(),
                "invalid_field",
                "{v}"
            );
        }
    }

    #[test]
    fn port_table() {
        let cases = [
            (json!({"port": 443}), Ok(Some(443))),
            (json!({"port": "8080"}), Ok(Some(8080))),
            (json!({}), Ok(None)),
            (json!({"port": null}), Ok(None)),
            (json!({"port": 0}), Err(())),
            (json!({"port": 65536}), Err(())),
            (json!({"port": -1}), Err(())),
            (json!({"port": 1.5}), Err(())),
            (json!({"port": "0x50"}), Err(())),
            (json!({"port": ""}), Err(())),
            (json!({"port": true}), Err(())),
        ];
        for (v, want) in cases {
            let ctx = Context::new(A, &v).unwrap();
            assert_eq!(ctx.optional_port("port").map_err(|_| ()), want, "{v}");
        }
    }

    #[test]
    fn typed_field_errors() {
        let v = json!({"s": 1, "b": "yes", "a": ["x", 2], "ok": ["x"]});
        let ctx = Context::new(A, &v).unwrap();
        assert_eq!(
            crate::error::ErrorCode::from(&ctx.required_str("s").unwrap_err()).as_str(),
            "invalid_field"
        );
        assert_eq!(
            crate::error::ErrorCode::from(&ctx.required_str("missing").unwrap_err()).as_str(),
            "missing_field"
        );
        assert_eq!(
            crate::error::ErrorCode::from(&ctx.optional_bool("b").unwrap_err()).as_str(),
            "invalid_field"
        );
        assert_eq!(
            crate::error::ErrorCode::from(&ctx.optional_str_array("a").unwrap_err()).as_str(),
            "invalid_field"
        );
        assert_eq!(ctx.optional_str_array("ok").unwrap(), Some(vec!["x"]));
        assert!(ctx.has("s") && !ctx.has("missing"));
    }
}
