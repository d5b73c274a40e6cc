package tagguard.rules.gar_tag_immutability_test

import data.tagguard.rules.gar_tag_immutability as policy

loc := {"file": "main.tf", "line": 3, "column": 19, "end_line": 3, "end_column": 27}

repo(attributes) := {
	"address": "google_artifact_registry_repository.images",
	"type": "google_artifact_registry_repository",
	"root": ".",
	"location": {"file": "main.tf", "line": 1, "column": 1},
	"attributes": attributes,
}

known(value) := {"set": true, "known": true, "value": value, "location": loc}

unknown(reason) := {"set": true, "known": false, "reason": reason, "location": loc}

block(fields) := object.union(fields, {"known": true, "location": {"file": "main.tf", "line": 5, "column": 3}})

docker_config(blocks) := {"set": true, "known": true, "value": blocks}

docker(extra) := repo(object.union({"format": known("DOCKER")}, extra))

ids(found) := {f.messageId | some f in found}

inp(r) := {"resources": [r]}

test_immutable_tags_true_passes if {
	found1 := policy.deny with input as inp(docker({"docker_config": docker_config([block({"immutable_tags": true})])}))
	count(found1) == 0
}

test_no_docker_config_is_error_at_the_resource if {
	fs := policy.deny with input as inp(docker({}))
	count(fs) == 1
	some f in fs
	f.messageId == "no_docker_config"
	f.severity == "error"
	f.location.line == 1
	contains(f.message, "latest")
}

test_docker_config_without_immutable_tags_is_error_at_the_block if {
	fs := policy.deny with input as inp(docker({"docker_config": docker_config([block({})])}))
	ids(fs) == {"immutable_tags_not_set"}
	some f in fs
	f.location.line == 5
}

test_immutable_tags_false_is_error_where_the_value_is_written if {
	origin := {
		"location": {"file": "terraform.tfvars", "line": 2, "column": 18},
		"trace": [{"file": "main.tf", "line": 6, "column": 22, "note": "var.immutable"}],
	}
	b := block({"immutable_tags": false, "field_origins": {"immutable_tags": origin}})
	fs := policy.deny with input as inp(docker({"docker_config": docker_config([b])}))
	ids(fs) == {"immutable_tags_disabled"}
	some f in fs
	f.location == origin.location
	f.trace == origin.trace
}

test_immutable_tags_false_without_its_origin_is_error_at_the_block if {
	fs := policy.deny with input as inp(docker({"docker_config": docker_config([block({"immutable_tags": false})])}))
	ids(fs) == {"immutable_tags_disabled"}
	some f in fs
	f.location.line == 5
	contains(f.message, "latest")
}

test_format_is_case_insensitive if {
	found5 := policy.deny with input as inp(repo({"format": known("docker")}))
	ids(found5) == {"no_docker_config"}
}

test_standard_mode_is_judged if {
	found6 := policy.deny with input as inp(docker({"mode": known("STANDARD_REPOSITORY")}))
	ids(found6) == {"no_docker_config"}
}

test_other_formats_are_not_judged if {
	found7 := policy.deny with input as inp(repo({"format": known("MAVEN")}))
	count(found7) == 0
}

test_remote_and_virtual_repositories_are_not_judged if {
	found8 := policy.deny with input as inp(docker({"mode": known("REMOTE_REPOSITORY")}))
	count(found8) == 0
	found9 := policy.deny with input as inp(docker({"mode": known("VIRTUAL_REPOSITORY")}))
	count(found9) == 0
}

test_unknown_format_is_a_warning if {
	fs := policy.deny with input as inp(repo({"format": unknown("var.format")}))
	ids(fs) == {"unknown"}
	some f in fs
	f.severity == "warning"
}

test_unknown_mode_is_a_warning if {
	found11 := policy.deny with input as inp(docker({"mode": unknown("var.mode")}))
	ids(found11) == {"unknown"}
}

test_unknown_immutable_tags_is_a_warning if {
	b := object.union(block({}), {"known": false, "reason": "var.immutable"})
	fs := policy.deny with input as inp(docker({"docker_config": docker_config([b])}))
	ids(fs) == {"unknown"}
	some f in fs
	f.severity == "warning"
}

test_unknown_dynamic_docker_config_is_a_warning if {
	d := {"set": true, "known": false, "reason": "for_each", "value": []}
	found13 := policy.deny with input as inp(docker({"docker_config": d}))
	ids(found13) == {"unknown"}
}

test_unknown_error_mode if {
	fs := policy.deny with input as {"resources": [repo({"format": unknown("x")})], "config": {"unknown": "error"}}
	some f in fs
	f.severity == "error"
}
