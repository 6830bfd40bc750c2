//! The kinds of agent action the policy gate understands, and their names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::PolicyError;

/// An agent action type that the gate can be asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionType {
    /// Run a shell command (and optionally an SQL query).
    ExecuteCode,
    /// Deploy to an environment.
    Deploy,
    /// Create a billable resource or charge.
    CreateBilling,
    /// Delete files or directories.
    DeleteFiles,
    /// Reach a host over the network.
    NetworkAccess,
    /// Create or overwrite a file (`path`, optional new `content`).
    WriteFile,
}

impl ActionType {
    /// Every action type, in declaration order.
    pub const ALL: [ActionType; 6] = [
        ActionType::ExecuteCode,
        ActionType::Deploy,
        ActionType::CreateBilling,
        ActionType::DeleteFiles,
        ActionType::NetworkAccess,
        ActionType::WriteFile,
    ];

    /// The wire name (`snake_case`), identical to the serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionType::ExecuteCode => "execute_code",
            ActionType::Deploy => "deploy",
            ActionType::CreateBilling => "create_billing",
            ActionType::DeleteFiles => "delete_files",
            ActionType::NetworkAccess => "network_access",
            ActionType::WriteFile => "write_file",
        }
    }

    /// Comma-separated list of valid names, for error messages.
    pub fn valid_names() -> String {
        Self::ALL
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for ActionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Caller text shown back in an error: a mistyped action name is worth
/// echoing, anything else (a pasted blob, a secret sent by mistake) is not.
fn echo(text: &str) -> String {
    let name_like = text.len() <= 32
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if name_like {
        text.to_string()
    } else {
        format!("<{} bytes not shown>", text.len())
    }
}

#[cfg(test)]
#[test]
fn unknown_actions_are_echoed_only_when_they_look_like_names() {
    assert_eq!(echo("execute_cod"), "execute_cod");
    assert_eq!(
        echo("sk_live_0123456789abcdefghijklmnopq"),
        "<35 bytes not shown>"
    );
    assert_eq!(echo("rm -rf /"), "<8 bytes not shown>");
}

impl FromStr for ActionType {
    type Err = PolicyError;

    /// Parses an exact wire name; anything else is [`PolicyError::UnknownAction`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| PolicyError::UnknownAction(echo(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_and_serde() {
        for action in ActionType::ALL {
            assert_eq!(action.as_str().parse::<ActionType>().ok(), Some(action));
            let json = serde_json::to_string(&action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.as_str()));
            let back: ActionType = serde_json::from_str(&json).unwrap();
            assert_eq!(back, action);
            assert_eq!(action.to_string(), action.as_str());
        }
    }

    #[test]
    fn unknown_names_are_rejected_with_the_valid_list() {
        let cases = [
            "",
            "Deploy",
            "DEPLOY",
            " deploy",
            "deploy ",
            "execute-code",
            "rm",
            "network",
        ];
        for name in cases {
            let err = name.parse::<ActionType>().unwrap_err();
            assert_eq!(
                crate::error::ErrorCode::from(&err).as_str(),
                "unknown_action",
                "{name:?}"
            );
            let msg = err.to_string();
            assert!(msg.contains(&format!("'{}'", echo(name))), "{msg}");
            for action in ActionType::ALL {
                assert!(msg.contains(action.as_str()), "{msg}");
            }
        }
    }
}
