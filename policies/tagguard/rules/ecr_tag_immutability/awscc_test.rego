package tagguard.rules.ecr_tag_immutability_test

import data.tagguard.rules.ecr_tag_immutability as policy

# policy_test.rego: loc, known, ids, repo.

# The AWS Cloud Control provider: image_tag_mutability_exclusion_filters is a list attribute.
awscc_loc := {"file": "main.tf", "line": 4, "column": 3, "end_line": 7, "end_column": 4}

awscc_repo(type, attributes) := object.union(repo(attributes), {"address": sprintf("%s.app", [type]), "type": type})

awscc_filter(value) := {
	"image_tag_mutability_exclusion_filter_type": "WILDCARD",
	"image_tag_mutability_exclusion_filter_value": value,
}

awscc_with(mode, fs) := awscc_repo("awscc_ecr_repository", {
	"image_tag_mutability": known(mode),
	"image_tag_mutability_exclusion_filters": {"set": true, "known": true, "value": fs, "location": awscc_loc},
})

test_awscc_immutable_passes if {
	every type in {"awscc_ecr_repository", "awscc_ecr_repository_creation_template"} {
		r := awscc_repo(type, {"image_tag_mutability": known("IMMUTABLE")})
		count(policy.deny) == 0 with input as {"resources": [r]}
	}
}

test_awscc_not_set_is_error_at_block if {
	every type in {"awscc_ecr_repository", "awscc_ecr_repository_creation_template"} {
		fs := policy.deny with input as {"resources": [awscc_repo(type, {})]}
		ids(fs) == {"not_set"}
		every f in fs {
			f.location.line == 1
		}
	}
}

test_awscc_mutable_is_error_at_value if {
	r := awscc_repo("awscc_ecr_repository", {"image_tag_mutability": known("MUTABLE")})
	fs := policy.deny with input as {"resources": [r]}
	ids(fs) == {"mutable"}
	every f in fs {
		f.location == loc
	}
}

test_awscc_allowed_filter_passes if {
	r := awscc_with("IMMUTABLE_WITH_EXCLUSION", [awscc_filter("latest")])
	count(policy.deny) == 0 with input as {"resources": [r]}
}

test_awscc_disallowed_filter_is_error_at_the_attribute if {
	r := awscc_with("IMMUTABLE_WITH_EXCLUSION", [awscc_filter("latest"), awscc_filter("dev-*")])
	fs := policy.deny with input as {"resources": [r]}
	ids(fs) == {"filter_not_allowed"}
	every f in fs {
		f.location == awscc_loc
		contains(f.message, `"dev-*"`)
	}
}

test_awscc_no_filter_is_error if {
	r := awscc_with("IMMUTABLE_WITH_EXCLUSION", [])
	ids(policy.deny) == {"no_filter"} with input as {"resources": [r]}
}

test_awscc_filters_without_exclusion_is_error if {
	r := awscc_with("IMMUTABLE", [awscc_filter("latest")])
	ids(policy.deny) == {"filter_without_exclusion"} with input as {"resources": [r]}
}

test_awscc_invalid_filter_fields if {
	missing := awscc_with("IMMUTABLE_WITH_EXCLUSION", [{}])
	ids(policy.deny) == {"filter_type_missing", "filter_missing"} with input as {"resources": [missing]}
	lowercase := awscc_with("IMMUTABLE_WITH_EXCLUSION", [{
		"image_tag_mutability_exclusion_filter_type": "wildcard",
		"image_tag_mutability_exclusion_filter_value": "latest",
	}])
	ids(policy.deny) == {"filter_type_case"} with input as {"resources": [lowercase]}
}

test_awscc_too_many_filters if {
	r := awscc_with("IMMUTABLE_WITH_EXCLUSION", [awscc_filter(sprintf("latest%d", [i])) | some i in numbers.range(1, 6)])
	fs := policy.deny with input as {"resources": [r], "config": {"allowed_mutable_tags": ["latest*"]}}
	ids(fs) == {"too_many_filters"}
}

test_awscc_unknown_filters_is_warning_named_as_the_attribute if {
	r := awscc_repo("awscc_ecr_repository", {
		"image_tag_mutability": known("IMMUTABLE_WITH_EXCLUSION"),
		"image_tag_mutability_exclusion_filters": {"set": true, "known": false, "reason": "var.x", "location": awscc_loc},
	})
	fs := policy.deny with input as {"resources": [r]}
	ids(fs) == {"unknown"}
	every f in fs {
		f.severity == "warning"
		f.location == awscc_loc
		startswith(f.message, "image_tag_mutability_exclusion_filters ")
	}
}
