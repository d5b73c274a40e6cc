package tagguard.rules.harbor_tag_immutability_test

import data.tagguard.rules.harbor_tag_immutability as policy

loc(line) := {"file": "main.tf", "line": line, "column": 19, "end_line": line, "end_column": 23}

project(address, attributes) := {
	"address": address,
	"type": "harbor_project",
	"root": ".",
	"location": {"file": "main.tf", "line": 1, "column": 1},
	"attributes": attributes,
}

tag_rule(address, attributes) := {
	"address": address,
	"type": "harbor_immutable_tag_rule",
	"root": ".",
	"location": {"file": "main.tf", "line": 10, "column": 1},
	"attributes": attributes,
}

known(value, line) := {"set": true, "known": true, "value": value, "location": loc(line)}

unknown(reason) := {"set": true, "known": false, "reason": reason, "location": loc(20)}

points(instance) := {
	"set": true, "known": false, "reason": "known only after apply",
	"refs": [{"address": instance, "attribute": "id", "instance": instance}],
	"location": loc(11),
}

apps := project("harbor_project.apps", {"name": known("apps", 2)})

# A rule of apps over every repository and tag, with the attributes of extra in place of its own.
covering(extra) := tag_rule("harbor_immutable_tag_rule.apps", object.union(
	object.remove(
		{"project_id": points("harbor_project.apps"), "repo_matching": known("**", 12), "tag_matching": known("**", 13)},
		object.keys(extra),
	),
	extra,
))

found(fs) := {[f.resource, f.messageId, f.severity, object.get(f.location, "line", 0)] | some f in fs}

test_a_rule_over_every_repository_and_tag_passes if {
	fs := policy.deny with input as {"resources": [apps, covering({})]}
	count(found(fs)) == 0
}

test_tag_excluding_only_allowed_tags_passes if {
	r := covering({"tag_matching": not_written, "tag_excluding": known("latest", 13)})
	fs := policy.deny with input as {"resources": [apps, r]}
	count(found(fs)) == 0
}

not_written := {"set": false, "known": true}

test_no_rule_is_an_error_at_the_project if {
	fs := policy.deny with input as {"resources": [apps]}
	found(fs) == {["harbor_project.apps", "no_immutable_rule", "error", 1]}
}

test_a_rule_for_another_project_does_not_count if {
	other := project("harbor_project.other", {"name": known("other", 3)})
	fs := policy.deny with input as {"resources": [apps, other, covering({})]}
	found(fs) == {["harbor_project.other", "no_immutable_rule", "error", 1]}
}

test_a_narrow_tag_pattern_is_an_error_at_the_pattern_and_the_project if {
	fs := policy.deny with input as {"resources": [apps, covering({"tag_matching": known("v*", 13)})]}
	found(fs) == {
		["harbor_project.apps", "no_immutable_rule", "error", 1],
		["harbor_immutable_tag_rule.apps", "tag_matching", "error", 13],
	}
}

test_tag_excluding_beyond_the_allow_list_is_an_error if {
	r := covering({"tag_matching": not_written, "tag_excluding": known("{latest,dev}", 13)})
	fs := policy.deny with input as {"resources": [apps, r]}
	found(fs) == {
		["harbor_project.apps", "no_immutable_rule", "error", 1],
		["harbor_immutable_tag_rule.apps", "tag_excluding", "error", 13],
	}
}

test_the_allow_list_comes_from_the_config if {
	r := covering({"tag_matching": not_written, "tag_excluding": known("{latest,dev}", 13)})
	count(policy.deny) == 0 with input as {"resources": [apps, r], "config": {"allowed_mutable_tags": ["latest", "dev"]}}
}

test_repo_excluding_is_an_error_at_it if {
	fs := policy.deny with input as {"resources": [apps, covering({"repo_excluding": known("internal/**", 14)})]}
	found(fs) == {
		["harbor_project.apps", "no_immutable_rule", "error", 1],
		["harbor_immutable_tag_rule.apps", "repo_excluding", "error", 14],
	}
}

test_a_disabled_rule_is_an_error_at_disabled if {
	fs := policy.deny with input as {"resources": [apps, covering({"disabled": known(true, 15)})]}
	found(fs) == {
		["harbor_project.apps", "no_immutable_rule", "error", 1],
		["harbor_immutable_tag_rule.apps", "rule_disabled", "error", 15],
	}
}

test_a_narrow_rule_beside_a_covering_one_passes if {
	narrow := tag_rule("harbor_immutable_tag_rule.narrow", {
		"project_id": points("harbor_project.apps"),
		"repo_matching": known("**", 12), "tag_matching": known("v*", 13),
	})
	fs := policy.deny with input as {"resources": [apps, covering({}), narrow]}
	count(found(fs)) == 0
}

test_an_unknown_pattern_is_a_warning_at_it if {
	fs := policy.deny with input as {"resources": [apps, covering({"tag_matching": unknown("var.pattern")})]}
	found(fs) == {
		["harbor_immutable_tag_rule.apps", "unknown", "warning", 20],
	}
}

test_an_unknown_project_id_is_a_warning_not_an_error if {
	r := covering({"project_id": unknown("data.harbor_project.x.id")})
	fs := policy.deny with input as {"resources": [apps, r]}
	found(fs) == {["harbor_immutable_tag_rule.apps", "unknown", "warning", 20]}
}

test_a_literal_project_path_joins_by_name if {
	fs := policy.deny with input as {"resources": [apps, covering({"project_id": known("/projects/apps", 11)})]}
	count(found(fs)) == 0
}

test_instances_join_by_instance_address if {
	a := project(`harbor_project.p["a"]`, {"name": known("a", 2)})
	b := project(`harbor_project.p["b"]`, {"name": known("b", 2)})
	r := tag_rule(`harbor_immutable_tag_rule.r["a"]`, {
		"project_id": points(`harbor_project.p["a"]`),
		"repo_matching": known("**", 12), "tag_matching": known("**", 13),
	})
	fs := policy.deny with input as {"resources": [a, b, r]}
	found(fs) == {[`harbor_project.p["b"]`, "no_immutable_rule", "error", 1]}
}

test_a_proxy_cache_project_is_not_judged if {
	fs := policy.deny with input as {"resources": [project("harbor_project.cache", {"registry_id": known(3, 2)})]}
	count(found(fs)) == 0
}

test_a_registry_id_read_from_a_registry_is_a_proxy_cache if {
	registry := {
		"set": true, "known": false, "reason": "harbor_registry.hub.registry_id is known only after apply",
		"refs": [{"address": "harbor_registry.hub", "attribute": "registry_id", "instance": "harbor_registry.hub"}],
		"location": loc(3),
	}
	fs := policy.deny with input as {"resources": [project("harbor_project.cache", {"registry_id": registry})]}
	count(found(fs)) == 0
}

test_an_unknown_registry_id_is_a_warning if {
	cache := project("harbor_project.cache", {"registry_id": unknown("var.registry")})
	fs := policy.deny with input as {"resources": [cache]}
	found(fs) == {["harbor_project.cache", "unknown", "warning", 20]}
}

test_rules_in_another_root_do_not_count if {
	elsewhere := object.union(covering({}), {"root": "envs/other"})
	fs := policy.deny with input as {"resources": [apps, elsewhere]}
	found(fs) == {["harbor_project.apps", "no_immutable_rule", "error", 1]}
}
