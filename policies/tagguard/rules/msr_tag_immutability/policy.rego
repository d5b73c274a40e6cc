# METADATA
# title: Mirantis Secure Registry tags must be made immutable in MSR itself
# description: >-
#   A mutable tag can be moved to a new image digest. Containers that are already
#   running keep the old digest, so one tag now names two different builds: a rollback
#   or a scale-out pulls something nobody tested, and a deployment can no longer be
#   reproduced from its tag. Mirantis Secure Registry (MSR) can make a repository's tags
#   immutable (the repository's settings, or immutableTags in its API), but the
#   Terraform provider's msr_repo has no argument for it, so nothing in the Terraform
#   code can prove it: each msr_repo gets a note. The provider also sends
#   immutableTags false when it creates a repository and in each update it makes, which
#   can switch immutability off again: check it in MSR after every apply that changes
#   the repository.
# related_resources:
#   - ref: https://registry.terraform.io/providers/Mirantis/msr/latest/docs/resources/repo
#     description: msr_repo (Terraform Mirantis Secure Registry provider)
#   - ref: https://docs.mirantis.com/msr/current/ops/manage-images/prevent-tags-from-being-overwritten.html
#     description: Prevent tags from being overwritten (MSR; latest included)
# custom:
#   id: msr-tag-immutability
#   aliases: []
#   severity: note
#   # From github.com/Mirantis/terraform-provider-msr at a08a25666eff1ac027a1dbb5ace83b2aaa1dac83
#   # (v0.9.7): internal/provider/repo_resource.go, the schema of msr_repo, has id, name,
#   # org_name, visibility and scan_on_push, and no immutability argument;
#   # internal/client/repo.go sends immutableTags (a bool without omitempty, never set from the
#   # schema, so false) in CreateRepo's POST and UpdateRepo's PATCH.
#   resource_types: [msr_repo]
#   # The schema has no nested block.
#   nested_blocks:
#     msr_repo: []
#   # SARIF reportingDescriptor properties.tags.
#   tags: [security, containers, terraform, iac]
#   recommended_action: >-
#     Turn on immutable tags for the repository in MSR (the repository's settings, or
#     immutableTags = true through the MSR API) and check it after every terraform apply
#     that changes the repository. Publish one tag per build and deploy by that tag.
#   verdicts:
#     - value: msr_repo
#       verdict: note at the resource block (the provider cannot set immutability)
package tagguard.rules.msr_tag_immutability

import data.tagguard.lib

# METADATA
# description: Rule metadata, read by tagguard explain and the report formats.
rule := lib.describe(rego.metadata.chain())

# Messages by id.
messages := {"set_in_msr": concat(" ", [
	"the msr provider cannot make tags immutable, and sends immutableTags false",
	"when it creates or updates the repository: switch immutable tags on in MSR itself",
	"(repository settings, or immutableTags in the API) and check it after each apply",
])}

deny contains lib.finding(rule, r, r, "note", "set_in_msr", messages.set_in_msr) if {
	some r in input.resources
	r.type == "msr_repo"
}
