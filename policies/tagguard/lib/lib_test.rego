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

test_quote_escapes_newlines_and_quotes if lib.quote("a\"b\n") == `"a\"b\n"`

test_quote_prints_other_values_as_json if lib.quote(["x"]) == `["x"]`
