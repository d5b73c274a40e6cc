package tagguard.main_test

import data.tagguard.main

test_findings_gather_rule_packages if {
	repo := {"address": "aws_ecr_repository.a", "type": "aws_ecr_repository", "attributes": {}}
	fs := main.findings with input as {"resources": [repo]}
	some f in fs
	f.ruleId == "ecr-tag-immutability"
}

test_rules_lists_descriptors if {
	some r in main.rules
	r.id == "ecr-tag-immutability"
}
