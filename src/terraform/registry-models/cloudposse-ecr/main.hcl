# Model of cloudposse/ecr/aws (v1.x) for tagguard. See ../README.md.
#
# Read from github.com/cloudposse/terraform-aws-ecr:
#   variables.tf and main.tf at 58d9346940ddb47b5653f79856e77c21c217f154 (the module's own
#     inputs below: same name, type and default; the aws_ecr_repository.name for_each,
#     name, image_tag_mutability and dynamic block copied as written)
#   context.tf is not in the index: the null-label inputs below (the last group) are taken
#     from the Inputs table of docs/terraform.md at 862fc85490c01d3c0f394e64c3cb025c444bdada
# Dropped: descriptions and validation blocks, lifecycle policies, IAM policy documents,
# repository policies, replication configuration, and the repository's other attributes
# (force_delete, encryption, scanning, tags).

variable "use_fullname" {
  type    = bool
  default = true
}

variable "principals_full_access" {
  type    = list(string)
  default = []
}

variable "principals_push_access" {
  type    = list(string)
  default = []
}

variable "principals_readonly_access" {
  type    = list(string)
  default = []
}

variable "principals_pull_though_access" {
  type    = list(string)
  default = []
}

variable "principals_lambda" {
  type    = list(string)
  default = []
}

variable "scan_images_on_push" {
  type    = bool
  default = true
}

variable "max_image_count" {
  type    = number
  default = 500
}

variable "time_based_rotation" {
  type    = bool
  default = false
}

variable "image_names" {
  type    = list(string)
  default = []
}

variable "image_tag_mutability" {
  type    = string
  default = "IMMUTABLE"
}

variable "image_tag_mutability_exclusion_filter" {
  type = list(object({
    filter      = string
    filter_type = optional(string, "WILDCARD")
  }))
  default = []
}

variable "enable_lifecycle_policy" {
  type    = bool
  default = true
}

variable "protected_tags" {
  type    = set(string)
  default = []
}

variable "protected_tags_keep_count" {
  type    = number
  default = 999999
}

variable "encryption_configuration" {
  type = object({
    encryption_type = string
    kms_key         = any
  })
  default = null
}

variable "force_delete" {
  type    = bool
  default = false
}

variable "replication_configurations" {
  type = list(object({
    rules = list(object({
      destinations = list(object({
        region      = string
        registry_id = string
      }))
      repository_filters = list(object({
        filter      = string
        filter_type = string
      }))
    }))
  }))
  default = []
}

variable "organizations_readonly_access" {
  type    = list(string)
  default = []
}

variable "organizations_full_access" {
  type    = list(string)
  default = []
}

variable "organizations_push_access" {
  type    = list(string)
  default = []
}

variable "prefixes_pull_through_repositories" {
  type    = list(string)
  default = []
}

variable "custom_lifecycle_rules" {
  type = list(object({
    description = optional(string)
    selection = object({
      tagStatus      = string
      countType      = string
      countNumber    = number
      countUnit      = optional(string)
      tagPrefixList  = optional(list(string))
      tagPatternList = optional(list(string))
    })
    action = object({
      type = string
    })
  }))
  default = []
}

variable "default_lifecycle_rules_settings" {
  type = object({
    untagged_image_rule = optional(object({
      enabled = optional(bool, true)
      }), {
      enabled = true
    })
    remove_old_image_rule = optional(object({
      enabled = optional(bool, true)
      }), {
      enabled = true
    })
  })
  default = {
    untagged_image_rule = {
      enabled = true
    }
    remove_old_image_rule = {
      enabled = true
    }
  }
}

# null-label (cloudposse/label/null 0.25.0) context inputs, as documented in docs/terraform.md.

variable "context" {
  type = any
  default = {
    enabled             = true
    namespace           = null
    tenant              = null
    environment         = null
    stage               = null
    name                = null
    delimiter           = null
    attributes          = []
    tags                = {}
    additional_tag_map  = {}
    regex_replace_chars = null
    label_order         = []
    id_length_limit     = null
    label_key_case      = null
    label_value_case    = null
    descriptor_formats  = {}
    labels_as_tags      = ["unset"]
  }
}

variable "enabled" {
  type    = bool
  default = null
}

variable "namespace" {
  type    = string
  default = null
}

variable "tenant" {
  type    = string
  default = null
}

variable "environment" {
  type    = string
  default = null
}

variable "stage" {
  type    = string
  default = null
}

variable "name" {
  type    = string
  default = null
}

variable "delimiter" {
  type    = string
  default = null
}

variable "attributes" {
  type    = list(string)
  default = []
}

variable "labels_as_tags" {
  type    = set(string)
  default = ["default"]
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "additional_tag_map" {
  type    = map(string)
  default = {}
}

variable "label_order" {
  type    = list(string)
  default = null
}

variable "regex_replace_chars" {
  type    = string
  default = null
}

variable "id_length_limit" {
  type    = number
  default = null
}

variable "label_key_case" {
  type    = string
  default = null
}

variable "label_value_case" {
  type    = string
  default = null
}

variable "descriptor_formats" {
  type    = any
  default = {}
}

locals {
  # Simplification of upstream's module "this" (cloudposse/label/null), which is not
  # modelled: module.this.enabled is var.enabled, true when null (var.context is ignored);
  # module.this.id is namespace, stage and name joined by "-" with nulls dropped (no
  # tenant, environment or attributes, no label_order, no case change, no regex_replace_chars,
  # no id_length_limit); module.this.name is var.name as given.
  this_enabled = var.enabled == null ? true : var.enabled
  this_id      = join("-", compact([var.namespace, var.stage, var.name]))
  this_name    = var.name
}

locals {
  _name       = var.use_fullname ? local.this_id : local.this_name
  image_names = length(var.image_names) > 0 ? var.image_names : [local._name]
}

resource "aws_ecr_repository" "name" {
  for_each             = toset(local.this_enabled ? local.image_names : [])
  name                 = each.value
  image_tag_mutability = var.image_tag_mutability

  dynamic "image_tag_mutability_exclusion_filter" {
    for_each = var.image_tag_mutability_exclusion_filter
    content {
      filter      = image_tag_mutability_exclusion_filter.value.filter
      filter_type = image_tag_mutability_exclusion_filter.value.filter_type
    }
  }
}
