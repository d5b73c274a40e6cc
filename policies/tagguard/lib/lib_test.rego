package tagguard.lib_test

import data.tagguard.lib

test_pattern_covers_equal_literal if lib.pattern_covers("latest", "latest")

test_pattern_covers_star_covers_all if lib.pattern_covers("*", "release-*")

test_pattern_covers_prefix_wildcard if lib.pattern_covers("dev-*", "dev-feature-*")

test_pattern_does_not_cover_wider_filter if not lib.pattern_covers("dev-*", "*")

test_pattern_does_not_cover_other_tag if not lib.pattern_covers("latest", "stable")

test_describe_reads_package_annotation if {
	chain := [
		{"path": ["x"], "annotations": {"scope": "rule"}},
		{"path": ["p"], "annotations": {
			"scope": "package", "title": "T", "description": "D",
			"related_resources": [{"ref": "https://example.com/a"}],
			"custom": {"id": "some-rule", "severity": "error"},
		}},
	]
	d := lib.describe(chain)
	d.id == "some-rule"
	d.title == "T"
	d.links == ["https://example.com/a"]
}

test_pattern_covers_star_covers_dots if lib.pattern_covers("v*", "v1.2.*")

test_pattern_covers_star_covers_nothing if lib.pattern_covers("latest*", "latest")

test_pattern_covers_star_in_the_middle if lib.pattern_covers("v*-rc", "v1.*-rc")

test_pattern_question_mark_is_literal if {
	not lib.pattern_covers("dev-?", "dev-*")
	not lib.pattern_covers("dev-?", "dev-a")
	lib.pattern_covers("dev-?", "dev-?")
}

test_pattern_brackets_are_literal if {
	not lib.pattern_covers("dev-[a]", "dev-a")
	not lib.pattern_covers("[!x]*", "a*")
	lib.pattern_covers("dev-[a]", "dev-[a]")
}

test_pattern_braces_are_literal if {
	not lib.pattern_covers("{a,b}", "a")
	not lib.pattern_covers("{dev,test}-*", "dev-*")
	lib.pattern_covers("{a,b}", "{a,b}")
}

test_pattern_backslash_is_literal if {
	not lib.pattern_covers(`dev-\*`, "dev-*")
	lib.pattern_covers(`dev-\*`, `dev-\x`)
	lib.pattern_covers(`a\E*`, `a\Exy`)
	lib.pattern_covers(`\Q*`, `\Qx`)
}

test_pattern_regex_metacharacters_are_literal if {
	not lib.pattern_covers("a.b", "axb")
	not lib.pattern_covers("a+", "aa")
	not lib.pattern_covers("(a|b)", "a")
	lib.pattern_covers("a.b|^$", "a.b|^$")
}

test_quote_escapes_newlines_and_quotes if lib.quote("a\"b\n") == `"a\"b\n"`

test_quote_prints_other_values_as_json if lib.quote(["x"]) == `["x"]`
