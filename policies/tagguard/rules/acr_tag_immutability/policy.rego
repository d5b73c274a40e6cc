# METADATA
# title: Alibaba Cloud Container Registry tags must be immutable
# description: >-
#   A mutable tag can be moved to a new image digest. Containers that are already
#   running keep the old digest, so one tag now names two different builds: a rollback
#   or a scale-out pulls something nobody tested, and a deployment can no longer be
#   reproduced from its tag. In an Enterprise Edition repository of Alibaba Cloud
#   Container Registry (ACR), tag_immutability = true makes ACR refuse a push to an
#   existing tag; not set, the repository's tags are mutable. ACR always leaves latest
#   mutable, even in an immutable repository: it cannot make latest immutable, so a
#   deployment must not pull latest. When the allow-list (allowed_mutable_tags) does not
#   let latest through, a compliant repository gets a warning saying so. Personal
#   Edition repositories (alicloud_cr_repo, deprecated by the provider) cannot make any
#   tag immutable: each gets a note.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/acr/user-guide/turn-on-immutable-image-version
#     description: Configure a repository to be immutable (ACR; every tag except latest)
#   - ref: https://registry.terraform.io/providers/aliyun/alicloud/latest/docs/resources/cr_ee_repo
#     description: alicloud_cr_ee_repo (Terraform Alibaba Cloud provider)
#   - ref: https://registry.terraform.io/providers/aliyun/alicloud/latest/docs/resources/cr_repo
#     description: alicloud_cr_repo (Personal Edition, deprecated since provider v1.276.0)
# custom:
#   id: acr-tag-immutability
#   # No check of checkov, trivy-checks or KICS judges alicloud_cr_ee_repo.tag_immutability
#   # (searched 2026-12-01). Alibaba's InfraGuard has rule:aliyun:cr-repository-immutablity-enable,
#   # for ROS templates (ALIYUN::CR::Repository), not for Terraform.
#   aliases: []
#   severity: error
#   # From github.com/aliyun/terraform-provider-alicloud at 81c43b6727a09e9da37b3d88818c3ba5fa17fa14:
#   # alicloud/resource_alicloud_cr_ee_repo.go (tag_immutability: TypeBool, Optional, Computed;
#   # sent to CreateRepository only when written; since provider v1.283.0) and
#   # alicloud/resource_alicloud_cr_repo.go (no immutability argument).
#   resource_types: [alicloud_cr_ee_repo, alicloud_cr_repo]
#   # Neither schema has a nested block (alicloud_cr_repo's domain_list is a computed map).
#   nested_blocks:
#     alicloud_cr_ee_repo: []
#     alicloud_cr_repo: []
#   # SARIF reportingDescriptor properties.tags.
#   tags: [security, containers, terraform, iac]
#   recommended_action: >-
#     Set tag_immutability = true on every alicloud_cr_ee_repo (provider v1.283.0 or
#     later). ACR leaves latest mutable regardless: publish one tag per build and deploy by
#     that tag, never by latest. Move Personal Edition repositories (alicloud_cr_repo) to an
#     Enterprise Edition instance.
#   # The argument the verdicts table judges (explain: "Verdicts (tag_immutability)").
#   verdicts_of: tag_immutability
#   verdicts:
#     - value: "true"
#       verdict: pass
#     - value: true, with allowed_mutable_tags not covering latest
#       verdict: warning (ACR cannot make latest immutable), reported where the value is written
#     - value: not set
#       verdict: error (ACR's default is mutable), reported at the resource block
#     - value: "false"
#       verdict: error, reported where the value is written
#     - value: unknown before apply
#       verdict: warning with the reason (--unknown error|warn|ignore)
#     - value: alicloud_cr_repo (Personal Edition)
#       verdict: note at the resource block (it has no immutability setting)
#   fix_hcl: |-
#     resource "alicloud_cr_ee_repo" "images" {
#       instance_id      = alicloud_cr_ee_instance.registry.id
#       namespace        = "platform"
#       name             = "images"
#       summary          = "application images"
#       repo_type        = "PRIVATE"
#       tag_immutability = true
#     }
#   # No prebuilt @cdktf provider exists for alicloud: the bindings come from cdktf get.
#   fix_cdktf: |-
#     import { CrEeRepo } from "./.gen/providers/alicloud/cr-ee-repo";
#
#     new CrEeRepo(this, "images", {
#       instanceId: registry.id,
#       namespace: "platform",
#       name: "images",
#       summary: "application images",
#       repoType: "PRIVATE",
#       tagImmutability: true,
#     });
package tagguard.rules.acr_tag_immutability

import data.tagguard.lib

# METADATA
# description: Rule metadata, read by tagguard explain and the report formats.
rule := lib.describe(rego.metadata.chain())

# Messages by id. Templates take their values through sprintf, each value quoted with lib.quote.
messages := {
	"not_set": concat(" ", [
		"tag_immutability is not set, so tags are mutable (ACR's default): a push can move any tag",
		"to a new image; set tag_immutability = true (ACR still leaves latest mutable)",
	]),
	"disabled": concat(" ", [
		"tag_immutability is %s: a push can move any tag to a new image;",
		"set it to true (ACR still leaves latest mutable)",
	]),
	"latest_always_mutable": concat(" ", [
		"ACR cannot make latest immutable: it stays mutable with tag_immutability = true,",
		"and the allow-list (allowed_mutable_tags) does not let it through;",
		"deploy by a tag per build, never by latest",
	]),
	"personal_edition": concat(" ", [
		"an ACR Personal Edition repository (alicloud_cr_repo) cannot make tags immutable:",
		"any tag can be moved to a new image; use an Enterprise Edition repository",
		"(alicloud_cr_ee_repo) with tag_immutability = true",
	]),
	"unknown": "%s cannot be known before apply (%s); tag immutability is not proven",
}

unknown_mode := object.get(input, ["config", "unknown"], "warn")

allowed_tags := object.get(input, ["config", "allowed_mutable_tags"], ["latest"])

# Whether the allow-list lets latest stay mutable (the one tag ACR never makes immutable).
latest_allowed if {
	some p in allowed_tags
	lib.pattern_covers(p, "latest")
}

not_set := {"set": false, "known": true}

immutability(r) := object.get(r, ["attributes", "tag_immutability"], not_set)

enterprise contains r if {
	some r in input.resources
	r.type == "alicloud_cr_ee_repo"
}

# Terraform converts the strings "true" and "false" to a bool argument.
immutable(a) if a.value in {true, "true"}

# A null written somewhere (a tfvars file, a default) is reported where it is written;
# an argument that is not written at all, at the resource block.
unset_at(r) := immutability(r) if immutability(r).location

else := r

deny contains lib.finding(rule, r, unset_at(r), "error", "not_set", messages.not_set) if {
	some r in enterprise
	not immutability(r).set
}

deny contains lib.finding(rule, r, a, "error", "disabled", msg) if {
	some r in enterprise
	a := immutability(r)
	a.set
	a.known
	not immutable(a)
	msg := sprintf(messages.disabled, [lib.quote(a.value)])
}

deny contains lib.finding(rule, r, a, "warning", "latest_always_mutable", messages.latest_always_mutable) if {
	some r in enterprise
	a := immutability(r)
	a.known
	immutable(a)
	not latest_allowed
}

deny contains lib.finding(rule, r, r, "note", "personal_edition", messages.personal_edition) if {
	some r in input.resources
	r.type == "alicloud_cr_repo"
}

# A value known only after apply.
deny contains lib.finding(rule, r, a, severity, "unknown", msg) if {
	severity := {"error": "error", "warn": "warning"}[unknown_mode]
	some r in enterprise
	a := immutability(r)
	not a.known
	msg := sprintf(messages.unknown, ["tag_immutability", object.get(a, "reason", "unknown value")])
}
