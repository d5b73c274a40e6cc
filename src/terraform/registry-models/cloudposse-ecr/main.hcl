# Model of cloudposse/ecr/aws (v0.4x / v1.x): only the inputs and the resource that decide
# tag mutability. Written for tagguard from the module's documented inputs. The
# null-label context is reduced to `enabled` and the name parts it joins.

variable "enabled" {
  type    = bool
  default = null
}

variable "namespace" {
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

variable "use_fullname" {
  type    = bool
  default = true
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
    filter_type = string
  }))
  default = []
}

locals {
  # null-label: enabled unless set to false; id joins namespace, stage and name with "-".
  enabled     = var.enabled == null ? true : var.enabled
  id          = join("-", compact([var.namespace, var.stage, var.name]))
  _name       = var.use_fullname ? local.id : coalesce(var.name, "")
  image_names = length(var.image_names) > 0 ? var.image_names : [local._name]
}

resource "aws_ecr_repository" "name" {
  for_each = toset(local.enabled ? local.image_names : [])

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
