# METADATA
# title: Harbor projects must make their tags immutable
# description: >-
#   A mutable tag can be moved to a new image digest. Containers that are already
#   running keep the old digest, so one tag now names two different builds: a rollback
#   or a scale-out pulls something nobody tested, and a deployment can no longer be
#   reproduced from its tag. Harbor makes tags immutable per project, with tag
#   immutability rules (harbor_immutable_tag_rule, project_id pointing at the project).
#   Rules are OR-ed: a project is compliant when one enabled rule matches every
#   repository (repo_matching = "**", no repo_excluding) and every tag (tag_matching =
#   "**"), or every tag but the allowed mutable tags (tag_excluding, which the provider
#   sends instead of tag_matching when both are set). A project no such rule points at
#   is an error at the project block, and each rule of that project that leaves
#   repositories or tags out is an error at its pattern. The rules are joined to the
#   project through references (project_id = harbor_project.x.id, or its project_id or
#   name), instance by instance under count and for_each, or through a literal
#   "/projects/<name>". A proxy cache project (registry_id set) takes no pushes and is
#   not judged.
# related_resources:
#   - ref: https://goharbor.io/docs/latest/working-with-projects/working-with-images/create-tag-immutability-rules
#     description: Harbor tag immutability rules
#   - ref: https://registry.terraform.io/providers/goharbor/harbor/latest/docs/resources/immutable_tag_rule
#     description: harbor_immutable_tag_rule (Terraform Harbor provider)
# custom:
#   id: harbor-tag-immutability
#   aliases: []
#   severity: error
#   # harbor_immutable_tag_rule is read to judge the projects; its own findings are on its patterns.
#   resource_types: [harbor_project, harbor_immutable_tag_rule]
#   # Judged together: the CDKTF aspect gives the policy every construct of these types in the stack.
#   joins: true
#   # No nested blocks are read: the project's (goharbor/terraform-provider-harbor
#   # provider/resource_project.go at 489db88a) decide nothing here, and the rule has none.
#   tags: [security, containers, terraform, iac]
#   recommended_action: >-
#     Point one enabled harbor_immutable_tag_rule at every project, with
#     repo_matching = "**" and tag_matching = "**" (or tag_excluding naming only the
#     allowed mutable tags).
#   verdicts_of: the harbor_immutable_tag_rule resources whose project_id points at the project
#   verdicts:
#     - value: an enabled rule with repo_matching = "**" and tag_matching = "**"
#       verdict: pass
#     - value: an enabled rule with repo_matching = "**" and tag_excluding naming only allowed mutable tags
#       verdict: pass
#     - value: no rule points at the project
#       verdict: error, reported at the project block
#     - value: every rule of the project is disabled, excludes repositories, or leaves tags out
#       verdict: error at the project block, and an error at each such rule's pattern
#     - value: a narrower rule beside a rule that covers everything
#       verdict: pass (rules are OR-ed)
#     - value: a rule's project_id, patterns or disabled unknown before apply
#       verdict: warning with the reason (--unknown error|warn|ignore)
#     - value: registry_id set (a proxy cache project)
#       verdict: not judged (takes no pushes)
#   fix_hcl: |-
#     resource "harbor_project" "apps" {
#       name = "apps"
#     }
#
#     resource "harbor_immutable_tag_rule" "apps" {
#       project_id    = harbor_project.apps.id
#       repo_matching = "**"
#       tag_matching  = "**"
#     }
#   fix_cdktf: |-
#     const rule = new TerraformResource(this, "apps-immutable", {
#       terraformResourceType: "harbor_immutable_tag_rule",
#     });
#     rule.addOverride("project_id", project.getStringAttribute("id"));
#     rule.addOverride("repo_matching", "**");
#     rule.addOverride("tag_matching", "**");
package tagguard.rules.harbor_tag_immutability

import data.tagguard.lib

# METADATA
# description: Rule metadata, read by tagguard explain and the report formats.
rule := lib.describe(rego.metadata.chain())

# Messages by id. Templates take their values through sprintf, each value quoted with lib.quote.
messages := {
	"no_immutable_rule": concat(" ", [
		"no enabled harbor_immutable_tag_rule makes every tag of every repository in this project immutable,",
		"so a push can move a tag to a new image: add one with project_id = %s, repo_matching = \"**\"",
		"and tag_matching = \"**\" (or tag_excluding = the allowed mutable tags)",
	]),
	"rule_disabled": "this immutability rule of %s is disabled, so it keeps no tag from moving: set disabled = false",
	"repo_excluding": concat(" ", [
		"repo_excluding = %s leaves repositories of %s out of this rule, so their tags can move:",
		"use repo_matching = \"**\"",
	]),
	"repo_matching": "repo_matching = %s leaves repositories of %s out of this rule, so their tags can move: use \"**\"",
	"repo_not_set": concat(" ", [
		"this rule of %s names no repositories (neither repo_matching nor repo_excluding):",
		"set repo_matching = \"**\"",
	]),
	"tag_matching": concat(" ", [
		"tag_matching = %s leaves tags of %s mutable, so a push can move them:",
		"use \"**\" (tag_excluding may name the allowed mutable tags %s)",
	]),
	"tag_excluding": "tag_excluding = %s leaves tags of %s mutable that the allowed mutable tags %s do not cover",
	"tag_not_set": "this rule of %s names no tags (neither tag_matching nor tag_excluding): set tag_matching = \"**\"",
	"unknown": "%s cannot be known before apply (%s); tag immutability of %s is not proven",
}

unknown_mode := object.get(input, ["config", "unknown"], "warn")

allowed_tags := object.get(input, ["config", "allowed_mutable_tags"], ["latest"])

not_set := {"set": false, "known": true}

attribute(r, name) := object.get(r, ["attributes", name], not_set)

# A string attribute's value when it is set to a non-empty string; the provider reads "" as not set.
text(r, name) := v if {
	a := attribute(r, name)
	a.known
	v := object.get(a, "value", "")
	is_string(v)
	v != ""
}

projects contains p if {
	some p in input.resources
	p.type == "harbor_project"
	not proxy_cache(p)
}

proxy_cache(p) if {
	a := attribute(p, "registry_id")
	a.known
	not object.get(a, "value", "") in {"", null}
}

proxy_cache(p) if {
	a := attribute(p, "registry_id")
	a.set
	not a.known
}

rules contains r if {
	some r in input.resources
	r.type == "harbor_immutable_tag_rule"
}

# The attributes of a project that identify it to the Harbor API.
identifying := {"id", "project_id", "name"}

# Rule r points at project p: by reference to the same instance, or by the project's name or id,
# in the same Harbor (the same provider configuration: a rule sent to another Harbor protects nothing here).
points_at(r, p) if {
	same_harbor(r, p)
	some ref in joined(attribute(r, "project_id"))
	ref.instance == p.address
	object.get(ref, "attribute", "id") in identifying
}

points_at(r, p) if {
	same_harbor(r, p)
	wanted := trim_prefix(text(r, "project_id"), "/projects/")
	some name in identifying
	a := attribute(p, name)
	a.known
	wanted == trim_prefix(format_int_or_text(a.value), "/projects/")
}

same_harbor(r, p) if {
	r.root == p.root
	harbor_of(r) == harbor_of(p)
}

# The provider configuration of a resource, as its root names it; a plan scanned alone has none.
harbor_of(x) := object.get(x, "provider", "harbor")

# The references that name a project: the attribute itself (project_id = harbor_project.x.id), or its
# API path ("/projects/${harbor_project.x.project_id}"). A value computed from one ("${x.id}0", x.id + 1)
# names no project that can be told.
joined(a) := array.concat(
	[ref | some ref in object.get(a, "refs", []); not ref.derived],
	[ref |
		[path, part] := object.get(a, "template", [])
		path.value == "/projects/"
		[ref] := object.get(part, "refs", [])
		not ref.derived
		object.get(ref, "attribute", "") in {"project_id", "name"}
	],
)

format_int_or_text(v) := v if is_string(v)

format_int_or_text(v) := sprintf("%v", [v]) if is_number(v)

# A rule whose project_id is not known and names no project: it may point at any project of its root.
unresolved(r) if {
	a := attribute(r, "project_id")
	not a.known
	count([ref | some ref in joined(a); project_ref(ref)]) == 0
}

# A reference to a project, managed or read (data), in any module.
project_ref(ref) if regex.match(`(^|\.)(data\.)?harbor_project\.[^.]+$`, ref.address)

# As the provider converts a string to a bool (cty): "true" and "1" are true.
disabled(r) if object.get(attribute(r, "disabled"), "value", false) in {true, "true", "1"}

# A doublestar pattern's alternatives: {a,b} is a or b, when one brace group is the whole pattern.
# Any other use of braces ({team}/{x,**}) is one pattern, which covers everything only if it is "**".
alternatives(p) := split(substring(p, 1, count(p) - 2), ",") if single_group(p)

alternatives(p) := [p] if not single_group(p)

single_group(p) if {
	startswith(p, "{")
	endswith(p, "}")
	inner := substring(p, 1, count(p) - 2)
	not contains(inner, "{")
	not contains(inner, "}")
}

# "**" matches every repository path; a tag has no "/", so "*" matches every tag too.
covers_all(p, everything) if {
	some a in alternatives(p)
	a in everything
}

every_repository := {"**"}

every_tag := {"**", "*"}

# What is wrong with rule r, as [attribute or "", message id]; empty when it covers everything.
fault(r) := ["disabled", "rule_disabled"] if disabled(r)

fault(r) := ["repo_excluding", "repo_excluding"] if {
	not disabled(r)
	text(r, "repo_excluding")
}

fault(r) := ["repo_matching", "repo_matching"] if {
	not disabled(r)
	not text(r, "repo_excluding")
	not covers_all(text(r, "repo_matching"), every_repository)
	text(r, "repo_matching")
}

fault(r) := ["", "repo_not_set"] if {
	not disabled(r)
	not text(r, "repo_excluding")
	not text(r, "repo_matching")
	known_parts(r, {"repo_excluding", "repo_matching"})
}

fault(r) := ["tag_excluding", "tag_excluding"] if {
	repositories_covered(r)
	excluded := text(r, "tag_excluding")
	some a in alternatives(excluded)
	not allowed(a)
}

fault(r) := ["tag_matching", "tag_matching"] if {
	repositories_covered(r)
	not text(r, "tag_excluding")
	matching := text(r, "tag_matching")
	not covers_all(matching, every_tag)
}

fault(r) := ["", "tag_not_set"] if {
	repositories_covered(r)
	not text(r, "tag_excluding")
	not text(r, "tag_matching")
	known_parts(r, {"tag_excluding", "tag_matching"})
}

repositories_covered(r) if {
	not disabled(r)
	not text(r, "repo_excluding")
	covers_all(text(r, "repo_matching"), every_repository)
}

known_parts(r, names) if {
	every name in names {
		attribute(r, name).known
	}
}

allowed(tag) if {
	some p in allowed_tags
	lib.pattern_covers(p, tag)
}

# The parts of a rule that static evaluation cannot know and that decide its verdict.
unknown_parts(r) := [object.union(a, {"name": name}) |
	some name in ["disabled", "repo_excluding", "repo_matching", "tag_excluding", "tag_matching"]
	a := attribute(r, name)
	not a.known
]

compliant(r) if {
	repositories_covered(r)
	not fault(r)
	count(unknown_parts(r)) == 0
}

# A rule under an unknown count or for_each (its own or a module call's) may not exist.
uncertain(r) if r.existence.known == false

rules_of(p) := [r | some r in rules; points_at(r, p)]

protected(p) if {
	some r in rules_of(p)
	compliant(r)
	not uncertain(r)
}

# A rule that may point at p, but which project it points at cannot be told: its project_id is
# unknown and names no project, or names a repeated project without saying which instance.
may_point_at(r, p) if {
	same_harbor(r, p)
	unresolved(r)
}

may_point_at(r, p) if {
	same_harbor(r, p)
	some ref in joined(attribute(r, "project_id"))
	not ref.key
	startswith(p.address, sprintf("%s[", [ref.address]))
}

# Whether p is protected cannot be told: a rule of it is unknown or may not exist, or a rule may point at it.
undecided(p) if {
	some r in rules_of(p)
	count(unknown_parts(r)) > 0
}

undecided(p) if {
	some r in rules_of(p)
	compliant(r)
	uncertain(r)
}

undecided(p) if {
	some r in rules
	may_point_at(r, p)
	not fault(r)
}

# Why the project a rule points at cannot be told.
unresolved_reason(a) := sprintf("it reads %s without saying which instance", [ref.address]) if {
	some ref in joined(a)
	not ref.key
} else := object.get(a, "reason", "unknown value")

# The place to change: the rule's pattern, or the rule block when the pattern is not written.
fault_at(r, "") := r

fault_at(r, name) := attribute(r, name) if name != ""

# The message of a rule's fault.
fault_message(id, r, p) := sprintf(messages[id], [lib.quote(text(r, id)), p.address]) if {
	id in {"repo_excluding", "repo_matching"}
}

fault_message(id, r, p) := sprintf(messages[id], [lib.quote(text(r, id)), p.address, lib.quote(allowed_tags)]) if {
	id in {"tag_matching", "tag_excluding"}
}

fault_message(id, _, p) := sprintf(messages[id], [p.address]) if id in {"rule_disabled", "repo_not_set", "tag_not_set"}

# How the project's own module refers to it: its address without the module path.
reference_text(p) := sprintf("%s.id", [trim_prefix(p.address, sprintf("%s.", [p.module]))]) if p.module != ""

reference_text(p) := sprintf("%s.id", [p.address]) if object.get(p, "module", "") == ""

# A project with no enabled rule that covers it: the rules that fall short lead there.
deny contains lib.finding(rule, p, object.union(p, {"trace": steps}), "error", "no_immutable_rule", msg) if {
	some p in projects
	not protected(p)
	not undecided(p)
	steps := [step |
		some r in rules_of(p)
		step := {
			"file": r.location.file, "line": r.location.line, "column": r.location.column,
			"note": sprintf("%s points at this project but does not cover it", [r.address]),
		}
	]
	msg := sprintf(messages.no_immutable_rule, [reference_text(p)])
}

# Each rule of such a project, at the pattern that leaves repositories or tags out.
deny contains lib.finding(rule, r, fault_at(r, name), "error", id, msg) if {
	some p in projects
	not protected(p)
	not undecided(p)
	some r in rules_of(p)
	[name, id] := fault(r)
	msg := fault_message(id, r, p)
}

# Values that static evaluation cannot know: at each unknown part of a rule of an unprotected project.
deny contains lib.finding(rule, r, part, severity, "unknown", msg) if {
	severity := {"error": "error", "warn": "warning"}[unknown_mode]
	some p in projects
	not protected(p)
	some r in rules_of(p)
	some part in unknown_parts(r)
	msg := sprintf(messages.unknown, [part.name, object.get(part, "reason", "unknown value"), p.address])
}

# A rule whose project is unknown: once, naming the unprotected projects it may point at.
deny contains lib.finding(rule, r, a, severity, "unknown", msg) if {
	severity := {"error": "error", "warn": "warning"}[unknown_mode]
	some r in rules
	not fault(r)
	candidates := sort([p.address | some p in projects; may_point_at(r, p); not protected(p)])
	count(candidates) > 0
	a := attribute(r, "project_id")
	msg := sprintf(messages.unknown, ["the project this rule points at", unresolved_reason(a), concat(", ", candidates)])
}

# A covering rule that may not exist: whether it protects the project cannot be told.
deny contains lib.finding(rule, r, r.existence, severity, "unknown", msg) if {
	severity := {"error": "error", "warn": "warning"}[unknown_mode]
	some p in projects
	not protected(p)
	some r in rules_of(p)
	compliant(r)
	uncertain(r)
	msg := sprintf(messages.unknown, ["whether this rule exists", r.existence.reason, p.address])
}

# A project whose registry_id is unknown: whether it is a proxy cache cannot be told. A registry_id
# read from another resource (registry_id = harbor_registry.hub.registry_id) names a registry: a proxy cache.
deny contains lib.finding(rule, p, a, severity, "unknown", msg) if {
	severity := {"error": "error", "warn": "warning"}[unknown_mode]
	some p in input.resources
	p.type == "harbor_project"
	a := attribute(p, "registry_id")
	a.set
	not a.known
	count(object.get(a, "refs", [])) == 0
	msg := sprintf(messages.unknown, ["registry_id", object.get(a, "reason", "unknown value"), p.address])
}
