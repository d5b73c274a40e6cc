package tagguard.rules.msr_tag_immutability_test

import data.tagguard.rules.msr_tag_immutability as policy

repo(type) := {
	"address": sprintf("%s.images", [type]),
	"type": type,
	"root": ".",
	"location": {"file": "main.tf", "line": 3, "column": 1},
	"attributes": {"name": {"set": true, "known": true, "value": "images"}},
}

test_each_msr_repo_gets_a_note_at_the_resource if {
	fs := policy.deny with input as {"resources": [repo("msr_repo")]}
	count(fs) == 1
	some f in fs
	f.messageId == "set_in_msr"
	f.severity == "note"
	f.location.line == 3
	contains(f.message, "immutableTags")
}

test_other_types_are_not_judged if {
	found := policy.deny with input as {"resources": [repo("msr_org")]}
	count(found) == 0
}
