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
# description: Rule metadata, read by tagguard explain and the SARIF rule descriptors.
rule := lib.describe(rego.metadata.chain())

checked contains r if {
	some r in input.resources
	r.type in resource_types
}

unknown_mode := object.get(input, ["config", "unknown"], "warn")

allowed_tags := object.get(input, ["config", "allowed_mutable_tags"], ["latest"])

mutability(r) := object.get(r, ["attributes", "image_tag_mutability"], {"set": false, "known": true})

filters(r) := object.get(r, ["attributes", "image_tag_mutability_exclusion_filter"], {"set": false, "known": true, "value": []})

deny contains lib.finding(rule, r, r, "error", msg) if {
	some r in checked
	not mutability(r).set
	msg := "image_tag_mutability is not set; the provider default is MUTABLE, so any tag can be overwritten: set it to IMMUTABLE"
}

deny contains lib.finding(rule, r, mutability(r), "error", msg) if {
	some r in checked
	m := mutability(r)
	m.known
	m.value == "MUTABLE"
	msg := "image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE"
}

deny contains lib.finding(rule, r, mutability(r), "error", msg) if {
	some r in checked
	m := mutability(r)
	m.known
	m.value == "MUTABLE_WITH_EXCLUSION"
	msg := "image_tag_mutability is MUTABLE_WITH_EXCLUSION: every tag not listed in a filter can be overwritten; use IMMUTABLE"
}

deny contains lib.finding(rule, r, mutability(r), "error", msg) if {
	some r in checked
	m := mutability(r)
	m.known
	is_string(m.value)
	not m.value in valid_values
	msg := sprintf("image_tag_mutability \"%s\" is not a valid value (the API is case-sensitive); use one of IMMUTABLE, IMMUTABLE_WITH_EXCLUSION", [m.value])
}

deny contains lib.finding(rule, r, mutability(r), "error", msg) if {
	some r in checked
	m := mutability(r)
	m.known
	m.set
	not is_string(m.value)
	msg := sprintf("image_tag_mutability must be a string, got %s", [json.marshal(m.value)])
}

deny contains lib.finding(rule, r, mutability(r), "error", msg) if {
	some r in checked
	mutability(r).value == "IMMUTABLE_WITH_EXCLUSION"
	f := filters(r)
	f.known
	count(f.value) == 0
	msg := "IMMUTABLE_WITH_EXCLUSION needs at least one image_tag_mutability_exclusion_filter block (AWS requires 1 to 5)"
}

deny contains lib.finding(rule, r, filter, "error", msg) if {
	some r in checked
	mutability(r).value == "IMMUTABLE_WITH_EXCLUSION"
	some filter in filters(r).value
	filter.known
	not allowed_filter(filter)
	msg := sprintf("exclusion filter %s leaves tags mutable; allowed mutable tags: %s", [lib.filter_text(filter), concat(", ", allowed_tags)])
}

allowed_filter(f) if {
	f.filter_type == "WILDCARD"
	lib.pattern_covers(allowed_tags[_], f.filter)
}

# Values that static evaluation cannot know.
deny contains lib.finding(rule, r, obj, severity, msg) if {
	unknown_mode != "ignore"
	severity := {"error": "error", "warn": "warning"}[unknown_mode]
	some r in checked
	some obj in unknown_parts(r)
	msg := sprintf("%s cannot be known before apply (%s); tag immutability is not proven", [obj.name, object.get(obj, "reason", "unknown value")])
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
