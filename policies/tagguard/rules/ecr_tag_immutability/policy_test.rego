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

# A filter block at line n (blocks are told apart by where they are written).
block_at(n, fields) := object.union(fields, {"known": true, "location": {"file": "main.tf", "line": n, "column": 3}})

# A filter block at line 5.
typed(pattern, type) := block_at(5, {"filter": pattern, "filter_type": type})

filter(pattern) := typed(pattern, "WILDCARD")

with_mode_and_filters(mode, fs) := repo({
	"image_tag_mutability": known(mode),
	"image_tag_mutability_exclusion_filter": {"set": true, "known": true, "value": fs},
})

with_filters(fs) := with_mode_and_filters("IMMUTABLE_WITH_EXCLUSION", fs)

texts(found) := {f.message | some f in found}

ids(found) := {f.messageId | some f in found}

test_immutable_passes if {
	r := repo({"image_tag_mutability": known("IMMUTABLE")})
	count(policy.deny) == 0 with input as {"resources": [r]}
}

test_not_set_is_error_at_block if {
	fs := policy.deny with input as {"resources": [repo({})]}
	count(fs) == 1
	some f in fs
	f.severity == "error"
	f.location.line == 1
	f.message == policy.messages.not_set
	f.messageId == "not_set"
}

test_null_is_error_where_the_null_is_written if {
	null_from_tfvars := {"set": false, "known": true, "location": loc, "trace": []}
	findings := policy.deny with input as {"resources": [repo({"image_tag_mutability": null_from_tfvars})]}
	count(findings) == 1
	some f in findings
	f.location == loc
	contains(f.message, "is not set")
	f.messageId == "not_set"
}

test_mutable_is_error_at_value if {
	fs := policy.deny with input as {"resources": [repo({"image_tag_mutability": known("MUTABLE")})]}
	count(fs) == 1
	some f in fs
	f.severity == "error"
	f.location == loc
	f.message == policy.messages.mutable
	f.messageId == "mutable"
}

test_mutable_with_exclusion_is_error if {
	r := with_mode_and_filters("MUTABLE_WITH_EXCLUSION", [filter("release-*")])
	found := policy.deny with input as {"resources": [r]}
	texts(found) == {policy.messages.mutable_with_exclusion}
	ids(found) == {"mutable_with_exclusion"}
}

test_invalid_value_in_case_only_says_so if {
	found := policy.deny with input as {"resources": [repo({"image_tag_mutability": known("immutable")})]}
	texts(found) == {
		`image_tag_mutability "immutable" is not a valid value: values are case-sensitive; did you mean IMMUTABLE?`,
	}
	ids(found) == {"invalid_value_case"}
}

test_invalid_value_with_a_heredoc_newline_is_escaped_and_not_blamed_on_case if {
	found := policy.deny with input as {"resources": [repo({"image_tag_mutability": known("IMMUTABLE\n")})]}
	texts(found) == {
		`image_tag_mutability "IMMUTABLE\n" is not a valid value: it has whitespace around it; did you mean IMMUTABLE?`,
	}
	ids(found) == {"invalid_value_space"}
}

test_invalid_value_typo_lists_the_valid_values if {
	found := policy.deny with input as {"resources": [repo({"image_tag_mutability": known("IMMUTABL")})]}
	texts(found) == {concat(" ", [
		`image_tag_mutability "IMMUTABL" is not a valid value; the valid values are`,
		"IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE and MUTABLE_WITH_EXCLUSION: use IMMUTABLE",
	])}
	ids(found) == {"invalid_value"}
}

test_invalid_value_quotes_are_escaped if {
	found := policy.deny with input as {"resources": [repo({"image_tag_mutability": known(`IM"MUTABLE`)})]}
	texts(found) == {concat(" ", [
		`image_tag_mutability "IM\"MUTABLE" is not a valid value; the valid values are`,
		"IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE and MUTABLE_WITH_EXCLUSION: use IMMUTABLE",
	])}
}

test_non_string_value_is_error if {
	found := policy.deny with input as {"resources": [repo({"image_tag_mutability": known(true)})]}
	texts(found) == {"image_tag_mutability must be a string, got true"}
	ids(found) == {"not_a_string"}
}

test_exclusion_of_latest_passes_by_default if {
	r := with_filters([filter("latest")])
	count(policy.deny) == 0 with input as {"resources": [r]}
}

test_exclusion_outside_allow_list_names_filter if {
	dev := block_at(9, {"filter": "dev-*", "filter_type": "WILDCARD"})
	fs := policy.deny with input as {"resources": [with_filters([filter("latest"), dev])]}
	count(fs) == 1
	some f in fs
	f.location.line == 9
	f.message == `exclusion filter "dev-*" leaves the tags it matches mutable; allowed mutable tags: "latest"`
	f.messageId == "filter_not_allowed"
}

test_empty_allow_list_says_no_tag_may_be_mutable if {
	r := with_filters([filter("latest")])
	msgs := {f.message | some f in policy.deny} with input as {"resources": [r], "config": {"allowed_mutable_tags": []}}
	msgs == {`exclusion filter "latest" leaves the tags it matches mutable; no tag is allowed to be mutable`}
}

test_allow_list_from_config if {
	r := with_filters([filter("dev-*")])
	count(policy.deny) == 0 with input as {"resources": [r], "config": {"allowed_mutable_tags": ["dev-*"]}}
}

# ECR's '*' matches dots too: an allowed "v*" covers a "v1.*" filter.
test_allow_list_wildcard_covers_dotted_filters if {
	r := with_filters([filter("v1.*")])
	count(policy.deny) == 0 with input as {"resources": [r], "config": {"allowed_mutable_tags": ["v*"]}}
}

# One glob semantics (lib.pattern_covers): only '*' is a wildcard in an allowed pattern.
# "dev-?" is not "dev-" and one character: the filter "dev-*" leaves "dev-10" mutable.
test_allow_list_question_mark_is_literal if {
	r := with_filters([filter("dev-*")])
	found := policy.deny with input as {"resources": [r], "config": {"allowed_mutable_tags": ["dev-?"]}}
	texts(found) == {`exclusion filter "dev-*" leaves the tags it matches mutable; allowed mutable tags: "dev-?"`}
}

test_allow_list_brackets_and_braces_are_literal if {
	r := with_filters([filter("a"), block_at(9, {"filter": "b*", "filter_type": "WILDCARD"})])
	found := policy.deny with input as {"resources": [r], "config": {"allowed_mutable_tags": ["[a]", "{a,b}*"]}}
	{f.location.line | some f in found} == {5, 9}
}

test_allow_list_backslash_does_not_escape_the_wildcard if {
	r := with_filters([filter("dev-*")])
	found := policy.deny with input as {"resources": [r], "config": {"allowed_mutable_tags": [`dev-\*`]}}
	count(found) == 1
}

test_exclusion_without_filters_is_error if {
	found := policy.deny with input as {"resources": [with_filters([])]}
	texts(found) == {policy.messages.no_filter}
	ids(found) == {"no_filter"}
}

# The issue's report: a filter with no filter_type read `exclusion filter "latest" ()
# leaves tags mutable; allowed mutable tags: latest`. It is one error that names the problem.
test_filter_type_missing_is_named_not_blamed_on_the_allow_list if {
	fs := policy.deny with input as {"resources": [with_filters([block_at(5, {"filter": "latest"})])]}
	count(fs) == 1
	some f in fs
	f.location.line == 5
	f.message == `exclusion filter "latest" has no filter_type; it is required and must be "WILDCARD"`
	f.messageId == "filter_type_missing"
}

test_filter_type_null_is_missing if {
	found := policy.deny with input as {"resources": [with_filters([typed("latest", null)])]}
	texts(found) == {
		`exclusion filter "latest" has no filter_type; it is required and must be "WILDCARD"`,
	}
	ids(found) == {"filter_type_missing"}
}

test_filter_type_in_lower_case_says_case_sensitive if {
	found := policy.deny with input as {"resources": [with_filters([typed("latest", "wildcard")])]}
	texts(found) == {
		concat(" ", [
			`exclusion filter "latest": filter_type "wildcard" is not a valid value:`,
			"values are case-sensitive; did you mean WILDCARD?",
		]),
	}
	ids(found) == {"filter_type_case"}
}

test_filter_type_other_value_names_the_only_valid_one if {
	found := policy.deny with input as {"resources": [with_filters([typed("latest", "PREFIX\n")])]}
	texts(found) == {
		`exclusion filter "latest": filter_type "PREFIX\n" is not a valid value; the only valid value is WILDCARD`,
	}
	ids(found) == {"filter_type_invalid"}
}

test_filter_type_number_is_invalid if {
	found := policy.deny with input as {"resources": [with_filters([typed("latest", 1)])]}
	texts(found) == {
		`exclusion filter "latest": filter_type 1 is not a valid value; the only valid value is WILDCARD`,
	}
	ids(found) == {"filter_type_invalid"}
}

test_empty_filter_is_error if {
	fs := policy.deny with input as {"resources": [with_filters([filter("")])]}
	count(fs) == 1
	some f in fs
	f.message == `exclusion filter "" is empty; ECR requires 1 to 128 characters`
	f.messageId == "filter_empty"
}

test_missing_filter_is_error if {
	found := policy.deny with input as {"resources": [with_filters([block_at(5, {"filter_type": "WILDCARD"})])]}
	texts(found) == {concat(" ", [
		"image_tag_mutability_exclusion_filter has no filter; it is required",
		"(1 to 128 letters, digits and . _ * -)",
	])}
	ids(found) == {"filter_missing"}
}

test_filter_that_is_a_list_is_error if {
	found := policy.deny with input as {"resources": [with_filters([typed(["latest"], "WILDCARD")])]}
	texts(found) == {
		`image_tag_mutability_exclusion_filter: filter must be a string, got ["latest"]`,
	}
	ids(found) == {"filter_not_a_string"}
}

# Terraform converts a number to the string the provider validates: 2024 is the tag "2024".
test_number_filter_is_its_string if {
	r := with_filters([typed(2024, "WILDCARD")])
	found := policy.deny with input as {"resources": [r]}
	texts(found) == {`exclusion filter "2024" leaves the tags it matches mutable; allowed mutable tags: "latest"`}
	ids(found) == {"filter_not_allowed"}
}

test_filter_of_128_characters_is_valid if {
	long := concat("", [c | some _ in numbers.range(1, 128); c := "a"])
	r := with_filters([filter(long)])
	count(policy.deny) == 0 with input as {"resources": [r], "config": {"allowed_mutable_tags": ["*"]}}
}

test_filter_of_129_characters_is_error if {
	long := concat("", [c | some _ in numbers.range(1, 129); c := "a"])
	r := with_filters([filter(long)])
	msgs := {f.message | some f in policy.deny} with input as {"resources": [r], "config": {"allowed_mutable_tags": ["*"]}}
	msgs == {sprintf("exclusion filter %s is 129 characters long; ECR accepts at most 128", [json.marshal(long)])}
}

test_filter_with_characters_ecr_rejects_is_error if {
	found := policy.deny with input as {"resources": [with_filters([filter("latest\n")])]}
	texts(found) == {
		`exclusion filter "latest\n" has characters ECR does not accept; use only letters, digits and . _ * -`,
	}
	ids(found) == {"filter_characters"}
}

test_filter_with_a_space_and_three_wildcards_has_two_errors if {
	found := policy.deny with input as {"resources": [with_filters([filter("a *b*c*")])]}
	texts(found) == {
		`exclusion filter "a *b*c*" has characters ECR does not accept; use only letters, digits and . _ * -`,
		`exclusion filter "a *b*c*" has 3 wildcards (*); the provider accepts at most 2`,
	}
	ids(found) == {"filter_characters", "filter_wildcards"}
}

test_filter_with_two_wildcards_is_valid if {
	r := with_filters([filter("*-dev-*")])
	count(policy.deny) == 0 with input as {"resources": [r], "config": {"allowed_mutable_tags": ["*"]}}
}

test_five_filters_are_accepted if {
	fs := [block_at(n, {"filter": sprintf("t%d", [n]), "filter_type": "WILDCARD"}) | some n in numbers.range(1, 5)]
	r := with_filters(fs)
	count(policy.deny) == 0 with input as {"resources": [r], "config": {"allowed_mutable_tags": ["t*"]}}
}

test_six_filters_is_one_error_at_the_sixth if {
	fs := [block_at(n, {"filter": sprintf("t%d", [n]), "filter_type": "WILDCARD"}) | some n in numbers.range(1, 6)]
	r := with_filters(fs)
	found := policy.deny with input as {"resources": [r], "config": {"allowed_mutable_tags": ["t*"]}}
	count(found) == 1
	some f in found
	f.location.line == 6
	f.message == concat(" ", [
		"6 image_tag_mutability_exclusion_filter blocks, but the provider accepts",
		"at most 5 (ECR: 1 to 5 filters): this is the first one too many",
	])
	f.messageId == "too_many_filters"
}

# repository.go, validateImageTagMutabilityExclusionFilterUsage (CustomizeDiff): filters
# with IMMUTABLE fail terraform plan.
test_filters_under_immutable_fail_the_plan if {
	dev := block_at(9, {"filter": "dev-*", "filter_type": "WILDCARD"})
	r := with_mode_and_filters("IMMUTABLE", [filter("latest"), dev])
	found := policy.deny with input as {"resources": [r]}
	count(found) == 2
	{[f.location.line, f.message] | some f in found} == {
		[5, concat(" ", [
			`exclusion filter "latest" is only accepted with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION,`,
			"but image_tag_mutability is IMMUTABLE, so terraform plan fails: remove the filter",
		])],
		[9, concat(" ", [
			`exclusion filter "dev-*" is only accepted with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION,`,
			"but image_tag_mutability is IMMUTABLE, so terraform plan fails: remove the filter",
		])],
	}
	ids(found) == {"filter_without_exclusion"}
}

# The provider reads an unset image_tag_mutability as its default MUTABLE, which takes no filters either.
test_filters_without_a_value_fail_the_plan_too if {
	r := repo({"image_tag_mutability_exclusion_filter": {"set": true, "known": true, "value": [filter("latest")]}})
	found := policy.deny with input as {"resources": [r]}
	texts(found) == {
		policy.messages.not_set,
		concat(" ", [
			`exclusion filter "latest" is only accepted with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION,`,
			"but image_tag_mutability is not set (the provider default is MUTABLE), so terraform plan fails: remove the filter",
		]),
	}
	ids(found) == {"not_set", "filter_without_exclusion"}
}

test_filters_under_mutable_fail_the_plan if {
	r := with_mode_and_filters("MUTABLE", [filter("latest")])
	found := policy.deny with input as {"resources": [r]}
	texts(found) == {
		policy.messages.mutable,
		concat(" ", [
			`exclusion filter "latest" is only accepted with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION,`,
			"but image_tag_mutability is MUTABLE, so terraform plan fails: remove the filter",
		]),
	}
	ids(found) == {"mutable", "filter_without_exclusion"}
}

# An invalid value fails validation before the plan: it is reported alone.
test_filters_under_an_invalid_value_are_not_blamed_on_the_mode if {
	r := with_mode_and_filters("Immutable", [filter("latest")])
	found := policy.deny with input as {"resources": [r]}
	texts(found) == {concat(" ", [
		`image_tag_mutability "Immutable" is not a valid value:`,
		"values are case-sensitive; did you mean IMMUTABLE?",
	])}
	ids(found) == {"invalid_value_case"}
}

test_filter_problems_are_reported_under_mutable_with_exclusion if {
	r := with_mode_and_filters("MUTABLE_WITH_EXCLUSION", [typed("release-*", "Wildcard")])
	found := policy.deny with input as {"resources": [r]}
	texts(found) == {
		policy.messages.mutable_with_exclusion,
		concat(" ", [
			`exclusion filter "release-*": filter_type "Wildcard" is not a valid value:`,
			"values are case-sensitive; did you mean WILDCARD?",
		]),
	}
	ids(found) == {"mutable_with_exclusion", "filter_type_case"}
}

test_unknown_filter_is_warning_not_error if {
	r := with_filters([{"known": false, "reason": "a data source", "location": loc}])
	found := policy.deny with input as {"resources": [r]}
	count(found) == 1
	some f in found
	f.severity == "warning"
	f.message == concat(" ", [
		"image_tag_mutability_exclusion_filter cannot be known before apply (a data source);",
		"tag immutability is not proven",
	])
	f.messageId == "unknown"
}

test_unknown_filter_follows_unknown_mode if {
	r := with_filters([{"known": false, "reason": "a data source", "location": loc}])
	count(policy.deny) == 0 with input as {"resources": [r], "config": {"unknown": "ignore"}}
	some f in policy.deny with input as {"resources": [r], "config": {"unknown": "error"}}
	f.severity == "error"
}

test_unknown_is_warning_by_default if {
	r := repo({"image_tag_mutability": {"set": true, "known": false, "reason": "data source"}})
	fs := policy.deny with input as {"resources": [r]}
	count(fs) == 1
	some f in fs
	f.severity == "warning"
	f.message == "image_tag_mutability cannot be known before apply (data source); tag immutability is not proven"
	f.messageId == "unknown"
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

test_creation_template_filters_are_validated if {
	r := object.union(with_filters([block_at(5, {"filter": "latest"})]), {"type": "aws_ecr_repository_creation_template"})
	found := policy.deny with input as {"resources": [r]}
	texts(found) == {`exclusion filter "latest" has no filter_type; it is required and must be "WILDCARD"`}
}

test_rule_metadata_comes_from_annotations if {
	policy.rule.id == "ecr-tag-immutability"
	policy.rule.severity == "error"
	startswith(policy.rule.title, "ECR image tags")
}

test_verdict_table_names_the_filter_verdicts if {
	values := {v.value | some v in policy.rule.verdicts}
	"filters under IMMUTABLE, MUTABLE or not set" in values
	"invalid filter (any value)" in values
}

# Every finding's messageId is a key of messages, and every message is used by a case above.
test_every_message_id_names_a_message if {
	r := with_mode_and_filters("IMMUTABLE_WITH_EXCLUSION", [filter("dev-*"), typed("", 1)])
	found := policy.deny with input as {"resources": [r, repo({})]}
	every f in found {
		policy.messages[f.messageId]
	}
	ids(found) == {"filter_not_allowed", "filter_empty", "filter_type_invalid", "not_set"}
}
