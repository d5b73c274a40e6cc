# METADATA
# title: Artifact Registry Docker tags must be immutable
# description: >-
#   A mutable tag can be moved to a new image digest. Containers that are already
#   running keep the old digest, so one tag now names two different builds: a rollback
#   or a scale-out pulls something nobody tested, and a deployment can no longer be
#   reproduced from its tag. In a standard Docker repository of Google Artifact Registry,
#   docker_config { immutable_tags = true } makes every tag immutable, latest included:
#   Artifact Registry has no exemption, so a moving latest tag cannot be pushed again
#   either. Publish one tag per build (semver or git SHA) and deploy by that tag. Other
#   formats and remote or virtual repositories take no pushes of Docker tags and are not
#   judged.
# related_resources:
#   - ref: https://cloud.google.com/artifact-registry/docs/docker/names#versions
#     description: Artifact Registry container image versions (immutable image tags)
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/artifact_registry_repository
#     description: google_artifact_registry_repository (Terraform Google provider)
# custom:
#   id: gar-tag-immutability
#   aliases: []
#   severity: error
#   resource_types: [google_artifact_registry_repository]
#   # Every nested block type of the resource in the Google provider's schema (google and
#   # google-beta use the same type name).
#   nested_blocks:
#     google_artifact_registry_repository:
#       - cleanup_policies
#       - docker_config
#       - maven_config
#       - remote_repository_config
#       - timeouts
#       - virtual_repository_config
#       - vulnerability_scanning_config
#   # SARIF reportingDescriptor properties.tags.
#   tags: [security, containers, terraform, iac]
#   recommended_action: >-
#     Add docker_config { immutable_tags = true } to every standard DOCKER repository.
#     It covers latest too: push a new tag per build instead of moving latest.
#   # The argument the verdicts table judges (explain: "Verdicts (docker_config.immutable_tags)").
#   verdicts_of: docker_config.immutable_tags
#   verdicts:
#     - value: "true"
#       verdict: pass
#     - value: docker_config not set
#       verdict: error (Docker tags are mutable by default), reported at the resource block
#     - value: docker_config without immutable_tags
#       verdict: error, reported at the docker_config block
#     - value: "false"
#       verdict: error, reported where the value is written (the literal, a variable default, tfvars, a module argument)
#     - value: format other than DOCKER (case-insensitive), or mode REMOTE_REPOSITORY or VIRTUAL_REPOSITORY
#       verdict: not judged (no pushes of Docker tags)
#     - value: format, mode, docker_config or immutable_tags unknown before apply
#       verdict: warning with the reason (--unknown error|warn|ignore)
#   fix_hcl: |-
#     resource "google_artifact_registry_repository" "images" {
#       location      = "europe-west1"
#       repository_id = "images"
#       format        = "DOCKER"
#
#       docker_config {
#         immutable_tags = true
#       }
#     }
#   fix_cdktf: |-
#     import { ArtifactRegistryRepository } from "@cdktf/provider-google/lib/artifact-registry-repository";
#
#     new ArtifactRegistryRepository(this, "images", {
#       location: "europe-west1",
#       repositoryId: "images",
#       format: "DOCKER",
#       dockerConfig: { immutableTags: true },
#     });
package tagguard.rules.gar_tag_immutability

import data.tagguard.lib

# METADATA
# description: Rule metadata, read by tagguard explain and the report formats.
rule := lib.describe(rego.metadata.chain())

# Messages by id. Templates take their values through sprintf, each value quoted with lib.quote.
messages := {
	"no_docker_config": concat(" ", [
		"a DOCKER repository without docker_config has mutable tags (the default):",
		"add docker_config { immutable_tags = true }; it covers latest too",
	]),
	"immutable_tags_not_set": concat(" ", [
		"docker_config has no immutable_tags, so tags are mutable (the default):",
		"set immutable_tags = true; it covers latest too",
	]),
	"immutable_tags_disabled": concat(" ", [
		"docker_config.immutable_tags is %s: a push can move any tag, latest included,",
		"to a new image; set it to true",
	]),
	"unknown": "%s cannot be known before apply (%s); tag immutability is not proven",
}

# The provider ignores the case of format (a case-insensitive diff); mode is a
# case-sensitive enum with the default STANDARD_REPOSITORY.
standard_modes := {"STANDARD_REPOSITORY"}

unknown_mode := object.get(input, ["config", "unknown"], "warn")

not_set := {"set": false, "known": true}

attribute(r, name) := object.get(r, ["attributes", name], not_set)

docker_config(r) := object.get(r, ["attributes", "docker_config"], {"set": false, "known": true, "value": []})

repositories contains r if {
	some r in input.resources
	r.type == "google_artifact_registry_repository"
}

# A known DOCKER repository in standard mode: the repositories that take pushes of Docker tags.
judged contains r if {
	some r in repositories
	docker(r)
	standard(r)
}

docker(r) if {
	f := attribute(r, "format")
	f.known
	is_string(f.value)
	upper(trim_space(f.value)) == "DOCKER"
}

standard(r) if {
	m := attribute(r, "mode")
	m.known
	not m.set
}

standard(r) if {
	m := attribute(r, "mode")
	m.known
	m.value == null
}

standard(r) if {
	attribute(r, "mode").value in standard_modes
}

# The known docker_config blocks of a judged repository.
known_blocks(r) := [b | some b in docker_config(r).value; b.known] if docker_config(r).known

immutable(b) if object.get(b, "immutable_tags", null) in {true, "true"}

# Where immutable_tags's value comes from (field_origins: the literal, a variable default,
# a tfvars file, a module argument), or the block when that is not known.
value_origin(b) := b.field_origins.immutable_tags if {
	b.field_origins.immutable_tags.location
} else := b

# An error whose message takes no values, by its id.
fixed_message(r, at, id) := lib.finding(rule, r, at, "error", id, messages[id])

deny contains fixed_message(r, r, "no_docker_config") if {
	some r in judged
	docker_config(r).known
	count(docker_config(r).value) == 0
}

deny contains fixed_message(r, b, "immutable_tags_not_set") if {
	some r in judged
	some b in known_blocks(r)
	object.get(b, "immutable_tags", null) == null
}

deny contains lib.finding(rule, r, value_origin(b), "error", "immutable_tags_disabled", msg) if {
	some r in judged
	some b in known_blocks(r)
	v := object.get(b, "immutable_tags", null)
	v != null
	not immutable(b)
	msg := sprintf(messages.immutable_tags_disabled, [lib.quote(v)])
}

# Values that static evaluation cannot know.
deny contains lib.finding(rule, r, part, severity, "unknown", msg) if {
	severity := {"error": "error", "warn": "warning"}[unknown_mode]
	some [r, part] in unknown_parts
	msg := sprintf(messages.unknown, [part.name, object.get(part, "reason", "unknown value")])
}

# format unknown: whether the repository holds Docker images is not known.
unknown_parts contains [r, object.union(f, {"name": "format"})] if {
	some r in repositories
	f := attribute(r, "format")
	not f.known
}

# mode unknown on a DOCKER repository.
unknown_parts contains [r, object.union(m, {"name": "mode"})] if {
	some r in repositories
	docker(r)
	m := attribute(r, "mode")
	not m.known
}

# docker_config made by a dynamic block whose for_each is unknown.
unknown_parts contains [r, object.union(d, {"name": "docker_config"})] if {
	some r in judged
	d := docker_config(r)
	not d.known
}

# A docker_config block with a value known only after apply.
unknown_parts contains [r, object.union(b, {"name": "docker_config.immutable_tags"})] if {
	some r in judged
	docker_config(r).known
	some b in docker_config(r).value
	not b.known
}
