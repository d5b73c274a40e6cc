# METADATA
# description: >-
#   The entry points tagguard evaluates: every rule package under tagguard.rules
#   contributes its deny set and its rule descriptor.
package tagguard.main

# METADATA
# description: All findings of all rules, for one input document.
# entrypoint: true
findings contains f if {
	some rule in data.tagguard.rules
	some f in rule.deny
}

# METADATA
# description: Descriptors of all rules, for explain and report rule tables.
# entrypoint: true
rules contains descriptor if {
	some rule in data.tagguard.rules
	descriptor := rule.rule
}
