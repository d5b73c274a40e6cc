# METADATA
# description: Helpers shared by tagguard policies.
package tagguard.lib

# METADATA
# description: >-
#   The rule descriptor of a policy, from the METADATA chain of the rule that calls it:
#   the package annotation carries title, description and the custom fields.
describe(chain) := object.union(
	object.get(pkg, "custom", {}),
	{
		"title": object.get(pkg, "title", ""),
		"description": object.get(pkg, "description", ""),
		"links": [link.ref | some link in object.get(pkg, "related_resources", [])],
	},
) if {
	some entry in chain
	entry.annotations.scope == "package"
	pkg := entry.annotations
}

# METADATA
# description: >-
#   A finding on a resource. at is the object the rule objects to (an attribute or a
#   filter that carries its own location, or the resource itself): the engine reports
#   the location of that object, never a line computed here. message_id is the key of
#   message in the rule's messages, so tests and fixers read the id, not the prose.
finding(rule, resource, at, severity, message_id, message) := {
	"ruleId": rule.id,
	"severity": severity,
	"messageId": message_id,
	"message": message,
	"resource": resource.address,
	"root": object.get(resource, "root", ""),
	"location": object.get(at, "location", null),
	"trace": object.get(at, "trace", []),
}

# METADATA
# description: >-
#   A value as a message prints it: JSON text, so a string is quoted and escaped (a
#   heredoc's trailing newline reads as \n, a quote as \") and other values read as JSON.
quote(v) := json.marshal(v)

# METADATA
# description: >-
#   True when every tag that wildcard filter f matches also matches pattern p, with
#   ECR's WILDCARD semantics: a '*' of p matches any run of characters (none, dots and
#   a '*' of f included), so "dev-*" covers "dev-*" and "dev-pr-*", "v*" covers "v1.2.*"
#   and "*" covers anything. Every other character is literal: '?', '[a]', '{a,b}' and
#   '\' match only themselves (glob.match would read them as wildcards and escapes).
pattern_covers(p, f) if regex.match(wildcard_regex(p), f)

# The whole-string regular expression of a pattern: each '*' is ".*", the text between is literal.
wildcard_regex(p) := sprintf("(?s)^%s$", [concat(".*", [literal_regex(part) | some part in split(p, "*")])])

# A regular expression that matches exactly s: RE2 quoting, with a \E inside s quoted apart.
literal_regex(s) := sprintf(`\Q%s\E`, [replace(s, `\E`, `\E\\E\Q`)])
