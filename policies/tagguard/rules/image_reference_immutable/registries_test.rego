# Tests of the joins from an image's name to a repository (registries.rego): data sources and
# registry host and path. The input builders are in policy_test.rego.
package tagguard.rules.image_reference_immutable_test

import data.tagguard.rules.image_reference_immutable as policy

# --- data.aws_ecr_repository -------------------------------------------------------------------

ds_image := unknown_image({"name": by_ref(ref_to("data.aws_ecr_repository.api", "repository_url")), "tag": tag("v1")})

data_source(name) := resource("aws_ecr_repository", "data.aws_ecr_repository.api", {"name": set_to(name, 2)})

test_a_data_source_names_the_managed_repository if {
	doc := {"resources": [task([ds_image]), other], "data_sources": [data_source("api")]}
	count(policy.deny) == 0 with input as doc
	mutable := object.union(doc, {"resources": [task([ds_image]), ecr("aws_ecr_repository.other", "MUTABLE")]})
	fs := policy.deny with input as mutable
	found(fs) == {["mutable_repository", "error", 20, 40]}
	contains(the_one(fs).message, "aws_ecr_repository.other")
}

test_a_data_source_of_a_repository_managed_elsewhere_is_an_unseen_registry if {
	doc := {"resources": [task([ds_image]), other], "data_sources": [data_source("elsewhere")]}
	fs := policy.deny with input as doc
	found(fs) == {["unseen_registry", "warning", 20, 40]}
	startswith(the_one(fs).message, "pin the digest: this registry's tags can move")
	contains(the_one(fs).message, "data.aws_ecr_repository.api")
}

test_a_data_source_of_another_registry_id_names_no_managed_repository if {
	another := object.union(data_source("api"), {"attributes": {
		"name": set_to("api", 2),
		"registry_id": set_to("999999999999", 3),
	}})
	fs := policy.deny with input as {"resources": [task([ds_image]), other], "data_sources": [another]}
	found(fs) == {["unknown", "warning", 20, 40]}
}

# --- registry host and path --------------------------------------------------------------------

test_a_registry_host_in_upper_case_is_the_same_host if {
	upper_host := image("x", {"name": named(upper(ecr_registry), "api"), "tag": tag("v1")})
	fs := policy.deny with input as inp([task([upper_host]), ecr("aws_ecr_repository.api", "MUTABLE")])
	found(fs) == {["mutable_repository", "error", 20, 40]}
}

test_ecr_host_and_path_join if {
	count(policy.deny) == 0 with input as inp([task([ecr_image("api", tag("v1"))]), immutable_api])
	fs := policy.deny with input as inp([task([ecr_image("api", tag("v1"))]), ecr("aws_ecr_repository.api", "MUTABLE")])
	found(fs) == {["mutable_repository", "error", 20, 40]}
}

test_ecr_host_with_another_repository_is_an_unseen_registry if {
	fs := policy.deny with input as inp([task([ecr_image("web", tag("v1"))]), ecr("aws_ecr_repository.api", "IMMUTABLE")])
	found(fs) == {["unseen_registry", "warning", 20, 40]}
	contains(the_one(fs).message, `"web"`)
}

gar_registry := "europe-west1-docker.pkg.dev"

gar_image(t) := image(sprintf("%s/proj/images/api:%s", [gar_registry, t.value]), {
	"name": named(gar_registry, "proj/images/api"),
	"tag": t,
})

gar(attributes) := resource(gar_type, "google_artifact_registry_repository.images", object.union(
	{
		"repository_id": set_to("images", 2), "location": set_to("europe-west1", 3),
		"format": set_to("DOCKER", 4),
		"docker_config": {"set": true, "known": true, "value": [immutable_block]},
	},
	attributes,
))

test_gar_host_and_path_join if {
	count(policy.deny) == 0 with input as inp([task([gar_image(tag("v1"))]), gar({})])
	no_config := gar({"docker_config": {"set": true, "known": true, "value": []}})
	fs := policy.deny with input as inp([task([gar_image(tag("v1"))]), no_config])
	found(fs) == {["mutable_repository", "error", 20, 40]}
	the_one(fs).trace[1].line == 1
	contains(the_one(fs).message, "google_artifact_registry_repository.images")
}

test_gar_in_another_location_is_an_unseen_registry if {
	fs := policy.deny with input as inp([task([gar_image(tag("v1"))]), gar({"location": set_to("us-east1", 3)})])
	found(fs) == {["unseen_registry", "warning", 20, 40]}
}

test_gar_remote_repository_is_an_unseen_registry if {
	fs := policy.deny with input as inp([task([gar_image(tag("v1"))]), gar({"mode": set_to("REMOTE_REPOSITORY", 5)})])
	found(fs) == {["unseen_registry", "warning", 20, 40]}
	the_one(fs).trace[1].line == 5
}

test_gar_registry_uri_ref_joins if {
	name := object.union(by_ref(ref_to("google_artifact_registry_repository.images", "registry_uri")), {"suffix": "/api"})
	img := unknown_image({"name": name, "tag": tag("v1")})
	count(policy.deny) == 0 with input as inp([task([img]), gar({})])
	fs := policy.deny with input as inp([task([img]), gar({"docker_config": {"set": true, "known": true, "value": []}})])
	found(fs) == {["mutable_repository", "error", 20, 40]}
}

acr_registry := "shop-registry.cn-hangzhou.cr.aliyuncs.com"

acr_image(t) := image(sprintf("%s/team/app:%s", [acr_registry, t.value]), {
	"name": named(acr_registry, "team/app"),
	"tag": t,
})

acr(immutable) := resource("alicloud_cr_ee_repo", "alicloud_cr_ee_repo.app", {
	"namespace": set_to("team", 2), "name": set_to("app", 3),
	"tag_immutability": set_to(immutable, 4),
})

test_acr_host_and_path_join if {
	count(policy.deny) == 0 with input as inp([task([acr_image(tag("v1"))]), acr(true)])
	fs := policy.deny with input as inp([task([acr_image(tag("v1"))]), acr(false)])
	found(fs) == {["mutable_repository", "error", 20, 40]}
	the_one(fs).trace[1].line == 4
}

test_acr_latest_moves_in_an_immutable_repository if {
	fs := policy.deny with input as inp([task([acr_image(tag("latest"))]), acr(true)])
	found(fs) == {["latest", "error", 20, 40]}
	contains(the_one(fs).message, "ACR exempts latest")

	# latest moves whatever moving_tags lists.
	doc := {"resources": [task([acr_image(tag("latest"))]), acr(true)], "config": {"moving_tags": []}}
	fs2 := policy.deny with input as doc
	found(fs2) == {["latest", "error", 20, 40]}
}

test_a_data_source_whose_name_is_unknown_is_unknown if {
	ds := resource("aws_ecr_repository", "data.aws_ecr_repository.api", {"name": not_known})
	fs := policy.deny with input as {"resources": [task([ds_image]), other], "data_sources": [ds]}
	found(fs) == {["unknown", "warning", 20, 40]}
}

test_gar_repository_id_inside_a_docker_pkg_dev_name_joins if {
	name := object.union(
		by_ref(ref_to("google_artifact_registry_repository.images", "repository_id")),
		{"prefix": "europe-west1-docker.pkg.dev/proj/", "suffix": "/api"},
	)
	img := unknown_image({"name": name, "tag": tag("v1")})
	count(policy.deny) == 0 with input as inp([task([img]), gar({})])
	fs := policy.deny with input as inp([task([img]), gar({"docker_config": {"set": true, "known": true, "value": []}})])
	found(fs) == {["mutable_repository", "error", 20, 40]}
}

test_a_registry_uri_needs_an_image_path_after_it if {
	ref := ref_to("google_artifact_registry_repository.images", "registry_uri")
	joined := unknown_image({"name": object.union(by_ref(ref), {"suffix": "/api"}), "tag": tag("v1")})
	count(policy.deny) == 0 with input as inp([task([joined]), gar({})])

	# "-evil/api" names the repository images-evil, and a bare URI no image.
	every suffix in ["-evil/api", ""] {
		other := unknown_image({"name": object.union(by_ref(ref), {"suffix": suffix}), "tag": tag("v1")})
		found(policy.deny) == {["unknown", "warning", 20, 40]} with input as inp([task([other]), gar({})])
	}
}

# An image whose name is a repository_id between prefix and "/api".
gar_id_image(prefix) := unknown_image({
	"name": object.union(
		by_ref(ref_to("google_artifact_registry_repository.images", "repository_id")),
		{"prefix": prefix, "suffix": "/api"},
	),
	"tag": tag("v1"),
})

test_a_repository_id_in_another_location_or_project_names_no_repository if {
	repository := gar({"project": set_to("proj", 5)})
	count(policy.deny) == 0 with input as inp([task([gar_id_image("europe-west1-docker.pkg.dev/proj/")]), repository])
	every prefix in [
		"us-east1-docker.pkg.dev/proj/",
		"europe-west1-docker.pkg.dev/evil/",
		"evil.io/europe-west1-docker.pkg.dev/proj/",
	] {
		found(policy.deny) == {["unknown", "warning", 20, 40]} with input as inp([task([gar_id_image(prefix)]), repository])
	}
}

test_a_repository_id_without_the_registry_host_names_no_repository if {
	name := object.union(
		by_ref(ref_to("google_artifact_registry_repository.images", "repository_id")),
		{"prefix": "registry.example.com/", "suffix": "/api"},
	)
	img := unknown_image({"name": name, "tag": tag("v1")})
	fs := policy.deny with input as inp([task([img]), gar({})])
	found(fs) == {["unknown", "warning", 20, 40]}
}
