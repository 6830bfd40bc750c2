package warden.billing_limit_test

import data.warden.billing_limit

test_over_the_limit_is_denied if {
	count(billing_limit.deny) == 1 with input as {"action": "create_billing", "context": {"amount": 5000}}
}

test_large_amount_asks if {
	count(billing_limit.ask) == 1 with input as {"action": "create_billing", "context": {"amount": 500}}
	count(billing_limit.deny) == 0 with input as {"action": "create_billing", "context": {"amount": 500}}
}

test_small_amount_passes if {
	count(billing_limit.ask) == 0 with input as {"action": "create_billing", "context": {"amount": 20}}
}
