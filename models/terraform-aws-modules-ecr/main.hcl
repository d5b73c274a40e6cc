# Model of terraform-aws-modules/ecr/aws (v3.x) for tagguard. See ../README.md.
#
# Read from github.com/terraform-aws-modules/terraform-aws-ecr:
#   variables.tf at 019cef510b23e29b993ab030442576e497414d13 (every input below: same
#     name, type and default; descriptions and nothing else dropped)
#   main.tf at 250bc2a9afeb29cdfcac73f5ce497e7ec9a85674 (the locals and the
#     aws_ecr_repository.this gating and expressions below, copied as written)
# Only aws_ecr_repository.this is kept, with name, image_tag_mutability and the
# image_tag_mutability_exclusion_filter dynamic block. Dropped: the IAM policy document,
# repository and lifecycle policies, the public repository (aws_ecrpublic_repository has no
# tag mutability), registry policy, pull through cache rules, scanning and replication, and
# the repository's other attributes (encryption, force_delete, scanning, region, tags).

variable "create" {
  type    = bool
  default = true
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "repository_type" {
  type    = string
  default = "private"
}

variable "region" {
  type    = string
  default = null
}

variable "create_repository" {
  type    = bool
  default = true
}

variable "repository_name" {
  type    = string
  default = ""
}

variable "repository_image_tag_mutability" {
  type    = string
  default = "IMMUTABLE"
}

variable "repository_encryption_type" {
  type    = string
  default = null
}

variable "repository_kms_key" {
  type    = string
  default = null
}

variable "repository_image_scan_on_push" {
  type    = bool
  default = true
}

variable "repository_policy" {
  type    = string
  default = null
}

variable "repository_force_delete" {
  type    = bool
  default = null
}

variable "repository_image_tag_mutability_exclusion_filter" {
  type = list(object({
    filter      = string
    filter_type = string
  }))
  default = null
}

variable "attach_repository_policy" {
  type    = bool
  default = true
}

variable "create_repository_policy" {
  type    = bool
  default = true
}

variable "repository_read_access_arns" {
  type    = list(string)
  default = []
}

variable "repository_lambda_read_access_arns" {
  type    = list(string)
  default = []
}

variable "repository_read_write_access_arns" {
  type    = list(string)
  default = []
}

variable "repository_policy_statements" {
  type = map(object({
    sid           = optional(string)
    actions       = optional(list(string))
    not_actions   = optional(list(string))
    effect        = optional(string)
    resources     = optional(list(string))
    not_resources = optional(list(string))
    principals = optional(list(object({
      type        = string
      identifiers = list(string)
    })))
    not_principals = optional(list(object({
      type        = string
      identifiers = list(string)
    })))
    conditions = optional(list(object({
      test     = string
      values   = list(string)
      variable = string
    })))
  }))
  default = null
}

variable "create_lifecycle_policy" {
  type    = bool
  default = true
}

variable "repository_lifecycle_policy" {
  type    = string
  default = ""
}

variable "public_repository_catalog_data" {
  type = object({
    about_text        = optional(string)
    architectures     = optional(list(string))
    description       = optional(string)
    logo_image_blob   = optional(string)
    operating_systems = optional(list(string))
    usage_text        = optional(string)
  })
  default = null
}

variable "create_registry_policy" {
  type    = bool
  default = false
}

variable "registry_policy" {
  type    = string
  default = null
}

variable "registry_pull_through_cache_rules" {
  type = map(object({
    ecr_repository_prefix      = string
    upstream_registry_url      = string
    credential_arn             = optional(string)
    custom_role_arn            = optional(string)
    upstream_repository_prefix = optional(string)
    region                     = optional(string)
  }))
  default = {}
}

variable "manage_registry_scanning_configuration" {
  type    = bool
  default = false
}

variable "registry_scan_type" {
  type    = string
  default = "ENHANCED"
}

variable "registry_scan_rules" {
  type = list(object({
    scan_frequency = string
    filter = list(object({
      filter      = string
      filter_type = optional(string)
    }))
  }))
  default = null
}

variable "create_registry_replication_configuration" {
  type    = bool
  default = false
}

variable "registry_replication_rules" {
  type = list(object({
    destinations = list(object({
      region      = string
      registry_id = string
    }))
    repository_filters = optional(list(object({
      filter      = string
      filter_type = string
    })))
  }))
  default = null
}

locals {
  create_private_repository = var.create && var.create_repository && var.repository_type == "private"
}

resource "aws_ecr_repository" "this" {
  count = local.create_private_repository ? 1 : 0

  name                 = var.repository_name
  image_tag_mutability = var.repository_image_tag_mutability

  dynamic "image_tag_mutability_exclusion_filter" {
    for_each = var.repository_image_tag_mutability_exclusion_filter != null ? var.repository_image_tag_mutability_exclusion_filter : []
    content {
      filter      = image_tag_mutability_exclusion_filter.value.filter
      filter_type = image_tag_mutability_exclusion_filter.value.filter_type
    }
  }
}
