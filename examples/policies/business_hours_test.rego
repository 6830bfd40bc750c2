package warden.business_hours_test

import data.warden.business_hours

# 2026-03-04 (a Wednesday) 10:30 Paris = 09:30 UTC.
wednesday_morning := 1772616600000000000

# 2026-03-07 (a Saturday) 10:30 Paris.
saturday_morning := 1772875800000000000

test_weekday_deploy_is_not_denied if {
	count(business_hours.deny) == 0 with input as {"action": "deploy", "time": {"unix_ns": wednesday_morning}}
}

test_weekend_deploy_is_denied if {
	some d in business_hours.deny with input as {"action": "deploy", "time": {"unix_ns": saturday_morning}}
	d.rule == "outside_business_hours"
}

test_other_actions_are_untouched if {
	count(business_hours.deny) == 0 with input as {"action": "execute_code", "time": {"unix_ns": saturday_morning}}
}
