package tagguard.rules.acr_tag_immutability_test

import data.tagguard.rules.acr_tag_immutability as policy

loc := {"file": "main.tf", "line": 7, "column": 22, "end_line": 7, "end_column": 27}

repo(type, attributes) := {
	"address": sprintf("%s.images", [type]),
	"type": type,
	"root": ".",
	"location": {"file": "main.tf", "line": 1, "column": 1},
	"attributes": attributes,
}

ee(attributes) := repo("alicloud_cr_ee_repo", attributes)

known(value) := {"set": true, "known": true, "value": value, "location": loc}

ids(found) := {f.messageId | some f in found}

inp(r) := {"resources": [r]}

test_true_passes if {
	found := policy.deny with input as inp(ee({"tag_immutability": known(true)}))
	count(found) == 0
}

test_the_string_true_passes if {
	found := policy.deny with input as inp(ee({"tag_immutability": known("true")}))
	count(found) == 0
}

test_not_set_is_an_error_at_the_resource if {
	fs := policy.deny with input as inp(ee({}))
	ids(fs) == {"not_set"}
	some f in fs
	f.severity == "error"
	f.location.line == 1
	contains(f.message, "latest")
}

test_null_written_is_not_set_where_it_is_written if {
	fs := policy.deny with input as inp(ee({"tag_immutability": {"set": false, "known": true, "location": loc}}))
	ids(fs) == {"not_set"}
	some f in fs
	f.location.line == 7
}

test_false_is_an_error_at_the_value if {
	fs := policy.deny with input as inp(ee({"tag_immutability": known(false)}))
	ids(fs) == {"disabled"}
	some f in fs
	f.severity == "error"
	f.location.line == 7
	contains(f.message, "tag_immutability is false")
	contains(f.message, "latest")
}

test_latest_warning_when_the_allow_list_leaves_latest_out if {
	fs := policy.deny with input as {
		"resources": [ee({"tag_immutability": known(true)})],
		"config": {"allowed_mutable_tags": ["dev-*"]},
	}
	ids(fs) == {"latest_always_mutable"}
	some f in fs
	f.severity == "warning"
	f.location.line == 7
}

test_no_latest_warning_when_a_pattern_covers_latest if {
	found := policy.deny with input as {
		"resources": [ee({"tag_immutability": known(true)})],
		"config": {"allowed_mutable_tags": ["latest*"]},
	}
	count(found) == 0
}

test_no_latest_warning_on_a_mutable_repository if {
	mutable := {"resources": [ee({"tag_immutability": known(false)})], "config": {"allowed_mutable_tags": []}}
	fs := policy.deny with input as mutable
	ids(fs) == {"disabled"}
}

test_personal_edition_is_a_note_at_the_resource if {
	fs := policy.deny with input as inp(repo("alicloud_cr_repo", {}))
	ids(fs) == {"personal_edition"}
	some f in fs
	f.severity == "note"
	f.location.line == 1
}

test_unknown_is_a_warning if {
	u := {"set": true, "known": false, "reason": "var.immutable", "location": loc}
	fs := policy.deny with input as inp(ee({"tag_immutability": u}))
	ids(fs) == {"unknown"}
	some f in fs
	f.severity == "warning"
	contains(f.message, "var.immutable")
}

test_unknown_error_and_ignore_modes if {
	u := {"set": true, "known": false, "reason": "x"}
	errors := policy.deny with input as {"resources": [ee({"tag_immutability": u})], "config": {"unknown": "error"}}
	{f.severity | some f in errors} == {"error"}
	ignored := policy.deny with input as {"resources": [ee({"tag_immutability": u})], "config": {"unknown": "ignore"}}
	count(ignored) == 0
}

test_other_types_are_not_judged if {
	found := policy.deny with input as inp(repo("alicloud_cr_namespace", {}))
	count(found) == 0
}
