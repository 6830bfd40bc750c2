//! Errors the policy gate reports for malformed requests or policies.

use super::action::ActionType;

/// Why a request or a policy could not be evaluated at all.
///
/// A request that fails with one of these is neither allowed nor denied: the
/// caller must treat it as a client error (and never as permission).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The action name is not one of the known action types.
    #[error("unknown action '{0}' (valid actions: {valid})", valid = ActionType::valid_names())]
    UnknownAction(String),
    /// A required context field is absent (or the context is not an object).
    #[error("action '{action}' requires context field '{field}'")]
    MissingField {
        /// Action being checked.
        action: ActionType,
        /// Name of the missing field.
        field: &'static str,
    },
    /// A context field has the wrong type or an unusable value.
    #[error("invalid context field '{field}' for action '{action}': {message}")]
    InvalidField {
        /// Action being checked.
        action: ActionType,
        /// Name of the offending field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The policy (configuration or policy file) is invalid.
    #[error("invalid policy: {0}")]
    InvalidPolicy(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages() {
        let cases = [
            (
                PolicyError::UnknownAction("nuke".into()),
                "unknown_action",
                "unknown action 'nuke' (valid actions: execute_code, deploy, create_billing, delete_files, network_access, write_file)",
            ),
            (
                PolicyError::MissingField { action: ActionType::ExecuteCode, field: "command" },
                "missing_field",
                "action 'execute_code' requires context field 'command'",
            ),
            (
                PolicyError::InvalidField {
                    action: ActionType::NetworkAccess,
                    field: "port",
                    message: "must be an integer between 1 and 65535".into(),
                },
                "invalid_field",
                "invalid context field 'port' for action 'network_access': must be an integer between 1 and 65535",
            ),
            (PolicyError::InvalidPolicy("bad".into()), "invalid_policy", "invalid policy: bad"),
        ];
        for (err, code, msg) in cases {
            assert_eq!(crate::error::ErrorCode::from(&err).as_str(), code);
            assert_eq!(err.to_string(), msg);
        }
    }
}
