package warden.agent_allowlist_test

import data.warden.agent_allowlist

commands(programs) := [{"program": p, "args": []} | some p in programs]

test_listed_programs_pass if {
	count(agent_allowlist.deny) == 0 with input as {"action": "execute_code", "agent": "docs-bot", "analysis": {"commands": commands(["git", "grep"])}}
}

test_unlisted_program_is_denied if {
	some d in agent_allowlist.deny with input as {"action": "execute_code", "agent": "docs-bot", "analysis": {"commands": commands(["git", "curl"])}}
	d.rule == "program_not_allowed"
}

test_other_agents_are_unrestricted if {
	count(agent_allowlist.deny) == 0 with input as {"action": "execute_code", "agent": "build-bot", "analysis": {"commands": commands(["curl"])}}
}
