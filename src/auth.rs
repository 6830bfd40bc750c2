//! API tokens and roles: who may call what. Tokens are compared in constant
//! time (as SHA-256 digests, so length leaks nothing) and never logged.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a token may do. Admin may do everything an agent may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// check, spend, can-spend, get, reserve/commit/release, redact.
    Agent,
    /// Also: create budgets, change limits, reset a tripped breaker.
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> Option<Role> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "agent" => Some(Role::Agent),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }
}

/// One configured token: a name for audit (never the token), its role, its digest.
#[derive(Clone)]
pub struct ApiToken {
    pub name: String,
    pub role: Role,
    digest: [u8; 32],
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiToken")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

fn digest(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

impl ApiToken {
    pub fn new(name: impl Into<String>, role: Role, secret: &str) -> ApiToken {
        ApiToken {
            name: name.into(),
            role,
            digest: digest(secret.as_bytes()),
        }
    }
}

/// The configured tokens; empty means protected mode (loopback only, no auth).
#[derive(Debug, Clone, Default)]
pub struct TokenSet {
    tokens: Vec<ApiToken>,
}

impl TokenSet {
    pub fn new(tokens: Vec<ApiToken>) -> TokenSet {
        TokenSet { tokens }
    }

    pub fn extend(&mut self, more: Vec<ApiToken>) {
        self.tokens.extend(more);
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// The token matching `presented`, comparing against every entry so the
    /// time taken does not depend on which (or whether one) matched.
    pub fn authenticate(&self, presented: &str) -> Option<&ApiToken> {
        let wanted = digest(presented.as_bytes());
        let mut found = None;
        for token in &self.tokens {
            if bool::from(token.digest.ct_eq(&wanted)) && found.is_none() {
                found = Some(token);
            }
        }
        found
    }
}

/// Parses a tokens file: one `token role [name]` per line, `#` comments.
/// Errors name the line, never the token.
pub fn parse_tokens_file(text: &str) -> Result<Vec<ApiToken>, String> {
    let mut tokens = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(secret), Some(role)) = (parts.next(), parts.next()) else {
            return Err(format!("line {}: expected `token role [name]`", index + 1));
        };
        let role = Role::parse(role)
            .ok_or_else(|| format!("line {}: role must be agent or admin", index + 1))?;
        if secret.len() < 16 {
            return Err(format!(
                "line {}: token is shorter than 16 characters",
                index + 1
            ));
        }
        let name = parts
            .next()
            .map(String::from)
            .unwrap_or_else(|| format!("{}-line-{}", role.as_str(), index + 1));
        tokens.push(ApiToken::new(name, role, secret));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_authenticate_by_exact_value_only() {
        let set = TokenSet::new(vec![
            ApiToken::new("a", Role::Agent, "agent-token-0123456789"),
            ApiToken::new("b", Role::Admin, "admin-token-0123456789"),
        ]);
        assert_eq!(
            set.authenticate("agent-token-0123456789").map(|t| t.role),
            Some(Role::Agent)
        );
        assert_eq!(
            set.authenticate("admin-token-0123456789").map(|t| t.role),
            Some(Role::Admin)
        );
        for wrong in [
            "",
            "agent-token-012345678",
            "agent-token-01234567890",
            "AGENT-TOKEN-0123456789",
        ] {
            assert!(set.authenticate(wrong).is_none(), "{wrong}");
        }
    }

    #[test]
    fn tokens_file_parses_and_errors_never_echo_tokens() {
        let tokens = parse_tokens_file(
            "# comment\nsecret-agent-token-1 agent ci-bot\n\nsecret-admin-token-1 admin\n",
        )
        .expect("valid file");
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens[0].name, "ci-bot");
        assert_eq!(tokens[1].name, "admin-line-4");
        for bad in [
            "lonely-token-without-role",
            "secret-agent-token-1 root",
            "short agent",
        ] {
            let err = parse_tokens_file(bad).expect_err(bad);
            assert!(
                !err.contains("secret") && !err.contains("lonely") && !err.contains("short "),
                "{err}"
            );
        }
        assert!(!format!("{:?}", tokens[0]).contains("secret-agent"));
    }
}
