# create_billing: amounts above a ceiling are denied; above a lower threshold
# a human is asked (the built-in gate already asks for every billing action
# when billing is enabled; this names the reason).
package warden.billing_limit

max_amount := 1000

ask_amount := 100

deny contains {"rule": "amount_over_limit", "reason": msg} if {
	input.action == "create_billing"
	input.context.amount > max_amount
	msg := sprintf("billing amount %v is over the limit of %v", [input.context.amount, max_amount])
}

ask contains {"rule": "large_amount", "reason": msg} if {
	input.action == "create_billing"
	input.context.amount > ask_amount
	input.context.amount <= max_amount
	msg := sprintf("billing amount %v is over %v", [input.context.amount, ask_amount])
}
