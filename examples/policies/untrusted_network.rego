# Runs labelled "untrusted" get no network: network_access is denied, and so
# is any command whose analysis shows a network client.
package warden.untrusted_network

clients := {"curl", "wget", "nc", "ncat", "ssh", "scp", "rsync", "git", "pip", "npm"}

untrusted if "untrusted" in input.labels

deny contains {"rule": "untrusted_network", "reason": "runs labelled untrusted have no network access"} if {
	untrusted
	input.action == "network_access"
}

deny contains {"rule": "untrusted_network", "reason": msg} if {
	untrusted
	some c in input.analysis.commands
	c.program in clients
	msg := sprintf("runs labelled untrusted may not run %s", [c.program])
}
