package tagguard.rules.image_reference_immutable_test

import data.tagguard.rules.image_reference_immutable as policy

# --- input builders, in the shape of /work/spec/image-input.md --------------------------------

loc(file, line, column) := {"file": file, "line": line, "column": column, "end_line": line, "end_column": column + 6}

ecr_registry := "123456789012.dkr.ecr.eu-west-1.amazonaws.com"

# The tag's text, at main.tf:20:40, with the trace of where its value comes from.
tag(value) := {
	"known": true, "value": value, "implied": false, "location": loc("main.tf", 20, 40),
	"trace": [{"file": "variables.tf", "line": 3, "column": 13, "note": "var.tag's default"}],
}

# No tag written: latest, at the end of the name.
implied := {"known": true, "value": "latest", "implied": true, "location": loc("main.tf", 20, 35)}

unknown_tag := {
	"known": false, "reason": "var.tag has no value", "refs": [],
	"location": loc("main.tf", 20, 40), "trace": [],
}

named(registry, repository) := {
	"known": true, "value": sprintf("%s/%s", [registry, repository]),
	"registry": registry, "repository": repository,
}

# A name that is the attribute of a resource, unknown before apply.
by_ref(ref) := {"known": false, "reason": "known only after apply", "refs": [ref], "prefix": "", "suffix": ""}

ref_to(address, attribute) := {"address": address, "attribute": attribute, "instance": address}

# A known image written at main.tf:20:15.
image(text, reference) := {
	"path": "container_definitions[1].image", "known": true, "value": text,
	"location": loc("main.tf", 20, 15), "trace": [], "reference": reference,
}

# An image unknown before apply, whose reference tells name and tag.
unknown_image(reference) := {
	"path": "container_definitions[1].image", "known": false, "reason": "known only after apply",
	"location": loc("main.tf", 20, 15), "trace": [], "reference": reference,
}

ecr_image(repository, t) := image(sprintf("%s/%s:%s", [ecr_registry, repository, t.value]), {
	"name": named(ecr_registry, repository),
	"tag": t,
})

task(images) := {
	"address": "aws_ecs_task_definition.api", "type": "aws_ecs_task_definition", "root": ".",
	"location": loc("main.tf", 18, 1), "attributes": {}, "images": images,
}

resource(type, address, attributes) := {
	"address": address, "type": type, "root": ".",
	"location": loc("registry.tf", 1, 1), "attributes": attributes,
}

set_to(value, line) := {"set": true, "known": true, "value": value, "location": loc("registry.tf", line, 26)}

not_known := {
	"set": true, "known": false, "reason": "var.mutability has no value",
	"location": loc("registry.tf", 2, 26),
}

immutable_api := ecr("aws_ecr_repository.api", "IMMUTABLE")

other := ecr("aws_ecr_repository.other", "IMMUTABLE")

nginx := named("docker.io", "library/nginx")

gar_type := "google_artifact_registry_repository"

immutable_block := {"immutable_tags": true, "known": true, "location": loc("registry.tf", 6, 3)}

ecr(address, mutability) := resource("aws_ecr_repository", address, {
	"name": set_to("api", 2),
	"image_tag_mutability": set_to(mutability, 3),
})

ecr_with_filters(mutability, filters) := resource("aws_ecr_repository", "aws_ecr_repository.api", {
	"name": set_to("api", 2),
	"image_tag_mutability": set_to(mutability, 3),
	"image_tag_mutability_exclusion_filter": {"set": true, "known": true, "value": [
	{"filter": f, "filter_type": "WILDCARD", "known": true, "location": loc("registry.tf", 5 + i, 17)} |
		some i, f in filters
	]},
})

inp(resources) := {"resources": resources}

# [message id, severity, line, column] of each finding.
found(fs) := {[f.messageId, f.severity, f.location.line, f.location.column] | some f in fs}

the_one(fs) := f if {
	count(fs) == 1
	some f in fs
}

# --- the rule's descriptor -------------------------------------------------------------------

test_descriptor_lists_every_type_with_its_image_paths if {
	policy.rule.id == "image-reference-immutable"
	policy.rule.severity == "error"
	{t | some t in policy.rule.resource_types} == object.keys(policy.rule.images)
	pod_template := ["spec.template.spec.container.image", "spec.template.spec.init_container.image"]
	policy.rule.images.kubernetes_daemonset == pod_template
	policy.rule.images.kubernetes_daemon_set_v1 == pod_template
	policy.rule.data_sources == ["aws_ecr_repository"]
	policy.rule.fix == "manual"
	"CKV_K8S_43" in policy.rule.aliases
}

test_other_types_are_not_judged if {
	r := object.union(task([ecr_image("api", tag("latest"))]), {"type": "aws_ecs_service"})
	fs := policy.deny with input as inp([r])
	count(fs) == 0
}

# --- digests ---------------------------------------------------------------------------------

digest(value) := {"known": true, "value": value, "location": loc("main.tf", 20, 47)}

sha := concat("", ["0123456789abcdef" | some _ in numbers.range(1, 4)])

test_a_digest_passes if {
	d := digest(sprintf("sha256:%s", [sha]))
	img := image("nginx@sha256:...", {"name": nginx, "digest": d})
	fs := policy.deny with input as inp([task([img])])
	count(fs) == 0
}

test_a_digest_beside_latest_passes if {
	d := digest(sprintf("sha256:%s", [sha]))
	img := image("nginx:latest@sha256:...", {"name": nginx, "tag": tag("latest"), "digest": d})
	fs := policy.deny with input as inp([task([img])])
	count(fs) == 0
}

test_an_unknown_digest_passes if {
	d := {"known": false, "reason": "var.digest has no value", "location": loc("main.tf", 20, 47)}
	img := image("nginx@${var.digest}", {"name": nginx, "digest": d})
	fs := policy.deny with input as inp([task([img])])
	count(fs) == 0
}

test_an_invalid_digest_is_an_error_at_the_digest if {
	some bad in [
		sprintf("sha256:%s", [upper(sha)]),
		"sha256:abc",
		"sha256",
		sprintf("sha512:%s", [sha]),
	]
	img := image("nginx@...", {"name": nginx, "digest": digest(bad)})
	fs := policy.deny with input as inp([task([img])])
	found(fs) == {["invalid_digest", "error", 20, 47]}
	contains(the_one(fs).message, "container_definitions[1].image")
}

# --- tags that move whatever the repository allows --------------------------------------------

test_latest_is_an_error_at_the_tag_even_in_an_immutable_repository if {
	fs := policy.deny with input as inp([task([ecr_image("api", tag("latest"))]), immutable_api])
	found(fs) == {["latest", "error", 20, 40]}
	f := the_one(fs)
	contains(f.message, "ACR exempts latest")
	contains(f.message, sprintf("%q", [sprintf("%s/api:latest", [ecr_registry])]))
	f.trace[0].file == "variables.tf"
	f.resource == "aws_ecs_task_definition.api"
}

test_no_tag_is_an_error_at_the_end_of_the_name if {
	img := image("nginx", {"name": nginx, "tag": implied})
	fs := policy.deny with input as inp([task([img])])
	found(fs) == {["no_tag", "error", 20, 35]}
}

test_a_moving_tag_is_an_error if {
	some t in ["main", "nightly", "stable"]
	fs := policy.deny with input as inp([task([ecr_image("api", tag(t))]), ecr("aws_ecr_repository.api", "IMMUTABLE")])
	found(fs) == {["moving_tag", "error", 20, 40]}
	contains(the_one(fs).message, sprintf("%q", [t]))
}

test_moving_tags_come_from_the_config if {
	resources := [task([ecr_image("api", tag("main"))]), ecr("aws_ecr_repository.api", "IMMUTABLE")]
	fs := policy.deny with input as {"resources": resources, "config": {"moving_tags": ["release"]}}
	count(fs) == 0
}

# --- ECR through aws_ecr_repository.x.repository_url -------------------------------------------

ref_image(t) := unknown_image({"name": by_ref(ref_to("aws_ecr_repository.api", "repository_url")), "tag": t})

test_ecr_ref_immutable_passes if {
	fs := policy.deny with input as inp([task([ref_image(tag("v1.2.3"))]), ecr("aws_ecr_repository.api", "IMMUTABLE")])
	count(fs) == 0
}

test_ecr_ref_mutable_is_an_error_with_a_step_at_the_repository if {
	fs := policy.deny with input as inp([task([ref_image(tag("v1.2.3"))]), ecr("aws_ecr_repository.api", "MUTABLE")])
	found(fs) == {["mutable_repository", "error", 20, 40]}
	f := the_one(fs)
	count(f.trace) == 2
	f.trace[0].file == "variables.tf"
	step := f.trace[1]
	[step.file, step.line, step.column] == ["registry.tf", 3, 26]
	contains(step.note, "aws_ecr_repository.api")
	contains(step.note, "MUTABLE")
	contains(f.message, "aws_ecr_repository.api")
	contains(f.message, `"v1.2.3"`)
	contains(f.message, "sha256")
}

test_ecr_not_set_is_mutable_with_a_step_at_the_repository_block if {
	r := resource("aws_ecr_repository", "aws_ecr_repository.api", {"name": set_to("api", 2)})
	fs := policy.deny with input as inp([task([ref_image(tag("v1"))]), r])
	found(fs) == {["mutable_repository", "error", 20, 40]}
	f := the_one(fs)
	[f.trace[1].file, f.trace[1].line] == ["registry.tf", 1]
	contains(f.trace[1].note, "default is MUTABLE")
}

test_a_suffix_after_the_repository_url_names_another_repository if {
	name := object.union(by_ref(ref_to("aws_ecr_repository.api", "repository_url")), {"suffix": "/sidecar"})
	img := unknown_image({"name": name, "tag": tag("v1")})
	fs := policy.deny with input as inp([task([img]), ecr("aws_ecr_repository.api", "IMMUTABLE")])
	found(fs) == {["unknown", "warning", 20, 40]}
}

test_a_repository_a_plan_leaves_unchanged_still_decides if {
	img := unknown_image({"name": by_ref(ref_to("aws_ecr_repository.api", "repository_url")), "tag": tag("v1")})
	mutable := {"resources": [task([img])], "unchanged": [ecr("aws_ecr_repository.api", "MUTABLE")]}
	found(policy.deny) == {["mutable_repository", "error", 20, 40]} with input as mutable
	immutable := {"resources": [task([img])], "unchanged": [ecr("aws_ecr_repository.api", "IMMUTABLE")]}
	count(policy.deny) == 0 with input as immutable
}

test_a_reference_names_a_repository_of_its_own_root_only if {
	img := unknown_image({"name": by_ref(ref_to("aws_ecr_repository.api", "repository_url")), "tag": tag("v1")})
	other_root := object.union(ecr("aws_ecr_repository.api", "IMMUTABLE"), {"root": "envs/other"})
	fs := policy.deny with input as inp([task([img]), other_root])
	found(fs) == {["unknown", "warning", 20, 40]}
	count(policy.deny) == 0 with input as inp([task([img]), other_root, ecr("aws_ecr_repository.api", "IMMUTABLE")])
}

test_a_prefix_before_the_repository_url_names_another_registry if {
	name := object.union(by_ref(ref_to("aws_ecr_repository.api", "repository_url")), {"prefix": "evil.io/"})
	img := unknown_image({"name": name, "tag": tag("v1")})
	fs := policy.deny with input as inp([task([img]), ecr("aws_ecr_repository.api", "IMMUTABLE")])
	found(fs) == {["unknown", "warning", 20, 40]}
}

test_a_derived_ref_names_no_repository if {
	ref := object.union(ref_to("aws_ecr_repository.api", "repository_url"), {"derived": true})
	img := unknown_image({"name": by_ref(ref), "tag": tag("v1")})
	fs := policy.deny with input as inp([task([img]), ecr("aws_ecr_repository.api", "IMMUTABLE")])
	found(fs) == {["unknown", "warning", 20, 40]}
}

test_immutable_with_exclusion_matching_the_tag_is_mutable_at_the_filter if {
	repo := ecr_with_filters("IMMUTABLE_WITH_EXCLUSION", ["latest", "release-*"])
	fs := policy.deny with input as inp([task([ref_image(tag("release-7"))]), repo])
	found(fs) == {["mutable_repository", "error", 20, 40]}
	f := the_one(fs)
	[f.trace[1].line, f.trace[1].column] == [6, 17]
	contains(f.trace[1].note, `"release-*"`)
}

test_immutable_with_exclusion_not_matching_the_tag_passes if {
	repo := ecr_with_filters("IMMUTABLE_WITH_EXCLUSION", ["latest", "release-*"])
	fs := policy.deny with input as inp([task([ref_image(tag("v1.2.3"))]), repo])
	count(fs) == 0
}

test_mutable_with_exclusion_passes_only_the_tags_a_filter_matches if {
	repo := ecr_with_filters("MUTABLE_WITH_EXCLUSION", ["v*"])
	count(policy.deny) == 0 with input as inp([task([ref_image(tag("v1.2.3"))]), repo])
	fs := policy.deny with input as inp([task([ref_image(tag("build-9"))]), repo])
	found(fs) == {["mutable_repository", "error", 20, 40]}
	[the_one(fs).trace[1].line, the_one(fs).trace[1].column] == [3, 26]
}

test_awscc_filters_are_read_from_the_list_attribute if {
	repo := resource("awscc_ecr_repository", "awscc_ecr_repository.api", {
		"repository_name": set_to("api", 2),
		"image_tag_mutability": set_to("IMMUTABLE_WITH_EXCLUSION", 3),
		"image_tag_mutability_exclusion_filters": set_to(
			[{
				"image_tag_mutability_exclusion_filter_type": "WILDCARD",
				"image_tag_mutability_exclusion_filter_value": "dev-*",
			}],
			4,
		),
	})
	img := unknown_image({"name": by_ref(ref_to("awscc_ecr_repository.api", "repository_uri")), "tag": tag("dev-3")})
	fs := policy.deny with input as inp([task([img]), repo])
	found(fs) == {["mutable_repository", "error", 20, 40]}
	the_one(fs).trace[1].line == 4
	count(policy.deny) == 0 with input as inp([task([ecr_image("api", tag("v3"))]), repo])
}

# --- keyless references to a repeated repository ----------------------------------------------

instance(key, mutability) := resource("aws_ecr_repository", sprintf("aws_ecr_repository.api[%q]", [key]), {
	"name": set_to(key, 2),
	"image_tag_mutability": set_to(mutability, 3),
})

test_a_keyless_ref_needs_every_instance_immutable if {
	resources := [task([ref_image(tag("v1"))]), instance("a", "IMMUTABLE"), instance("b", "MUTABLE")]
	fs := policy.deny with input as inp(resources)
	found(fs) == {["mutable_repository", "error", 20, 40]}
	f := the_one(fs)
	count(f.trace) == 2
	contains(f.trace[1].note, `aws_ecr_repository.api["b"]`)
	contains(f.message, `aws_ecr_repository.api["b"]`)
}

test_a_keyless_ref_to_immutable_instances_passes if {
	resources := [task([ref_image(tag("v1"))]), instance("a", "IMMUTABLE"), instance("b", "IMMUTABLE")]
	count(policy.deny) == 0 with input as inp(resources)
}

test_a_keyed_ref_names_its_instance_only if {
	ref := {
		"address": "aws_ecr_repository.api", "key": "a", "attribute": "repository_url",
		"instance": `aws_ecr_repository.api["a"]`,
	}
	img := unknown_image({"name": by_ref(ref), "tag": tag("v1")})
	resources := [task([img]), instance("a", "IMMUTABLE"), instance("b", "MUTABLE")]
	count(policy.deny) == 0 with input as inp(resources)
}

# --- unseen registries -------------------------------------------------------------------------

hub_image := image("nginx:1.25", {"name": nginx, "tag": tag("1.25")})

test_unseen_registry_takes_its_severity_from_the_config if {
	fs := policy.deny with input as inp([task([hub_image])])
	found(fs) == {["unseen_registry", "warning", 20, 40]}
	startswith(the_one(fs).message, "pin the digest: this registry's tags can move")
	contains(the_one(fs).message, `"docker.io"`)
	some [severity, expected] in [["error", "error"], ["warning", "warning"], ["note", "note"]]
	fs2 := policy.deny with input as {"resources": [task([hub_image])], "config": {"unseen_registry": severity}}
	found(fs2) == {["unseen_registry", expected, 20, 40]}
}

test_unseen_registry_ignore_drops_it if {
	count(policy.deny) == 0 with input as {"resources": [task([hub_image])], "config": {"unseen_registry": "ignore"}}
}

# --- values unknown before apply ---------------------------------------------------------------

test_an_unknown_tag_of_an_immutable_repository_passes if {
	count(policy.deny) == 0 with input as inp([task([ref_image(unknown_tag)]), ecr("aws_ecr_repository.api", "IMMUTABLE")])
}

test_an_unknown_tag_of_a_mutable_repository_is_unknown if {
	resources := [task([ref_image(unknown_tag)]), ecr("aws_ecr_repository.api", "MUTABLE")]
	fs := policy.deny with input as inp(resources)
	found(fs) == {["unknown", "warning", 20, 40]}
	contains(the_one(fs).message, "var.tag has no value")
	the_one(fs).trace[0].line == 3
	as_errors := {"resources": resources, "config": {"unknown": "error"}}
	found(policy.deny) == {["unknown", "error", 20, 40]} with input as as_errors
	count(policy.deny) == 0 with input as {"resources": resources, "config": {"unknown": "ignore"}}
}

test_an_unknown_tag_under_exclusion_filters_is_unknown if {
	repo := ecr_with_filters("IMMUTABLE_WITH_EXCLUSION", ["latest"])
	fs := policy.deny with input as inp([task([ref_image(unknown_tag)]), repo])
	found(fs) == {["unknown", "warning", 20, 40]}
}

test_an_unknown_repository_attribute_is_unknown if {
	repo := resource("aws_ecr_repository", "aws_ecr_repository.api", {
		"name": set_to("api", 2),
		"image_tag_mutability": not_known,
	})
	fs := policy.deny with input as inp([task([ref_image(tag("v1"))]), repo])
	found(fs) == {["unknown", "warning", 20, 40]}
	contains(the_one(fs).message, "image_tag_mutability of aws_ecr_repository.api")
	contains(the_one(fs).message, "var.mutability has no value")
	the_one(fs).trace[1].line == 2
}

test_an_unknown_name_without_a_ref_is_unknown if {
	name := {"known": false, "reason": "var.repository has no value", "refs": [], "prefix": "", "suffix": ""}
	img := unknown_image({"name": name, "tag": tag("v1")})
	fs := policy.deny with input as inp([task([img])])
	found(fs) == {["unknown", "warning", 20, 40]}
	contains(the_one(fs).message, "the repository the image names")
	contains(the_one(fs).message, "var.repository has no value")
}

test_an_unknown_name_with_a_moving_tag_is_an_error if {
	name := {"known": false, "reason": "var.repository has no value", "refs": [], "prefix": "", "suffix": ""}
	fs := policy.deny with input as inp([task([unknown_image({"name": name, "tag": tag("latest")})])])
	found(fs) == {["latest", "error", 20, 40]}
}

test_an_image_without_a_reference_is_unknown_at_the_image if {
	img := object.remove(unknown_image({}), ["reference"])
	fs := policy.deny with input as inp([task([img])])
	found(fs) == {["unknown", "warning", 20, 15]}
	contains(the_one(fs).message, "container_definitions[1].image")
	count(policy.deny) == 0 with input as {"resources": [task([img])], "config": {"unknown": "ignore"}}
}

test_an_invalid_reference_is_an_error_at_the_image if {
	img := image("not an image!", {"invalid": "a reference has no spaces"})
	fs := policy.deny with input as inp([task([img])])
	found(fs) == {["invalid_reference", "error", 20, 15]}
	contains(the_one(fs).message, `"not an image!"`)
}

test_each_image_of_a_resource_is_judged if {
	second := object.union(hub_image, {"path": "container_definitions[2].image", "location": loc("main.tf", 30, 15)})
	fs := policy.deny with input as inp([task([ecr_image("api", tag("latest")), second])])
	{f.messageId | some f in fs} == {"latest", "unseen_registry"}
	count(fs) == 2
}

test_kubernetes_workloads_are_judged if {
	some type in ["kubernetes_deployment_v1", "kubernetes_daemonset", "kubernetes_cron_job_v1", "kubernetes_manifest"]
	r := object.union(task([hub_image]), {"type": type, "address": sprintf("%s.web", [type])})
	fs := policy.deny with input as inp([r])
	found(fs) == {["unseen_registry", "warning", 20, 40]}
	the_one(fs).resource == sprintf("%s.web", [type])
}
