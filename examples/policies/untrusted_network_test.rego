package warden.untrusted_network_test

import data.warden.untrusted_network

test_untrusted_network_access_is_denied if {
	count(untrusted_network.deny) == 1 with input as {"action": "network_access", "labels": ["untrusted"]}
}

test_untrusted_curl_is_denied if {
	count(untrusted_network.deny) == 1 with input as {"action": "execute_code", "labels": ["untrusted"], "analysis": {"commands": [{"program": "curl", "args": ["https://example.org"]}]}}
}

test_trusted_runs_are_untouched if {
	count(untrusted_network.deny) == 0 with input as {"action": "network_access", "labels": ["ci"]}
}
