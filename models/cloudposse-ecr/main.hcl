# Model of cloudposse/ecr/aws v1.0.0 for tagguard. See ../README.md.
#
# Read from github.com/cloudposse/terraform-aws-ecr at tag v1.0.0
# (9a496651b7d64dd2700057e2f3b1741dd7321beb; main.tf, variables.tf and context.tf are the
# same at f1ab63e9b38c7cdf03dd9a0b5fbc2ac514cb845f, the newest commit read):
#   variables.tf: the module's own inputs below, same name, type and default
#   context.tf: the null-label inputs below, same name, type and default; its
#     module "this" (source cloudposse/label/null, version 0.25.0) is inlined further down
#   main.tf: local._name, local.image_names and aws_ecr_repository.name (for_each, name,
#     image_tag_mutability, the exclusion-filter dynamic block, tags) copied as written,
#     with module.this.<output> read from the inlined label's locals
# Read from github.com/cloudposse/terraform-null-label at tag 0.25.0
# (488ab91e34a24a86957e397d9f7262ec5925586a; main.tf, variables.tf and outputs.tf are the
# same at b1f52b20802c7c746001511da65ca2aa85dc0dbe, the newest commit read):
#   main.tf: its whole locals block, copied as written
#   outputs.tf: the outputs main.tf reads (enabled, id, name, tags), as this_* locals
# Dropped: descriptions and validation blocks, descriptors.tf, lifecycle policies, IAM
# policy documents, repository policies, replication configuration, and the repository's
# force_delete, encryption and scanning.

# ---------------------------------------------------------------------------
# variables.tf

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

# ---------------------------------------------------------------------------
# context.tf: the null-label inputs

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

# ---------------------------------------------------------------------------
# module "this" (context.tf): cloudposse/label/null 0.25.0, called with every context input
# above passed through unchanged (enabled = var.enabled, ..., context = var.context), so its
# var.* are this module's var.*. Its main.tf locals follow as written; none of their names
# is a local of the ECR module's main.tf that this model keeps (_name, image_names).

locals {

  defaults = {
    # The `tenant` label was introduced in v0.25.0. To preserve backward compatibility, or, really, to ensure
    # that people using the `tenant` label are alerted that it was not previously supported if they try to
    # use it in an older version, it is not included by default.
    label_order         = ["namespace", "environment", "stage", "name", "attributes"]
    regex_replace_chars = "/[^-a-zA-Z0-9]/"
    delimiter           = "-"
    replacement         = ""
    id_length_limit     = 0
    id_hash_length      = 5
    label_key_case      = "title"
    label_value_case    = "lower"

    # The default value of labels_as_tags cannot be included in this
    # defaults` map because it creates a circular dependency
  }

  default_labels_as_tags = keys(local.tags_context)
  # Unlike other inputs, the first setting of `labels_as_tags` cannot be later overridden. However,
  # we still have to pass the `input` map as the context to the next module. So we need to distinguish
  # between the first setting of var.labels_as_tags == null as meaning set the default and do not change
  # it later, versus later settings of var.labels_as_tags that should be ignored. So, we make the
  # default value in context be "unset", meaning it can be changed, but when it is unset and
  # var.labels_as_tags is null, we change it to "default". Once it is set to "default" we will
  # not allow it to be changed again, but of course we have to detect "default" and replace it
  # with local.default_labels_as_tags when we go to use it.
  #
  # We do not want to use null as default or unset, because Terraform has issues with
  # the value of an object field being null in some places and [] in others.
  # We do not want to use [] as default or unset because that is actually a valid setting
  # that we want to have override the default.
  #
  # To determine whether that context.labels_as_tags is not set,
  # we have to cover 2 cases: 1) context does not have a labels_as_tags key, 2) it is present and set to ["unset"]
  context_labels_as_tags_is_unset = try(contains(var.context.labels_as_tags, "unset"), true)

  # So far, we have decided not to allow overriding replacement or id_hash_length
  replacement    = local.defaults.replacement
  id_hash_length = local.defaults.id_hash_length

  # The values provided by variables supersede the values inherited from the context object,
  # except for tags and attributes which are merged.
  input = {
    # It would be nice to use coalesce here, but we cannot, because it
    # is an error for all the arguments to coalesce to be empty.
    enabled   = var.enabled == null ? var.context.enabled : var.enabled
    namespace = var.namespace == null ? var.context.namespace : var.namespace
    # tenant was introduced in v0.25.0, prior context versions do not have it
    tenant      = var.tenant == null ? lookup(var.context, "tenant", null) : var.tenant
    environment = var.environment == null ? var.context.environment : var.environment
    stage       = var.stage == null ? var.context.stage : var.stage
    name        = var.name == null ? var.context.name : var.name
    delimiter   = var.delimiter == null ? var.context.delimiter : var.delimiter
    # modules tack on attributes (passed by var) to the end of the list (passed by context)
    attributes = compact(distinct(concat(coalesce(var.context.attributes, []), coalesce(var.attributes, []))))
    tags       = merge(var.context.tags, var.tags)

    additional_tag_map  = merge(var.context.additional_tag_map, var.additional_tag_map)
    label_order         = var.label_order == null ? var.context.label_order : var.label_order
    regex_replace_chars = var.regex_replace_chars == null ? var.context.regex_replace_chars : var.regex_replace_chars
    id_length_limit     = var.id_length_limit == null ? var.context.id_length_limit : var.id_length_limit
    label_key_case      = var.label_key_case == null ? lookup(var.context, "label_key_case", null) : var.label_key_case
    label_value_case    = var.label_value_case == null ? lookup(var.context, "label_value_case", null) : var.label_value_case

    descriptor_formats = merge(lookup(var.context, "descriptor_formats", {}), var.descriptor_formats)
    labels_as_tags     = local.context_labels_as_tags_is_unset ? var.labels_as_tags : var.context.labels_as_tags
  }


  enabled             = local.input.enabled
  regex_replace_chars = coalesce(local.input.regex_replace_chars, local.defaults.regex_replace_chars)

  # string_label_names are names of inputs that are strings (not list of strings) used as labels
  string_label_names = ["namespace", "tenant", "environment", "stage", "name"]
  normalized_labels = { for k in local.string_label_names : k =>
    local.input[k] == null ? "" : replace(local.input[k], local.regex_replace_chars, local.replacement)
  }
  normalized_attributes = compact(distinct([for v in local.input.attributes : replace(v, local.regex_replace_chars, local.replacement)]))

  formatted_labels = { for k in local.string_label_names : k => local.label_value_case == "none" ? local.normalized_labels[k] :
    local.label_value_case == "title" ? title(lower(local.normalized_labels[k])) :
    local.label_value_case == "upper" ? upper(local.normalized_labels[k]) : lower(local.normalized_labels[k])
  }

  attributes = compact(distinct([
    for v in local.normalized_attributes : (local.label_value_case == "none" ? v :
      local.label_value_case == "title" ? title(lower(v)) :
    local.label_value_case == "upper" ? upper(v) : lower(v))
  ]))

  namespace   = local.formatted_labels["namespace"]
  tenant      = local.formatted_labels["tenant"]
  environment = local.formatted_labels["environment"]
  stage       = local.formatted_labels["stage"]
  name        = local.formatted_labels["name"]

  delimiter        = local.input.delimiter == null ? local.defaults.delimiter : local.input.delimiter
  label_order      = local.input.label_order == null ? local.defaults.label_order : coalescelist(local.input.label_order, local.defaults.label_order)
  id_length_limit  = local.input.id_length_limit == null ? local.defaults.id_length_limit : local.input.id_length_limit
  label_key_case   = local.input.label_key_case == null ? local.defaults.label_key_case : local.input.label_key_case
  label_value_case = local.input.label_value_case == null ? local.defaults.label_value_case : local.input.label_value_case

  # labels_as_tags is an exception to the rule that input vars override context values (see above)
  labels_as_tags = contains(local.input.labels_as_tags, "default") ? local.default_labels_as_tags : local.input.labels_as_tags

  # Just for standardization and completeness
  descriptor_formats = local.input.descriptor_formats

  additional_tag_map = merge(var.context.additional_tag_map, var.additional_tag_map)

  tags = merge(local.generated_tags, local.input.tags)

  tags_as_list_of_maps = flatten([
    for key in keys(local.tags) : merge(
      {
        key   = key
        value = local.tags[key]
    }, local.additional_tag_map)
  ])

  tags_context = {
    namespace   = local.namespace
    tenant      = local.tenant
    environment = local.environment
    stage       = local.stage
    # For AWS we need `Name` to be disambiguated since it has a special meaning
    name       = local.id
    attributes = local.id_context.attributes
  }

  generated_tags = {
    for l in setintersection(keys(local.tags_context), local.labels_as_tags) :
    local.label_key_case == "upper" ? upper(l) : (
      local.label_key_case == "lower" ? lower(l) : title(lower(l))
    ) => local.tags_context[l] if length(local.tags_context[l]) > 0
  }

  id_context = {
    namespace   = local.namespace
    tenant      = local.tenant
    environment = local.environment
    stage       = local.stage
    name        = local.name
    attributes  = join(local.delimiter, local.attributes)
  }

  labels = [for l in local.label_order : local.id_context[l] if length(local.id_context[l]) > 0]

  id_full = join(local.delimiter, local.labels)
  # Create a truncated ID if needed
  delimiter_length = length(local.delimiter)
  # Calculate length of normal part of ID, leaving room for delimiter and hash
  id_truncated_length_limit = local.id_length_limit - (local.id_hash_length + local.delimiter_length)
  # Truncate the ID and ensure a single (not double) trailing delimiter
  id_truncated = local.id_truncated_length_limit <= 0 ? "" : "${trimsuffix(substr(local.id_full, 0, local.id_truncated_length_limit), local.delimiter)}${local.delimiter}"
  # Support usages that disallow numeric characters. Would prefer tr 0-9 q-z but Terraform does not support it.
  # Probably would have been better to take the hash of only the characters being removed,
  # so identical removed strings would produce identical hashes, but it is not worth breaking existing IDs for.
  id_hash_plus = "${md5(local.id_full)}qrstuvwxyz"
  id_hash_case = local.label_value_case == "title" ? title(local.id_hash_plus) : local.label_value_case == "upper" ? upper(local.id_hash_plus) : local.label_value_case == "lower" ? lower(local.id_hash_plus) : local.id_hash_plus
  id_hash      = replace(local.id_hash_case, local.regex_replace_chars, local.replacement)
  # Create the short ID by adding a hash to the end of the truncated ID
  id_short = substr("${local.id_truncated}${local.id_hash}", 0, local.id_length_limit)
  id       = local.id_length_limit != 0 && length(local.id_full) > local.id_length_limit ? local.id_short : local.id_full


  # Context of this label to pass to other label modules
  output_context = {
    enabled             = local.enabled
    namespace           = local.namespace
    tenant              = local.tenant
    environment         = local.environment
    stage               = local.stage
    name                = local.name
    delimiter           = local.delimiter
    attributes          = local.attributes
    tags                = local.tags
    additional_tag_map  = local.additional_tag_map
    label_order         = local.label_order
    regex_replace_chars = local.regex_replace_chars
    id_length_limit     = local.id_length_limit
    label_key_case      = local.label_key_case
    label_value_case    = local.label_value_case
    labels_as_tags      = local.labels_as_tags
    descriptor_formats  = local.descriptor_formats
  }

}

# The label's outputs (outputs.tf) that main.tf reads as module.this.<name>.
locals {
  this_enabled = local.enabled
  this_id      = local.enabled ? local.id : ""
  this_name    = local.enabled ? local.name : ""
  this_tags    = local.enabled ? local.tags : {}
}

# ---------------------------------------------------------------------------
# main.tf

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

  tags = local.this_tags
}
