//! Combines the built-in decision with a plugin verdict: any deny wins, then any ask, else allowed.

use super::{PluginFailure, PluginHit, PluginVerdict, PluginsConfig};
use crate::policy::{Category, Decision, Risk};

/// Rule id of a decision made because a plugin failed.
pub const PLUGIN_ERROR_RULE: &str = "plugin.error";

/// The final decision for `builtin` and what the plugins said.
///
/// - a plugin error denies (`plugin.error`) unless `plugin_failure = "ignore"`;
/// - an `allow_override` lifts a built-in denial only with `allow_overrides`
///   and the built-in rule id listed in `override_rules`;
/// - any built-in or plugin denial denies (the built-in rule first, else the
///   first plugin rule; every plugin rule in `findings`);
/// - else any ask requires approval; else the built-in decision stands.
pub fn combine(builtin: Decision, verdict: PluginVerdict, cfg: &PluginsConfig) -> Decision {
    if let Some(error) = verdict.error {
        return match cfg.failure {
            PluginFailure::Ignore => {
                tracing::warn!(cause = %error, "policy plugin failed; ignored (plugin_failure = \"ignore\")");
                builtin
            }
            PluginFailure::Deny => {
                let mut findings = builtin.findings;
                findings.push(format!("{PLUGIN_ERROR_RULE}: {error}"));
                Decision::deny(
                    PLUGIN_ERROR_RULE,
                    builtin.risk.max(Risk::High),
                    format!("Policy plugin failed (fail closed): {error}"),
                )
                .with_category(Category::Plugin)
                .with_findings(findings)
            }
        };
    }
    let mut builtin = builtin;
    if !builtin.allowed && cfg.allow_overrides && cfg.override_rules.contains(&builtin.rule) {
        if let Some(hit) = verdict
            .allow_override
            .iter()
            .find(|h| h.rule == builtin.rule)
        {
            tracing::warn!(
                rule = %builtin.rule,
                reason = %hit.reason,
                "built-in denial lifted by a policy plugin (allow_override)"
            );
            let mut findings = builtin.findings;
            findings.push(format!(
                "plugin.override: {} lifted: {}",
                builtin.rule, hit.reason
            ));
            builtin = Decision::allow(builtin.risk).with_findings(findings);
        }
    }
    let listed = |hits: &[PluginHit]| -> Vec<String> {
        hits.iter()
            .map(|h| format!("{}: {}", h.rule, h.reason))
            .collect()
    };
    if !builtin.allowed {
        let mut d = builtin;
        for hit in &verdict.deny {
            d.reason = format!("{}; {}", d.reason, hit.reason);
        }
        d.findings.extend(listed(&verdict.deny));
        return d;
    }
    if let Some(first) = verdict.deny.first() {
        let mut findings = listed(&verdict.deny);
        findings.extend(builtin.findings);
        let reason = verdict
            .deny
            .iter()
            .map(|h| h.reason.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        return Decision::deny(&first.rule, builtin.risk.max(Risk::High), reason)
            .with_category(Category::Plugin)
            .with_findings(findings);
    }
    if builtin.requires_approval {
        let mut d = builtin;
        d.findings.extend(listed(&verdict.ask));
        return d;
    }
    if let Some(first) = verdict.ask.first() {
        let mut findings = listed(&verdict.ask);
        findings.extend(builtin.findings);
        let reason = verdict
            .ask
            .iter()
            .map(|h| h.reason.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        return Decision::approval(&first.rule, builtin.risk.max(Risk::Medium), reason)
            .with_category(Category::Plugin)
            .with_findings(findings);
    }
    builtin
}
