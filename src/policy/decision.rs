//! The verdict the gate returns: allowed / denied / needs approval, with a reason.

use serde::Serialize;

/// Reason text for an action allowed without conditions.
pub const ALLOWED_REASON: &str = "Action allowed by policy";
/// Rule identifier for an action allowed without conditions.
pub const ALLOW_RULE: &str = "allow.default";

/// Estimated risk of the requested action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// No meaningful risk.
    None,
    /// Routine risk.
    Low,
    /// Worth a look.
    Medium,
    /// Likely harmful.
    High,
    /// Irreversible or system-wide harm.
    Critical,
}

/// The class of danger a decision saw; `None` on a decision when nothing risky was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Deletes or overwrites data, disks, infrastructure.
    Destructive,
    /// Runs code fetched or decoded at run time.
    RemoteCode,
    /// Hands a shell to a remote peer.
    ReverseShell,
    /// Sends credentials or secrets to a network sink.
    Exfiltration,
    /// Reads or writes a credential store.
    CredentialAccess,
    /// Reaches a network destination the policy does not allow.
    Egress,
    /// Changes system state: services, users, firewall, boot, mounts.
    SystemChange,
    /// Hides what runs (encoded payloads, computed command names).
    Evasion,
    /// Over a per-action rate limit.
    RateLimit,
    /// Decided by a policy plugin.
    Plugin,
}

impl Category {
    /// Every category, in declaration order (metric label values).
    pub const ALL: [Category; 10] = [
        Category::Destructive,
        Category::RemoteCode,
        Category::ReverseShell,
        Category::Exfiltration,
        Category::CredentialAccess,
        Category::Egress,
        Category::SystemChange,
        Category::Evasion,
        Category::RateLimit,
        Category::Plugin,
    ];

    /// The wire name (`remote_code`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Destructive => "destructive",
            Category::RemoteCode => "remote_code",
            Category::ReverseShell => "reverse_shell",
            Category::Exfiltration => "exfiltration",
            Category::CredentialAccess => "credential_access",
            Category::Egress => "egress",
            Category::SystemChange => "system_change",
            Category::Evasion => "evasion",
            Category::RateLimit => "rate_limit",
            Category::Plugin => "plugin",
        }
    }

    /// How a reason names a finding of this class.
    pub fn headline(self) -> &'static str {
        match self {
            Category::Destructive => "Destructive command detected",
            Category::RemoteCode => "Remote code execution detected",
            Category::ReverseShell => "Reverse shell detected",
            Category::Exfiltration => "Credential exfiltration detected",
            Category::CredentialAccess => "Credential access detected",
            Category::Egress => "Network egress outside the allowlist",
            Category::SystemChange => "System change detected",
            Category::Evasion => "Obfuscated command detected",
            Category::RateLimit => "Rate limit exceeded",
            Category::Plugin => "Policy plugin decision",
        }
    }
}

/// The gate's answer for one action.
///
/// `allowed == false` means denied. `allowed == true && requires_approval`
/// means the action may run only after a human approves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Whether the action may proceed (possibly after approval).
    pub allowed: bool,
    /// Human-readable explanation.
    pub reason: String,
    /// Whether a human must approve before the action runs.
    pub requires_approval: bool,
    /// Stable identifier of the rule that decided, e.g. `network.userinfo`.
    pub rule: String,
    /// Estimated risk.
    pub risk: Risk,
    /// Class of danger seen (`null` when none).
    pub category: Option<Category>,
    /// Supporting details (e.g. every finding, not only the deciding one).
    pub findings: Vec<String>,
}

impl Decision {
    /// Allowed without conditions: reason is exactly [`ALLOWED_REASON`].
    pub fn allow(risk: Risk) -> Self {
        Self {
            allowed: true,
            reason: ALLOWED_REASON.to_string(),
            requires_approval: false,
            rule: ALLOW_RULE.to_string(),
            risk,
            category: None,
            findings: Vec::new(),
        }
    }

    /// Denied by `rule`.
    pub fn deny(rule: &str, risk: Risk, reason: impl Into<String>) -> Self {
        Self {
            allowed: false,
            reason: reason.into(),
            requires_approval: false,
            rule: rule.to_string(),
            risk,
            category: None,
            findings: Vec::new(),
        }
    }

    /// Allowed, but only after human approval.
    pub fn approval(rule: &str, risk: Risk, reason: impl Into<String>) -> Self {
        Self {
            allowed: true,
            reason: reason.into(),
            requires_approval: true,
            rule: rule.to_string(),
            risk,
            category: None,
            findings: Vec::new(),
        }
    }

    /// Sets the class of danger seen.
    pub fn with_category(mut self, category: Category) -> Self {
        self.category = Some(category);
        self
    }

    /// Replaces the findings list.
    pub fn with_findings(mut self, findings: Vec<String>) -> Self {
        self.findings = findings;
        self
    }

    /// True when allowed without needing approval.
    pub fn is_unconditional_allow(&self) -> bool {
        self.allowed && !self.requires_approval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_seed_field_order_and_lowercase_risk() {
        let d = Decision::deny("network.scheme", Risk::High, "no")
            .with_category(Category::Egress)
            .with_findings(vec!["f".to_string()]);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(
            json,
            r#"{"allowed":false,"reason":"no","requires_approval":false,"rule":"network.scheme","risk":"high","category":"egress","findings":["f"]}"#
        );
    }

    #[test]
    fn constructors() {
        let cases = [
            (Decision::allow(Risk::None), true, false, ALLOW_RULE),
            (
                Decision::deny("x.y", Risk::Critical, "r"),
                false,
                false,
                "x.y",
            ),
            (
                Decision::approval("approval.required", Risk::Medium, "r"),
                true,
                true,
                "approval.required",
            ),
        ];
        for (d, allowed, approval, rule) in cases {
            assert_eq!(
                (d.allowed, d.requires_approval, d.rule.as_str()),
                (allowed, approval, rule)
            );
        }
        assert_eq!(
            Decision::allow(Risk::Low).reason,
            "Action allowed by policy"
        );
        assert!(Decision::allow(Risk::Low).is_unconditional_allow());
        let risks: Vec<String> = [
            Risk::None,
            Risk::Low,
            Risk::Medium,
            Risk::High,
            Risk::Critical,
        ]
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
        assert_eq!(
            risks,
            [
                "\"none\"",
                "\"low\"",
                "\"medium\"",
                "\"high\"",
                "\"critical\""
            ]
        );
    }
}
