# METADATA
# title: Deployed images must be pinned to something that cannot move
# description: >-
#   A workload that names its image by a tag pulls whatever the tag points at when a
#   container starts. When the tag can move (latest, no tag at all, a branch tag such as
#   main, or any tag of a repository whose tags are mutable), a rollback or a scale-out
#   pulls a build nobody tested and the deployment cannot be reproduced from its code.
#   An image reference is fixed when it carries a digest (name@sha256:…), or when its tag
#   is not a moving tag and the repository it names, found in the same configuration
#   (aws_ecr_repository, awscc_ecr_repository, google_artifact_registry_repository,
#   alicloud_cr_ee_repo), makes that tag immutable. The repository is found through the
#   reference that builds the name (aws_ecr_repository.x.repository_url, a
#   data.aws_ecr_repository read by name, an Artifact Registry repository's registry_uri)
#   or through the registry host and path of a literal name. A name whose registry is not
#   in the configuration cannot be proven: its tags can move (severity unseen_registry).
#   There is no automatic fix: --fix cannot know a digest offline. Two fixes work:
#   (1) pin the digest the CI that built the image printed (…@sha256:<64 hex>), or
#   (2) tag each build with its git SHA, push it to an immutable repository, and deploy
#   that tag.
# related_resources:
#   - ref: https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
#     description: OCI image spec, digests
#   - ref: https://github.com/distribution/reference/blob/main/reference.go
#     description: The grammar of an image reference (distribution/reference)
#   - ref: https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
#     description: Amazon ECR image tag mutability
#   - ref: https://cloud.google.com/artifact-registry/docs/docker/names#versions
#     description: Artifact Registry container image versions (immutable image tags)
#   - ref: https://www.alibabacloud.com/help/en/acr/user-guide/turn-on-immutable-image-version
#     description: ACR immutable image versions (every tag except latest)
# custom:
#   id: image-reference-immutable
#   # checkov CKV_K8S_14 (Image Tag should be fixed - not latest or blank) and CKV_K8S_43
#   # (Image should use digest); trivy KSV013 / AVD-KSV-0013 (Image tag ':latest' used).
#   # KICS has "Image Without Digest" and "Image Version Using 'latest'" (ids not listed:
#   # not verified here).
#   aliases: [CKV_K8S_14, CKV_K8S_43, KSV013, AVD-KSV-0013]
#   severity: error
#   resource_types:
#     - aws_ecs_task_definition
#     - aws_lambda_function
#     - aws_apprunner_service
#     - aws_batch_job_definition
#     - kubernetes_deployment
#     - kubernetes_deployment_v1
#     - kubernetes_stateful_set
#     - kubernetes_stateful_set_v1
#     - kubernetes_daemonset
#     - kubernetes_daemon_set_v1
#     - kubernetes_job
#     - kubernetes_job_v1
#     - kubernetes_cron_job
#     - kubernetes_cron_job_v1
#     - kubernetes_pod
#     - kubernetes_pod_v1
#     - kubernetes_manifest
#     - google_cloud_run_v2_service
#     - google_cloud_run_v2_job
#   # Where each type writes image references (/work/spec/image-input.md): steps separated
#   # by '.', a list on the way iterated, a JSON string decoded, '**' any depth. The
#   # hashicorp/kubernetes provider spells the daemon set kubernetes_daemonset and
#   # kubernetes_daemon_set_v1.
#   images:
#     aws_ecs_task_definition: [container_definitions.image]
#     aws_lambda_function: [image_uri]
#     aws_apprunner_service: [source_configuration.image_repository.image_identifier]
#     aws_batch_job_definition:
#       - container_properties.image
#       - ecs_properties.taskProperties.containers.image
#     kubernetes_deployment: &pod_template
#       - spec.template.spec.container.image
#       - spec.template.spec.init_container.image
#     kubernetes_deployment_v1: *pod_template
#     kubernetes_stateful_set: *pod_template
#     kubernetes_stateful_set_v1: *pod_template
#     kubernetes_daemonset: *pod_template
#     kubernetes_daemon_set_v1: *pod_template
#     kubernetes_job: *pod_template
#     kubernetes_job_v1: *pod_template
#     kubernetes_cron_job: &job_template
#       - spec.job_template.spec.template.spec.container.image
#       - spec.job_template.spec.template.spec.init_container.image
#     kubernetes_cron_job_v1: *job_template
#     kubernetes_pod: &pod
#       - spec.container.image
#       - spec.init_container.image
#     kubernetes_pod_v1: *pod
#     kubernetes_manifest:
#       - manifest.**.containers.image
#       - manifest.**.initContainers.image
#     google_cloud_run_v2_service: [template.containers.image]
#     google_cloud_run_v2_job: [template.template.containers.image]
#   # Data sources read to find the repository a name points at (input.data_sources).
#   data_sources: [aws_ecr_repository]
#   # SARIF reportingDescriptor properties.tags.
#   tags: [security, containers, supply-chain, terraform, iac]
#   recommended_action: >-
#     Deploy an image that cannot move. tagguard --fix leaves this to a person: a digest is
#     known only to the registry and to the CI that pushed the image. Fix 1: pin the digest
#     the CI that built the image printed (registry/repository@sha256:<64 hex>, or
#     tag@sha256:… to keep the tag readable). Fix 2: tag each build with its git SHA, push it
#     to a repository whose tags are immutable (ECR image_tag_mutability = "IMMUTABLE",
#     Artifact Registry docker_config { immutable_tags = true }, ACR EE tag_immutability =
#     true) and deploy that tag. Never deploy latest, no tag, or a branch tag.
#   # --fix makes no edit: a digest is known only to the registry and the CI that pushed the image.
#   fix: manual
#   fix_reason: >-
#     the digest of the image is known only to the registry and to the CI that pushed it:
#     pin the digest the build printed, or deploy a tag per build (git SHA) from an
#     immutable repository
#   verdicts_of: each image reference of a judged resource (its digest, tag and repository)
#   verdicts:
#     - value: a digest (name@sha256:<64 lowercase hex>, or any valid algorithm:hex)
#       verdict: pass (a digest cannot move; a digest unknown before apply passes too)
#     - value: a known digest that is not valid
#       verdict: error (invalid_digest) at the digest
#     - value: no tag (latest is pulled), latest, or a tag in moving_tags
#       verdict: >-
#         error (no_tag, latest, moving_tag) at the tag, even in an immutable repository
#         (ACR exempts latest, and the default allowed_mutable_tags allows it)
#     - value: another tag of a repository in the configuration that makes it immutable
#       verdict: pass
#     - value: another tag of a repository in the configuration that lets it move
#       verdict: >-
#         error (mutable_repository) at the tag, with a trace step at the repository's
#         deciding value (ECR MUTABLE, not set, a *_WITH_EXCLUSION filter; Artifact Registry
#         without immutable_tags; ACR EE without tag_immutability)
#     - value: >-
#         a known name whose repository is not in the configuration (or an Artifact
#         Registry remote or virtual repository)
#       verdict: >-
#         unseen_registry, with the severity of unseen_registry (default warning;
#         error, note or ignore)
#     - value: a tag unknown before apply
#       verdict: >-
#         pass when the repository makes every tag immutable; otherwise unknown
#         (warning; --unknown error|warn|ignore)
#     - value: a repository attribute, or the repository itself, unknown before apply
#       verdict: unknown (warning; --unknown error|warn|ignore)
#     - value: an image that is not a valid reference
#       verdict: error (invalid_reference) at the image
#   fix_hcl: |-
#     resource "aws_ecs_task_definition" "api" {
#       family = "api"
#       container_definitions = jsonencode([{
#         name = "api"
#         # the digest the CI printed:
#         image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api@sha256:<64 hex>"
#         # or a tag per build, in a repository with image_tag_mutability = "IMMUTABLE":
#         # image = "${aws_ecr_repository.api.repository_url}:${var.git_sha}"
#       }])
#     }
package tagguard.rules.image_reference_immutable

import data.tagguard.lib

# METADATA
# description: Rule metadata, read by tagguard explain and the report formats.
rule := lib.describe(rego.metadata.chain())

fixes := concat(" ", [
	"pin the digest the CI that built the image printed (name@sha256:…),",
	"or tag each build with its git SHA in an immutable repository and deploy that tag",
])

# Messages by id. Templates take their values through sprintf, each value quoted with lib.quote.
messages := {
	"no_tag": concat(" ", [
		"%s has no tag, so it pulls latest, which every push moves to a new image:",
		"even an immutable repository lets latest move (ACR exempts latest from tag immutability,",
		"and tagguard's default allowed_mutable_tags allows it); %s",
	]),
	"latest": concat(" ", [
		"%s uses the tag \"latest\", which every push moves to a new image:",
		"even an immutable repository lets latest move (ACR exempts latest from tag immutability,",
		"and tagguard's default allowed_mutable_tags allows it); %s",
	]),
	"moving_tag": concat(" ", [
		"%s uses the tag %s, a moving tag (moving_tags: %s) that a push moves to a new image,",
		"whatever the repository allows; %s",
	]),
	"mutable_repository": "%s uses the tag %s of %s, which lets it move (%s); %s",
	"unseen_registry": concat(" ", [
		"pin the digest: this registry's tags can move, and nothing in this configuration proves",
		"otherwise (%s names %s: %s); use the digest the CI that built the image printed",
		"(name@sha256:…), or push a tag per build (git SHA) to a repository this configuration",
		"makes immutable and deploy that tag",
	]),
	"invalid_digest": "%s has the digest %s, which is not a valid digest (%s); pin the digest the CI printed",
	"invalid_reference": "%s is not a valid image reference (%s)",
	"unknown": "%s cannot be known before apply (%s), so whether %s stays fixed is not proven%s",
}

unknown_mode := object.get(input, ["config", "unknown"], "warn")

unknown_severity := {"error": "error", "warn": "warning"}[unknown_mode]

default_moving_tags := ["latest", "stable", "main", "master", "dev", "edge", "nightly"]

moving_tags := object.get(input, ["config", "moving_tags"], default_moving_tags)

unseen_severity := {"error": "error", "warning": "warning", "note": "note"}[object.get(
	input,
	["config", "unseen_registry"],
	"warning",
)]

# Each image reference of each judged resource, by index: [resource, image]. Indices, not the
# values, are the members, so the set costs no more than the images (a resource with many
# images would otherwise be hashed once per image).
images contains [i, j] if {
	some i, r in input.resources
	r.type in rule.resource_types
	some j, _ in object.get(r, "images", [])
}

# How a message names an image: its text and where it is written.
image_text(img) := sprintf("image %s (%s)", [lib.quote(img.value), img.path]) if img.known

else := sprintf("the image of %s", [img.path])

# Where a finding about the tag points: the tag's text, or the image when the tag has no location.
tag_at(img) := img.reference.tag if img.reference.tag.location

else := img

# The tag of a reference; a reference that tells nothing of its tag has an unknown one.
tag_of(ref) := object.get(ref, "tag", {"known": false, "reason": "the tag cannot be told from the image"})

# --- digests ----------------------------------------------------------------------------

# OCI image spec (descriptor.md#digests): algorithm ":" encoded; sha256 is 64 and sha512 128
# lowercase hex characters.
digest_grammar := `^[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`

digest_lengths := {"sha256": 64, "sha512": 128}

# Why a known digest is not valid; undefined when it is valid.
digest_fault(d) := "a digest is a string" if not is_string(d)

digest_fault(d) := "a digest is algorithm:hex" if {
	is_string(d)
	not regex.match(digest_grammar, d)
}

digest_fault(d) := sprintf("%s needs %d lowercase hex characters", [algorithm, n]) if {
	is_string(d)
	regex.match(digest_grammar, d)
	[algorithm, encoded] := split(d, ":")
	n := digest_lengths[algorithm]
	not regex.match(sprintf("^[a-f0-9]{%d}$", [n]), encoded)
}

# --- the verdict of the tag alone --------------------------------------------------------

# The message id of a known tag that moves whatever the repository allows; undefined otherwise.
# No tag at all, or latest, moves whatever moving_tags says; another tag moves when moving_tags lists it.
moving(tag) := "no_tag" if {
	tag.known
	tag.implied
} else := "latest" if {
	tag.known
	tag.value == "latest"
} else := "moving_tag" if {
	tag.known
	tag.value in moving_tags
}

# Images whose verdict depends on the repository: a valid reference without a digest, whose
# tag is unknown or known and not moving.
by_repository contains [i, j] if {
	some [i, j] in images
	img := input.resources[i].images[j]
	ref := img.reference
	not ref.invalid
	not ref.digest
	not moving(tag_of(ref))
}

# --- verdicts --------------------------------------------------------------------------------

# The known tag, or null when it is unknown.
tag_value(tag) := tag.value if tag.known

else := null

# The decisions for an image: [repository, decision] for each repository its name points at.
decisions(w, img) := [[x, decision(x, tag_value(tag_of(img.reference)))] |
	some x in repositories(w, img.reference.name)
]

with_state(ds, state) := [[x, d] | some [x, d] in ds; d.state == state]

# A step of a trace at a repository's deciding value.
step(x, d) := {
	"file": object.get(loc, "file", ""), "line": object.get(loc, "line", 0),
	"column": object.get(loc, "column", 0), "note": sprintf("%s: %s", [x.address, d.why]),
} if {
	loc := object.get(d.at, "location", object.get(x, "location", {}))
}

# The tag with the steps of repositories appended to its trace.
tag_with_steps(img, ds) := object.union(tag_at(img), {"trace": array.concat(
	object.get(tag_at(img), "trace", []),
	[step(x, d) | some [x, d] in ds],
)})

addresses(ds) := concat(", ", sort([x.address | some [x, _] in ds]))

# The message of a tag that moves whatever the repository allows.
moving_message("moving_tag", img, tag) := sprintf(messages.moving_tag, [
	image_text(img), lib.quote(tag.value),
	lib.quote(moving_tags), fixes,
])

moving_message(id, img, _) := sprintf(messages[id], [image_text(img), fixes]) if id in {"no_tag", "latest"}

# An image that is not known and tells nothing of its shape.
deny contains lib.finding(rule, r, img, unknown_severity, "unknown", msg) if {
	some [i, j] in images
	r := input.resources[i]
	img := r.images[j]
	img.known == false
	not img.reference
	msg := sprintf(messages.unknown, [
		sprintf("the image of %s", [img.path]),
		object.get(img, "reason", "unknown value"), "it", "",
	])
}

deny contains lib.finding(rule, r, img, "error", "invalid_reference", msg) if {
	some [i, j] in images
	r := input.resources[i]
	img := r.images[j]
	why := img.reference.invalid
	msg := sprintf(messages.invalid_reference, [image_text(img), why])
}

deny contains lib.finding(rule, r, at, "error", "invalid_digest", msg) if {
	some [i, j] in images
	r := input.resources[i]
	img := r.images[j]
	not img.reference.invalid
	d := img.reference.digest
	d.known
	why := digest_fault(d.value)
	at := decided_at(img, d)
	msg := sprintf(messages.invalid_digest, [image_text(img), lib.quote(d.value), why])
}

deny contains lib.finding(rule, r, tag_at(img), "error", id, msg) if {
	some [i, j] in images
	r := input.resources[i]
	img := r.images[j]
	not img.reference.invalid
	not img.reference.digest
	tag := tag_of(img.reference)
	id := moving(tag)
	msg := moving_message(id, img, tag)
}

# A known tag that a repository of the name lets move.
deny contains lib.finding(rule, r, tag_with_steps(img, mutable), "error", "mutable_repository", msg) if {
	some [i, j] in by_repository
	r := input.resources[i]
	img := r.images[j]
	tag := tag_of(img.reference)
	tag.known
	mutable := with_state(decisions(r, img), "mutable")
	count(mutable) > 0
	msg := sprintf(messages.mutable_repository, [
		image_text(img), lib.quote(tag.value), addresses(mutable),
		concat("; ", [d.why | some [_, d] in mutable]), fixes,
	])
}

# What cannot be known: the tag (when a repository does not make every tag immutable), or a
# repository attribute that decides.
deny contains lib.finding(rule, r, tag_with_steps(img, undecided), unknown_severity, "unknown", msg) if {
	some [i, j] in by_repository
	r := input.resources[i]
	img := r.images[j]
	ds := decisions(r, img)
	count(with_state(ds, "mutable")) == 0
	undecided := with_state(ds, "unknown")
	count(undecided) > 0
	msg := sprintf(messages.unknown, [
		concat(", ", [d.subject | some [_, d] in undecided]),
		concat("; ", [d.reason | some [_, d] in undecided]),
		image_text(img), "",
	])
}

deny contains lib.finding(rule, r, tag_with_steps(img, mutable), unknown_severity, "unknown", msg) if {
	some [i, j] in by_repository
	r := input.resources[i]
	img := r.images[j]
	tag := tag_of(img.reference)
	not tag.known
	ds := decisions(r, img)
	count(with_state(ds, "unknown")) == 0
	mutable := with_state(ds, "mutable")
	count(mutable) > 0
	msg := sprintf(messages.unknown, [
		"the tag", object.get(tag, "reason", "unknown value"), image_text(img),
		sprintf(": %s lets tags move (%s)", [addresses(mutable), concat("; ", [d.why | some [_, d] in mutable])]),
	])
}

# A name whose repository cannot be told: unknown, with no reference that names one.
deny contains lib.finding(rule, r, tag_at(img), unknown_severity, "unknown", msg) if {
	some [i, j] in by_repository
	r := input.resources[i]
	img := r.images[j]
	name := img.reference.name
	not name.known
	count(repositories(r, name)) == 0
	not unseen_data_source(r, name)
	msg := sprintf(messages.unknown, [
		"the repository the image names", object.get(name, "reason", "unknown value"),
		image_text(img), "",
	])
}

# A registry tagguard cannot prove: a known name no repository of the configuration matches,
# a data source that reads a repository managed elsewhere, or a remote or virtual repository.
deny contains lib.finding(rule, r, tag_with_steps(img, unproven), unseen_severity, "unseen_registry", msg) if {
	some [i, j] in by_repository
	r := input.resources[i]
	img := r.images[j]
	ds := decisions(r, img)
	count(ds) > 0
	count(with_state(ds, "mutable")) == 0
	count(with_state(ds, "unknown")) == 0
	unproven := with_state(ds, "unproven")
	count(unproven) > 0
	msg := sprintf(messages.unseen_registry, [
		image_text(img), addresses(unproven),
		concat("; ", [d.why | some [_, d] in unproven]),
	])
}

deny contains lib.finding(rule, r, tag_at(img), unseen_severity, "unseen_registry", msg) if {
	some [i, j] in by_repository
	r := input.resources[i]
	img := r.images[j]
	name := img.reference.name
	count(repositories(r, name)) == 0
	registry := unseen(r, name)
	msg := sprintf(messages.unseen_registry, [
		image_text(img), registry,
		"no repository of this configuration",
	])
}

# How a message names a registry that is not in the configuration.
unseen(_, name) := sprintf("the registry %s (repository %s)", [
	lib.quote(name.registry),
	lib.quote(name.repository),
]) if {
	name.known
}

unseen(w, name) := sprintf("the ECR repository %s reads", [
	concat(", ", sort([ds.address | some ds in ecr_data_sources(w, name)])),
]) if {
	unseen_data_source(w, name)
}

# Data sources that read repositories by a known name, none of them managed here.
unseen_data_source(w, name) if {
	not name.known
	count(ecr_data_sources(w, name)) > 0
	every ds in ecr_data_sources(w, name) {
		text(ds, "name")
	}
}
