# A per-agent allowlist of programs: an agent listed in
# data.agent_allowlist may run only the programs listed for it, wherever
# they appear in the command (behind sudo/env, inside bash -c or $(...)).
# Agents not listed are not restricted by this plugin.
package warden.agent_allowlist

deny contains {"rule": "program_not_allowed", "reason": msg} if {
	input.action == "execute_code"
	allowed := data.agent_allowlist[input.agent]
	some c in input.analysis.commands
	not c.program in allowed
	msg := sprintf("agent %s may not run %s", [input.agent, c.program])
}
