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
# custom:
#   id: ecr-tag-immutability
#   aliases: [CKV_AWS_51, AVD-AWS-0031, aws-ecr-enforce-immutable-repository]
#   severity: error
#   resource_types: [aws_ecr_repository, aws_ecr_repository_creation_template]
#   recommended_action: >-
#     Set image_tag_mutability = "IMMUTABLE". Where a moving tag such as latest is
#     required, use IMMUTABLE_WITH_EXCLUSION with one
#     image_tag_mutability_exclusion_filter per allowed tag.
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
#         pass when every exclusion filter is an allowed mutable tag (default: latest);
#         otherwise an error naming each filter that leaves tags mutable; no filter is an error
#     - value: any other string (immutable, Immutable, typos)
#       verdict: error, invalid value (the API is case-sensitive)
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

resource_types := {"aws_ecr_repository", "aws_ecr_repository_creation_template"}

# METADATA
# description: Rule metadata, read by tagguard explain and the report formats.
rule := lib.describe(rego.metadata.chain())

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
}

checked contains r if {
	some r in input.resources
	r.type in resource_types
}

unknown_mode := object.get(input, ["config", "unknown"], "warn")

allowed_tags := object.get(input, ["config", "allowed_mutable_tags"], ["latest"])

mutability(r) := object.get(r, ["attributes", "image_tag_mutability"], {"set": false, "known": true})

filters(r) := object.get(
	r, ["attributes", "image_tag_mutability_exclusion_filter"],
	{"set": false, "known": true, "value": []},
)

# A null written somewhere (a tfvars file, a default) is reported where it is written;
# an attribute that is not written at all, at the resource block.
unset_at(r) := mutability(r) if mutability(r).location

else := r

deny contains lib.finding(rule, r, unset_at(r), "error", messages.not_set) if {
	some r in checked
	not mutability(r).set
}

deny contains lib.finding(rule, r, mutability(r), "error", messages.mutable) if {
	some r in checked
	mutability(r).known
	mutability(r).value == "MUTABLE"
}

deny contains lib.finding(rule, r, mutability(r), "error", messages.mutable_with_exclusion) if {
	some r in checked
	mutability(r).known
	mutability(r).value == "MUTABLE_WITH_EXCLUSION"
}

deny contains lib.finding(rule, r, m, "error", msg) if {
	some r in checked
	m := mutability(r)
	m.known
	is_string(m.value)
	not m.value in valid_values
	msg := sprintf(
		"image_tag_mutability \"%s\" is not a valid value (the API is case-sensitive); use %s",
		[m.value, "IMMUTABLE or IMMUTABLE_WITH_EXCLUSION"],
	)
}

deny contains lib.finding(rule, r, m, "error", msg) if {
	some r in checked
	m := mutability(r)
	m.known
	m.set
	not is_string(m.value)
	msg := sprintf("image_tag_mutability must be a string, got %s", [json.marshal(m.value)])
}

deny contains lib.finding(rule, r, mutability(r), "error", messages.no_filter) if {
	some r in checked
	mutability(r).value == "IMMUTABLE_WITH_EXCLUSION"
	filters(r).known
	count(filters(r).value) == 0
}

deny contains lib.finding(rule, r, filter, "error", msg) if {
	some r in checked
	mutability(r).value == "IMMUTABLE_WITH_EXCLUSION"
	some filter in filters(r).value
	filter.known
	not allowed_filter(filter)
	msg := sprintf(
		"exclusion filter %s leaves tags mutable; allowed mutable tags: %s",
		[lib.filter_text(filter), concat(", ", allowed_tags)],
	)
}

# Values that static evaluation cannot know.
deny contains lib.finding(rule, r, part, severity, msg) if {
	severity := {"error": "error", "warn": "warning"}[unknown_mode]
	some r in checked
	some part in unknown_parts(r)
	msg := sprintf(
		"%s cannot be known before apply (%s); tag immutability is not proven",
		[part.name, object.get(part, "reason", "unknown value")],
	)
}

allowed_filter(f) if {
	f.filter_type == "WILDCARD"
	some pattern in allowed_tags
	lib.pattern_covers(pattern, f.filter)
}

unknown_parts(r) := ({object.union(m, {"name": "image_tag_mutability"}) |
	m := mutability(r)
	m.set
	not m.known
} | {object.union(f, {"name": "image_tag_mutability_exclusion_filter"}) |
	mutability(r).value == "IMMUTABLE_WITH_EXCLUSION"
	f := filters(r)
	not f.known
}) | {object.union(f, {"name": "image_tag_mutability_exclusion_filter"}) |
	mutability(r).value == "IMMUTABLE_WITH_EXCLUSION"
	some f in filters(r).value
	not f.known
}
