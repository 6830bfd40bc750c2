# Deployments only during business hours (Monday to Friday, 09:00-18:00 in
# the team's time zone); outside them a deployment is denied.
package warden.business_hours

# The team's zone: any IANA name regorus' time builtins know.
zone := "Europe/Paris"

weekend := {"Saturday", "Sunday"}

deny contains {"rule": "outside_business_hours", "reason": msg} if {
	input.action == "deploy"
	not in_business_hours
	msg := sprintf("deployments run Monday-Friday 09:00-18:00 %s only", [zone])
}

in_business_hours if {
	not weekend[time.weekday([input.time.unix_ns, zone])]
	[hour, _, _] := time.clock([input.time.unix_ns, zone])
	hour >= 9
	hour < 18
}
