# The repositories an image's name points at, and what each does to a tag: read by policy.rego.
package tagguard.rules.image_reference_immutable

import data.tagguard.lib

# --- the repositories a name points at ---------------------------------------------------

ecr_types := {"aws_ecr_repository", "awscc_ecr_repository"}

# ref, read in resource w, names resource x: the same instance of w's root, or every instance
# of a repeated resource when it has no key. Addresses are unique only within a root.
names(w, ref, x) if {
	ref.instance == x.address
	x.root == w.root
}

names(w, ref, x) if {
	object.get(ref, "key", null) == null

	# concat, not sprintf: sprintf runs in JavaScript outside the WASM, once per image and resource.
	startswith(x.address, concat("", [ref.address, "["]))
	x.root == w.root
}

usable_refs(name) := [ref | some ref in object.get(name, "refs", []); not ref.derived]

text(x, attribute) := v if {
	a := x.attributes[attribute]
	a.known
	v := a.value
	is_string(v)
}

# The name of an ECR repository as its provider spells the attribute.
ecr_name(r) := text(r, "repository_name") if r.type == "awscc_ecr_repository"

else := text(r, "name")

repository_types := ecr_types | {"google_artifact_registry_repository", "alicloud_cr_ee_repo"}

# Every repository that can decide: those judged, and those a plan leaves unchanged (they exist).
known_repositories contains r if {
	some r in input.resources
	r.type in repository_types
}

known_repositories contains r if {
	some r in object.get(input, "unchanged", [])
	r.type in repository_types
}

# --- indexes: each image looks its candidates up instead of reading every resource -----------

# An address without its instance key: aws_ecr_repository.r for aws_ecr_repository.r["a"].
base_address(a) := m[0][1] if {
	m := regex.find_all_string_submatch_n(`^(.*)\[[^\[\]]*\]$`, a, 1)
	count(m) == 1
} else := a

# Repositories by root and address (what a reference with a key names), and by root and address
# without the key (what a reference without one names: every instance); data sources likewise.
repository_index[[r.root, r.address]] contains r if some r in known_repositories

repository_index[[r.root, base_address(r.address)]] contains r if some r in known_repositories

data_source_index[[d.root, d.address]] contains d if some d in object.get(input, "data_sources", [])

data_source_index[[d.root, base_address(d.address)]] contains d if some d in object.get(input, "data_sources", [])

# ECR repositories by name, Artifact Registry repositories by id, ACR EE ones by namespace and name.
ecr_by_name[n] contains r if {
	some r in known_repositories
	r.type in ecr_types
	n := ecr_name(r)
}

gar_by_id[i] contains r if {
	some r in known_repositories
	r.type == "google_artifact_registry_repository"
	i := text(r, "repository_id")
}

acr_by_path[[namespace, n]] contains r if {
	some r in known_repositories
	r.type == "alicloud_cr_ee_repo"
	namespace := text(r, "namespace")
	n := text(r, "name")
}

# The resources a name's references name, in w's root, and the repositories its data sources
# read. (An index is read with [key]: object.get does not find a composite key.)
referenced(w, name) := {r |
	some ref in usable_refs(name)
	some r in repository_index[[w.root, ref.instance]]
} | {r |
	some ds in ecr_data_sources(w, name)
	some r in ecr_by_name[text(ds, "name")]
}

# The repositories a known name may be, by the repository path it names.
by_path(name) := ({r | some r in ecr_by_name[name.repository]} | {r | some r in gar_by_id[gar_id(name)]}) | {r |
	some r in acr_by_path[split(name.repository, "/")]
}

gar_id(name) := parts[1] if {
	parts := split(name.repository, "/")
	count(parts) > 2
} else := ""

# The repositories an image's name, in resource w, points at: a set of resources (empty when none is found).
repositories(w, name) := {r | some r in referenced(w, name); by_ref(w, name, r)} if {
	not name.known
} else := {r | some r in by_path(name); by_host(name, r)}

# The name is the repository's URL itself: text before or after it would name another
# repository (several unknown parts make every ref derived).
bare(name) if {
	object.get(name, "prefix", "") == ""
	object.get(name, "suffix", "") == ""
}

by_ref(w, name, r) if {
	r.type in ecr_types
	bare(name)
	some ref in usable_refs(name)
	object.get(ref, "attribute", "") in {"repository_url", "repository_uri"}
	names(w, ref, r)
}

# A data.aws_ecr_repository read by name: the managed repository of that name.
by_ref(w, name, r) if {
	r.type in ecr_types
	bare(name)
	some ds in ecr_data_sources(w, name)
	ecr_name(r) == text(ds, "name")
}

# An Artifact Registry repository's URL followed by an image path, or its id between
# `<location>-docker.pkg.dev/<project>/` and an image path.
by_ref(w, name, r) if {
	r.type == "google_artifact_registry_repository"
	some ref in usable_refs(name)
	gar_attribute(name, object.get(ref, "attribute", ""), r)
	names(w, ref, r)
}

gar_attribute(name, "registry_uri", _) if {
	object.get(name, "prefix", "") == ""
	regex.match(`^/[^/]`, object.get(name, "suffix", ""))
}

gar_attribute(name, attribute, r) if {
	attribute in {"repository_id", "name"}
	[[_, location, project]] := regex.find_all_string_submatch_n(
		`^([a-z0-9-]+)-docker\.pkg\.dev/([^/]+)/$`,
		object.get(name, "prefix", ""), 1,
	)
	regex.match(`^/[^/]`, object.get(name, "suffix", ""))
	agrees(r, "location", location)
	agrees(r, "project", project)
}

# The data.aws_ecr_repository a name reads its URL from. One that names another account's
# registry (registry_id written) cannot be this configuration's repository.
ecr_data_sources(w, name) := {ds |
	some ref in usable_refs(name)
	ref.attribute == "repository_url"
	regex.match(`(^|\.)data\.aws_ecr_repository\.[^.\[]+$`, ref.address)
	some ds in data_source_index[[w.root, ref.instance]]
	ds.type == "aws_ecr_repository"
	names(w, ref, ds)
	not object.get(ds, ["attributes", "registry_id", "set"], false)
}

ecr_host := `^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`

gar_host := `^([a-z0-9-]+)-docker\.pkg\.dev$`

acr_host := `^.+-registry(-vpc)?\.[a-z0-9-]+\.cr\.aliyuncs\.com$`

by_host(name, r) if {
	r.type in ecr_types
	regex.match(ecr_host, lower(name.registry))
	ecr_name(r) == name.repository
}

by_host(name, r) if {
	r.type == "google_artifact_registry_repository"
	[[_, location]] := regex.find_all_string_submatch_n(gar_host, lower(name.registry), 1)
	parts := split(name.repository, "/")
	count(parts) > 2
	text(r, "repository_id") == parts[1]
	agrees(r, "location", location)
	agrees(r, "project", parts[0])
}

by_host(name, r) if {
	r.type == "alicloud_cr_ee_repo"
	regex.match(acr_host, lower(name.registry))
	[namespace, repository] := split(name.repository, "/")
	text(r, "namespace") == namespace
	text(r, "name") == repository
}

# An attribute that is not known, or not written, does not rule the repository out.
agrees(r, attribute, value) if text(r, attribute) == value

agrees(r, attribute, _) if not text(r, attribute)

# --- what a repository does to a tag -------------------------------------------------------

# The decision of repository r for tag (null when the tag is unknown: the decision for every
# tag): {state, why, at}, state one of immutable, mutable, unknown, unproven (tagguard cannot
# prove its tags); at is the value that decides, why says how.
decision(r, tag) := ecr(r, tag) if r.type in ecr_types

decision(r, _) := gar(r) if r.type == "google_artifact_registry_repository"

decision(r, tag) := acr(r, tag) if r.type == "alicloud_cr_ee_repo"

not_set := {"set": false, "known": true}

attribute(r, name) := object.get(r, ["attributes", name], not_set)

# The deciding value: the attribute where it is written, or the repository block.
decided_at(r, a) := a if a.location

else := r

decide(state, at, why) := {"state": state, "at": at, "why": why}

unknown_decision(r, name, a) := {
	"state": "unknown", "at": decided_at(r, a),
	"subject": sprintf("%s of %s", [name, r.address]),
	"reason": object.get(a, "reason", "unknown value"),
	"why": sprintf("%s cannot be known before apply (%s)", [name, object.get(a, "reason", "unknown value")]),
}

ecr(r, tag) := unknown_decision(r, "image_tag_mutability", m) if {
	m := attribute(r, "image_tag_mutability")
	not m.known
} else := decide("immutable", r, "IMMUTABLE") if {
	attribute(r, "image_tag_mutability").value == "IMMUTABLE"
} else := ecr_exclusion(r, attribute(r, "image_tag_mutability"), tag) if {
	attribute(r, "image_tag_mutability").value in {"IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"}
} else := decide("mutable", decided_at(r, m), why) if {
	m := attribute(r, "image_tag_mutability")
	why := ecr_mutable_why(m)
}

ecr_mutable_why(m) := "image_tag_mutability is not set, and the provider default is MUTABLE" if not m.set

else := sprintf("image_tag_mutability is %s", [lib.quote(m.value)])

# The exclusion filters of an ECR repository: {known, reason?, at, filters: [{value, at}]}.
ecr_filters(r) := awscc_filters(r) if r.type == "awscc_ecr_repository"

else := aws_filters(attribute(r, "image_tag_mutability_exclusion_filter"))

aws_filters(a) := object.union(a, {"filters": [{"value": f.filter, "at": decided_at(a, f)} |
	some f in a.value
	is_string(object.get(f, "filter", null))
]}) if {
	a.known
	every f in a.value {
		f.known
	}
} else := object.union(a, {"known": false})

awscc_filters(r) := object.union(a, {"filters": [{"value": v, "at": a} |
	some e in a.value
	v := object.get(e, "image_tag_mutability_exclusion_filter_value", null)
	is_string(v)
]}) if {
	a := attribute(r, "image_tag_mutability_exclusion_filters")
	a.known
	is_array(object.get(a, "value", []))
} else := object.union(attribute(r, "image_tag_mutability_exclusion_filters"), {"known": false}) if {
	not attribute(r, "image_tag_mutability_exclusion_filters").known
} else := {"known": true, "filters": []}

ecr_exclusion(r, m, tag) := unknown_decision(r, "the exclusion filters", fs) if {
	fs := ecr_filters(r)
	not fs.known
} else := ecr_matched(r, m, [f | some f in ecr_filters(r).filters; lib.pattern_covers(f.value, tag)], tag) if {
	tag != null
} else := decide("immutable", r, "IMMUTABLE_WITH_EXCLUSION without a filter") if {
	m.value == "IMMUTABLE_WITH_EXCLUSION"
	count(ecr_filters(r).filters) == 0
} else := decide("mutable", decided_at(r, m), sprintf(
	"image_tag_mutability is %s: the tags its filters %s match can move",
	[m.value, lib.quote([f.value | some f in ecr_filters(r).filters])],
)) if {
	m.value == "IMMUTABLE_WITH_EXCLUSION"
} else := decide("mutable", decided_at(r, m), concat(" ", [
	"image_tag_mutability is MUTABLE_WITH_EXCLUSION:",
	"the tags no filter matches can move",
]))

# A known tag under *_WITH_EXCLUSION, with the filters that match it.
ecr_matched(r, m, matched, tag) := decide("mutable", matched[0].at, sprintf(
	"image_tag_mutability is IMMUTABLE_WITH_EXCLUSION and its exclusion filter %s leaves %s mutable",
	[lib.quote(matched[0].value), lib.quote(tag)],
)) if {
	m.value == "IMMUTABLE_WITH_EXCLUSION"
	count(matched) > 0
} else := decide("immutable", r, "IMMUTABLE_WITH_EXCLUSION, no filter matches the tag") if {
	m.value == "IMMUTABLE_WITH_EXCLUSION"
} else := decide("immutable", matched[0].at, "MUTABLE_WITH_EXCLUSION, a filter makes the tag immutable") if {
	count(matched) > 0
} else := decide("mutable", decided_at(r, m), sprintf(
	"image_tag_mutability is MUTABLE_WITH_EXCLUSION and no exclusion filter matches %s",
	[lib.quote(tag)],
))

# Artifact Registry: a standard DOCKER repository with docker_config { immutable_tags = true }.
gar(r) := unknown_decision(r, "format", attribute(r, "format")) if {
	not attribute(r, "format").known
} else := unknown_decision(r, "mode", attribute(r, "mode")) if {
	not attribute(r, "mode").known
} else := decide("unproven", decided_at(r, attribute(r, "mode")), sprintf(
	"mode is %s: its images come from other registries, whose tags tagguard cannot see",
	[lib.quote(object.get(attribute(r, "mode"), "value", null))],
)) if {
	attribute(r, "mode").value in {"REMOTE_REPOSITORY", "VIRTUAL_REPOSITORY"}
} else := decide("unproven", decided_at(r, attribute(r, "format")), sprintf(
	"format is %s, not DOCKER: it holds no Docker tags tagguard can judge",
	[lib.quote(object.get(attribute(r, "format"), "value", null))],
)) if {
	not upper(trim_space(text(r, "format"))) == "DOCKER"
} else := unknown_decision(r, "docker_config", d) if {
	d := attribute(r, "docker_config")
	not d.known
} else := unknown_decision(r, "docker_config.immutable_tags", b) if {
	some b in attribute(r, "docker_config").value
	not b.known
} else := decide("immutable", r, "docker_config.immutable_tags is true") if {
	some b in attribute(r, "docker_config").value
	object.get(b, "immutable_tags", null) in {true, "true"}
} else := decide("mutable", gar_at(r), concat(" ", [
	"docker_config.immutable_tags is not true,",
	"and Docker tags are mutable by default",
]))

gar_at(r) := b.field_origins.immutable_tags if {
	some b in attribute(r, "docker_config").value
	b.field_origins.immutable_tags.location
} else := b if {
	some b in attribute(r, "docker_config").value
	b.location
} else := r

# ACR Enterprise Edition: tag_immutability = true makes every tag immutable except latest.
acr(r, tag) := unknown_decision(r, "tag_immutability", a) if {
	a := attribute(r, "tag_immutability")
	not a.known
} else := decide("mutable", decided_at(r, a), "ACR exempts latest from tag_immutability") if {
	a := attribute(r, "tag_immutability")
	a.value in {true, "true"}
	tag in {"latest", null}
} else := decide("immutable", attribute(r, "tag_immutability"), "tag_immutability is true") if {
	attribute(r, "tag_immutability").value in {true, "true"}
} else := decide("mutable", decided_at(r, a), why) if {
	a := attribute(r, "tag_immutability")
	why := acr_mutable_why(a)
}

acr_mutable_why(a) := "tag_immutability is not set, and ACR's default is mutable" if not a.set

else := sprintf("tag_immutability is %s", [lib.quote(a.value)])
