package tagguard.rules.ecr_tag_immutability_test

import data.tagguard.rules.ecr_tag_immutability as policy

loc := {"file": "main.tf", "line": 3, "column": 26, "end_line": 3, "end_column": 35}

repo(attributes) := {
	"address": "aws_ecr_repository.app",
	"type": "aws_ecr_repository",
	"root": ".",
	"location": {"file": "main.tf", "line": 1, "column": 1},
	"attributes": attributes,
}

known(value) := {"set": true, "known": true, "value": value, "location": loc}

filter(pattern) := {"known": true, "filter": pattern, "filter_type": "WILDCARD", "location": loc}

with_filters(fs) := repo({
	"image_tag_mutability": known("IMMUTABLE_WITH_EXCLUSION"),
	"image_tag_mutability_exclusion_filter": {"set": true, "known": true, "value": fs},
})

test_immutable_passes if {
	r := repo({"image_tag_mutability": known("IMMUTABLE")})
	count(policy.deny) == 0 with input as {"resources": [r]}
}

test_not_set_is_error_at_block if {
	some f in policy.deny with input as {"resources": [repo({})]}
	f.severity == "error"
	f.location.line == 1
	contains(f.message, "is not set")
}

test_null_is_error_where_the_null_is_written if {
	null_from_tfvars := {"set": false, "known": true, "location": loc, "trace": []}
	findings := policy.deny with input as {"resources": [repo({"image_tag_mutability": null_from_tfvars})]}
	count(findings) == 1
	some f in findings
	f.location == loc
	contains(f.message, "is not set")
}

test_mutable_is_error_at_value if {
	some f in policy.deny with input as {"resources": [repo({"image_tag_mutability": known("MUTABLE")})]}
	f.severity == "error"
	f.location == loc
}

test_mutable_with_exclusion_is_error if {
	some f in policy.deny with input as {"resources": [repo({"image_tag_mutability": known("MUTABLE_WITH_EXCLUSION")})]}
	contains(f.message, "MUTABLE_WITH_EXCLUSION")
}

test_invalid_value_lists_valid_ones if {
	some f in policy.deny with input as {"resources": [repo({"image_tag_mutability": known("immutable")})]}
	contains(f.message, "not a valid value")
}

test_exclusion_of_latest_passes_by_default if {
	r := with_filters([filter("latest")])
	count(policy.deny) == 0 with input as {"resources": [r]}
}

test_exclusion_outside_allow_list_names_filter if {
	fs := policy.deny with input as {"resources": [with_filters([filter("latest"), filter("dev-*")])]}
	count(fs) == 1
	some f in fs
	contains(f.message, "\"dev-*\"")
}

test_allow_list_from_config if {
	r := with_filters([filter("dev-*")])
	count(policy.deny) == 0 with input as {"resources": [r], "config": {"allowed_mutable_tags": ["dev-*"]}}
}

test_exclusion_without_filters_is_error if {
	some f in policy.deny with input as {"resources": [with_filters([])]}
	contains(f.message, "at least one")
}

test_unknown_is_warning_by_default if {
	r := repo({"image_tag_mutability": {"set": true, "known": false, "reason": "data source"}})
	some f in policy.deny with input as {"resources": [r]}
	f.severity == "warning"
	contains(f.message, "data source")
}

test_unknown_error_mode if {
	r := repo({"image_tag_mutability": {"set": true, "known": false}})
	some f in policy.deny with input as {"resources": [r], "config": {"unknown": "error"}}
	f.severity == "error"
}

test_unknown_ignore_mode if {
	r := repo({"image_tag_mutability": {"set": true, "known": false}})
	count(policy.deny) == 0 with input as {"resources": [r], "config": {"unknown": "ignore"}}
}

test_other_resource_types_are_not_checked if {
	r := object.union(repo({}), {"type": "aws_s3_bucket"})
	count(policy.deny) == 0 with input as {"resources": [r]}
}

test_creation_template_is_checked if {
	r := object.union(repo({}), {"type": "aws_ecr_repository_creation_template"})
	count(policy.deny) == 1 with input as {"resources": [r]}
}

test_rule_metadata_comes_from_annotations if {
	policy.rule.id == "ecr-tag-immutability"
	policy.rule.severity == "error"
	startswith(policy.rule.title, "ECR image tags")
}
