# METADATA
# title: ECR image tags must be immutable
# description: >-
#   A mutable tag can be moved to a new image digest. Containers that are already
#   running keep the old digest, so one tag now names two different builds: a rollback
#   or a scale-out pulls something nobody tested, and a deployment can no longer be
#   reproduced from its tag. Setting image_tag_mutability to IMMUTABLE makes ECR reject
#   a push to an existing tag (ImageTagAlreadyExistsException); publish one tag per
#   build (semver or git SHA) and deploy by that tag.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
#     description: Amazon ECR image tag mutability
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecr_repository
#     description: aws_ecr_repository (Terraform AWS provider)
#   - ref: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html
#     description: ImageTagMutabilityExclusionFilter (ECR API reference)
#   - ref: https://registry.terraform.io/providers/hashicorp/awscc/latest/docs/resources/ecr_repository
#     description: awscc_ecr_repository (Terraform AWS Cloud Control provider)
# custom:
#   id: ecr-tag-immutability
#   aliases: [CKV_AWS_51, AVD-AWS-0031, aws-ecr-enforce-immutable-repository]
#   severity: error
#   resource_types:
#     - aws_ecr_repository
#     - aws_ecr_repository_creation_template
#     - awscc_ecr_repository
#     - awscc_ecr_repository_creation_template
#   # Every nested block type of these resources in the AWS provider's schema: Terraform
#   # JSON and plans write a block as an object or a list of objects, so only this table
#   # tells it from an attribute there.
#   nested_blocks:
#     aws_ecr_repository:
#       - encryption_configuration
#       - image_scanning_configuration
#       - image_tag_mutability_exclusion_filter
#       - timeouts
#     aws_ecr_repository_creation_template:
#       - encryption_configuration
#       - image_tag_mutability_exclusion_filter
#     # The AWS Cloud Control provider (awscc) has no nested blocks: its nested objects,
#     # image_tag_mutability_exclusion_filters included, are attributes.
#     awscc_ecr_repository: []
#     awscc_ecr_repository_creation_template: []
#   # SARIF reportingDescriptor properties.tags.
#   tags: [security, containers, terraform, iac]
#   recommended_action: >-
#     Set image_tag_mutability = "IMMUTABLE". Where a moving tag such as latest is
#     required, use IMMUTABLE_WITH_EXCLUSION with one
#     image_tag_mutability_exclusion_filter per allowed tag.
#   # The argument the verdicts table judges (explain: "Verdicts (image_tag_mutability)").
#   verdicts_of: image_tag_mutability
#   verdicts:
#     - value: IMMUTABLE
#       verdict: pass
#     - value: not set
#       verdict: error (the provider default is MUTABLE), reported at the resource block
#     - value: MUTABLE
#       verdict: error, reported where the value is written
#     - value: MUTABLE_WITH_EXCLUSION
#       verdict: error (every tag that no filter lists is mutable)
#     - value: IMMUTABLE_WITH_EXCLUSION
#       verdict: >-
#         pass when every exclusion filter is covered by an allowed mutable tag pattern
#         (default: latest; '*' matches any characters, a filter's '*' included, and every
#         other character is literal); otherwise an error naming each filter that leaves
#         tags mutable; no filter is an error
#     - value: any other string (immutable, Immutable, typos)
#       verdict: >-
#         error, invalid value (the API is case-sensitive): the value is printed escaped,
#         with "did you mean" when only case or surrounding whitespace differ
#     - value: filters under IMMUTABLE, MUTABLE or not set
#       verdict: >-
#         error at each filter: the provider accepts exclusion filters only with a
#         *_WITH_EXCLUSION value (terraform plan fails)
#     - value: invalid filter (any value)
#       verdict: >-
#         error at the filter: filter_type missing or not WILDCARD; filter missing, empty,
#         longer than 128 characters, with characters other than letters, digits and . _ * -,
#         or with more than 2 wildcards; more than 5 filters
#     - value: unknown before apply
#       verdict: warning with the reason (--unknown error|warn|ignore)
#   fix_hcl: |-
#     resource "aws_ecr_repository" "api" {
#       name                 = "api"
#       image_tag_mutability = "IMMUTABLE"
#     }
#
#     # only where a moving tag is really needed:
#     resource "aws_ecr_repository" "web" {
#       name                 = "web"
#       image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"
#
#       image_tag_mutability_exclusion_filter {
#         filter      = "latest"
#         filter_type = "WILDCARD"
#       }
#     }
#   fix_cdktf: |-
#     import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
#
#     new EcrRepository(this, "api", {
#       name: "api",
#       imageTagMutability: "IMMUTABLE",
#     });
package tagguard.rules.ecr_tag_immutability

import data.tagguard.lib

valid_values := {"IMMUTABLE", "MUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"}

exclusion_modes := {"IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"}

resource_types := {
	"aws_ecr_repository", "aws_ecr_repository_creation_template",
	"awscc_ecr_repository", "awscc_ecr_repository_creation_template",
}

# The limits of image_tag_mutability_exclusion_filter, as the provider and ECR enforce them.
# terraform-provider-aws internal/service/ecr/repository.go (resourceRepository):
#   the block is a TypeList with MaxItems 5; filter is Required, validated by
#   StringLenBetween(1, 128), StringMatch(^[a-zA-Z0-9._*-]+$) and
#   validateImageTagMutabilityExclusionFilter (at most 2 '*'); filter_type is Required,
#   enum.Validate[types.ImageTagMutabilityExclusionFilterType] (WILDCARD only);
#   CustomizeDiff validateImageTagMutabilityExclusionFilterUsage fails the plan when
#   filters are given and image_tag_mutability (default MUTABLE) is neither
#   IMMUTABLE_WITH_EXCLUSION nor MUTABLE_WITH_EXCLUSION.
# ECR API reference: ImageTagMutabilityExclusionFilter (filterType WILDCARD; filter
#   1 to 128 characters, ^[0-9a-zA-Z._*-]{1,128}$); PutImageTagMutability,
#   CreateRepository, Create/UpdateRepositoryCreationTemplate: 1 to 5 filters.
max_filters := 5

max_filter_length := 128

max_wildcards := 2

filter_pattern := `^[a-zA-Z0-9._*-]+$`

valid_filter_types := {"WILDCARD"}

# METADATA
# description: Rule metadata, read by tagguard explain and the report formats.
rule := lib.describe(rego.metadata.chain())

# Messages by id. Templates take their values through sprintf, each value quoted with lib.quote.
messages := {
	"not_set": concat(" ", [
		"image_tag_mutability is not set; the provider default is MUTABLE,",
		"so any tag can be overwritten: set it to IMMUTABLE",
	]),
	"mutable": "image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE",
	"mutable_with_exclusion": concat(" ", [
		"image_tag_mutability is MUTABLE_WITH_EXCLUSION:",
		"every tag not listed in a filter can be overwritten; use IMMUTABLE",
	]),
	"no_filter": concat(" ", [
		"IMMUTABLE_WITH_EXCLUSION needs at least one",
		"image_tag_mutability_exclusion_filter block (AWS requires 1 to 5)",
	]),
	"invalid_value": concat(" ", [
		"image_tag_mutability %s is not a valid value; the valid values are",
		"IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE and MUTABLE_WITH_EXCLUSION: use IMMUTABLE",
	]),
	"invalid_value_case": "image_tag_mutability %s is not a valid value: values are case-sensitive; did you mean %s?",
	"invalid_value_space": concat(" ", [
		"image_tag_mutability %s is not a valid value:",
		"it has whitespace around it; did you mean %s?",
	]),
	"not_a_string": "image_tag_mutability must be a string, got %s",
	"filter_not_allowed": "%s leaves the tags it matches mutable; %s",
	"filter_without_exclusion": concat(" ", [
		"%s is only accepted with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION,",
		"but image_tag_mutability is %s, so terraform plan fails: remove the filter",
	]),
	"too_many_filters": concat(" ", [
		"%d image_tag_mutability_exclusion_filter blocks, but the provider accepts",
		"at most 5 (ECR: 1 to 5 filters): this is the first one too many",
	]),
	"filter_type_missing": "%s has no filter_type; it is required and must be \"WILDCARD\"",
	"filter_type_case": "%s: filter_type %s is not a valid value: values are case-sensitive; did you mean WILDCARD?",
	"filter_type_invalid": "%s: filter_type %s is not a valid value; the only valid value is WILDCARD",
	"filter_missing": concat(" ", [
		"image_tag_mutability_exclusion_filter has no filter; it is required",
		"(1 to 128 letters, digits and . _ * -)",
	]),
	"filter_empty": "exclusion filter \"\" is empty; ECR requires 1 to 128 characters",
	"filter_too_long": "%s is %d characters long; ECR accepts at most 128",
	"filter_characters": "%s has characters ECR does not accept; use only letters, digits and . _ * -",
	"filter_wildcards": "%s has %d wildcards (*); the provider accepts at most 2",
	"filter_not_a_string": "image_tag_mutability_exclusion_filter: filter must be a string, got %s",
	"unknown": "%s cannot be known before apply (%s); tag immutability is not proven",
}

checked contains r if {
	some r in input.resources
	r.type in resource_types
}

unknown_mode := object.get(input, ["config", "unknown"], "warn")

allowed_tags := object.get(input, ["config", "allowed_mutable_tags"], ["latest"])

mutability(r) := object.get(r, ["attributes", "image_tag_mutability"], {"set": false, "known": true})

no_filters := {"set": false, "known": true, "value": []}

# The exclusion filters of a resource, in the aws provider's shape: {set, known, value} with
# one object (filter, filter_type, known, location, trace) per filter.
filters(r) := awscc_filters(r) if {
	r.type in awscc_types
} else := object.get(r, ["attributes", "image_tag_mutability_exclusion_filter"], no_filters)

# A null written somewhere (a tfvars file, a default) is reported where it is written;
# an attribute that is not written at all, at the resource block.
unset_at(r) := mutability(r) if mutability(r).location

else := r

# An error whose message takes no values, by its id.
fixed_message(r, at, id) := lib.finding(rule, r, at, "error", id, messages[id])

deny contains fixed_message(r, unset_at(r), "not_set") if {
	some r in checked
	not mutability(r).set
}

deny contains fixed_message(r, mutability(r), "mutable") if {
	some r in checked
	mutability(r).known
	mutability(r).value == "MUTABLE"
}

deny contains fixed_message(r, mutability(r), "mutable_with_exclusion") if {
	some r in checked
	mutability(r).known
	mutability(r).value == "MUTABLE_WITH_EXCLUSION"
}

# A value that differs from a valid one only in surrounding whitespace or in case names it.
deny contains lib.finding(rule, r, m, "error", id, msg) if {
	some [r, m] in invalid_mutability
	[id, meant] := correction(m.value)
	msg := sprintf(messages[id], [lib.quote(m.value), meant])
}

deny contains lib.finding(rule, r, m, "error", "invalid_value", msg) if {
	some [r, m] in invalid_mutability
	not correction(m.value)
	msg := sprintf(messages.invalid_value, [lib.quote(m.value)])
}

deny contains lib.finding(rule, r, m, "error", "not_a_string", msg) if {
	some r in checked
	m := mutability(r)
	m.known
	m.set
	not is_string(m.value)
	msg := sprintf(messages.not_a_string, [lib.quote(m.value)])
}

deny contains fixed_message(r, mutability(r), "no_filter") if {
	some r in checked
	mutability(r).value == "IMMUTABLE_WITH_EXCLUSION"
	filters(r).known
	count(filters(r).value) == 0
}

# Under IMMUTABLE_WITH_EXCLUSION, each filter the allow-list does not cover. A filter the
# provider rejects is reported for what is wrong with it (below), never as "mutable".
deny contains lib.finding(rule, b.resource, b.filter, "error", "filter_not_allowed", msg) if {
	some b in filter_block
	mutability(b.resource).value == "IMMUTABLE_WITH_EXCLUSION"
	b.filter.known
	not b in rejected_block
	not allowed_filter(b.filter)
	msg := sprintf(messages.filter_not_allowed, [filter_name(b.filter), allowed_tags_note])
}

# Filters with a value that is not *_WITH_EXCLUSION: the provider's CustomizeDiff
# (validateImageTagMutabilityExclusionFilterUsage) fails the plan. Every filter block
# counts, known or not: it exists either way.
deny contains lib.finding(rule, b.resource, b.filter, "error", "filter_without_exclusion", msg) if {
	some b in filter_block
	mode := mode_without_exclusion(mutability(b.resource))
	msg := sprintf(messages.filter_without_exclusion, [filter_name(b.filter), mode])
}

# MaxItems 5: reported at the first block past the limit.
deny contains lib.finding(rule, r, fs[max_filters], "error", "too_many_filters", msg) if {
	some r in checked
	fs := filters(r).value
	count(fs) > max_filters
	msg := sprintf(messages.too_many_filters, [count(fs)])
}

# What the provider's validation rejects in a filter, whatever image_tag_mutability is.
deny contains lib.finding(rule, b.resource, b.filter, "error", id, msg) if {
	some [b, id, msg] in rejected
}

# Values that static evaluation cannot know.
deny contains lib.finding(rule, r, part, severity, "unknown", msg) if {
	severity := {"error": "error", "warn": "warning"}[unknown_mode]
	some r in checked
	some part in unknown_parts(r)
	msg := sprintf(messages.unknown, [part.name, object.get(part, "reason", "unknown value")])
}

invalid_mutability contains [r, m] if {
	some r in checked
	m := mutability(r)
	m.known
	is_string(m.value)
	not m.value in valid_values
}

# Each filter block of each judged resource, known or not.
filter_block contains {"resource": r, "filter": f} if {
	some r in checked
	some f in filters(r).value
}

default allowed_tags_note := "no tag is allowed to be mutable"

allowed_tags_note := sprintf("allowed mutable tags: %s", [concat(", ", [lib.quote(t) | some t in allowed_tags])]) if {
	count(allowed_tags) > 0
}

rejected_block contains b if {
	some [b, _, _] in rejected
}

# What the provider's validation rejects in a known filter block, as [block, message id, message]:
# filter_type (required, WILDCARD only) first, then filter (required, 1 to 128 characters
# of letters, digits and . _ * -, at most 2 wildcards).
rejected contains reject(b, "filter_type_missing", [filter_name(b.filter)]) if {
	some b in known_filter_block
	object.get(b.filter, "filter_type", null) == null
}

rejected contains reject(b, "filter_type_case", [filter_name(b.filter), lib.quote(t)]) if {
	some b in known_filter_block
	t := b.filter.filter_type
	not t in valid_filter_types
	case_variant(t, valid_filter_types)
}

rejected contains reject(b, "filter_type_invalid", [filter_name(b.filter), lib.quote(t)]) if {
	some b in known_filter_block
	t := b.filter.filter_type
	t != null
	not t in valid_filter_types
	not case_variant(t, valid_filter_types)
}

rejected contains reject(b, "filter_missing", []) if {
	some b in known_filter_block
	object.get(b.filter, "filter", null) == null
}

rejected contains reject(b, "filter_not_a_string", [lib.quote(b.filter.filter)]) if {
	some b in known_filter_block
	b.filter.filter != null
	not filter_text(b.filter)
}

rejected contains reject(b, "filter_empty", []) if {
	some b in known_filter_block
	filter_text(b.filter) == ""
}

rejected contains reject(b, "filter_too_long", [filter_name(b.filter), n]) if {
	some b in known_filter_block
	n := count(filter_text(b.filter))
	n > max_filter_length
}

rejected contains reject(b, "filter_characters", [filter_name(b.filter)]) if {
	some b in known_filter_block
	s := filter_text(b.filter)
	s != ""
	not regex.match(filter_pattern, s)
}

rejected contains reject(b, "filter_wildcards", [filter_name(b.filter), n]) if {
	some b in known_filter_block
	n := count(split(filter_text(b.filter), "*")) - 1
	n > max_wildcards
}

# A rejected filter block with the id of its message and the message itself.
reject(b, id, args) := [b, id, sprintf(messages[id], args)]

known_filter_block contains b if {
	some b in filter_block
	b.filter.known
}

# METADATA
# description: >-
#   The message id and the value meant, for an invalid image_tag_mutability that differs
#   from a valid one only in surrounding whitespace (a heredoc ends with a newline) or
#   only in case. Undefined for anything else.
correction(v) := ["invalid_value_space", trim_space(v)] if {
	trim_space(v) in valid_values
} else := ["invalid_value_case", upper(v)] if {
	case_variant(v, valid_values)
}

# A string that is one of values once upper-cased.
case_variant(s, values) if {
	is_string(s)
	upper(s) in values
}

# The value as the provider reads it when filters are not accepted; undefined otherwise.
mode_without_exclusion(m) := "not set (the provider default is MUTABLE)" if {
	not m.set
} else := m.value if {
	m.known
	m.value in valid_values
	not m.value in exclusion_modes
}

allowed_filter(f) if {
	some pattern in allowed_tags
	lib.pattern_covers(pattern, filter_text(f))
}

# METADATA
# description: >-
#   The filter value as Terraform passes it to the provider: a string, or a number or
#   bool converted to one (their JSON text is Terraform's string form). Undefined when
#   missing, null or a collection.
filter_text(f) := f.filter if {
	is_string(f.filter)
} else := json.marshal(f.filter) if {
	is_number_or_bool(f.filter)
}

is_number_or_bool(v) if is_number(v)

is_number_or_bool(v) if is_boolean(v)

# How a filter is named in a message.
filter_name(f) := sprintf("exclusion filter %s", [lib.quote(filter_text(f))]) if {
	filter_text(f)
} else := "image_tag_mutability_exclusion_filter"

unknown_parts(r) := ({object.union(m, {"name": "image_tag_mutability"}) |
	m := mutability(r)
	m.set
	not m.known
} | {object.union(f, {"name": filters_name(r)}) |
	mutability(r).value == "IMMUTABLE_WITH_EXCLUSION"
	f := filters(r)
	not f.known
}) | {object.union(f, {"name": filters_name(r)}) |
	mutability(r).value == "IMMUTABLE_WITH_EXCLUSION"
	some f in filters(r).value
	not f.known
}
