# The AWS Cloud Control provider's ECR resources, judged by the rules of policy.rego.
package tagguard.rules.ecr_tag_immutability

# The AWS Cloud Control provider (awscc) generates its schema from CloudFormation's
# AWS::ECR::Repository and AWS::ECR::RepositoryCreationTemplate: ImageTagMutability (default
# MUTABLE) is image_tag_mutability, and ImageTagMutabilityExclusionFilters is the list
# attribute image_tag_mutability_exclusion_filters (not a nested block) of objects with
# image_tag_mutability_exclusion_filter_type (WILDCARD) and
# image_tag_mutability_exclusion_filter_value (^[0-9a-zA-Z._*-]{1,128}$). Its filters are
# judged as the aws provider's blocks, their fields read under the aws names below.
awscc_types := {"awscc_ecr_repository", "awscc_ecr_repository_creation_template"}

awscc_filters_attribute := "image_tag_mutability_exclusion_filters"

awscc_filter_fields := {
	"image_tag_mutability_exclusion_filter_type": "filter_type",
	"image_tag_mutability_exclusion_filter_value": "filter",
}

# awscc's list attribute: each element becomes a filter with the aws field names, at the
# attribute's location (a list element has no location of its own in the input).
awscc_filters(r) := object.union(a, {"value": [awscc_filter(a, e) | some e in a.value]}) if {
	a := r.attributes[awscc_filters_attribute]
	a.known
	is_array(a.value)
} else := object.union(a, {"value": []}) if {
	a := r.attributes[awscc_filters_attribute]
	not a.known
} else := no_filters

awscc_filter(a, e) := object.union_n([
	{name: e[field] | some field, name in awscc_filter_fields},
	object.filter(a, ["location", "trace"]),
	{"known": true},
])

# How the filters are named in a message about them as a whole.
filters_name(r) := awscc_filters_attribute if {
	r.type in awscc_types
} else := "image_tag_mutability_exclusion_filter"
