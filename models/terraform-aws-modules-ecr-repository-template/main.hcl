# Model of terraform-aws-modules/ecr/aws//modules/repository-template (v3.x): only the
# inputs and the resource that decide tag mutability. Written for tagguard from the
# module's documented inputs.

variable "create" {
  type    = bool
  default = true
}

variable "prefix" {
  type    = string
  default = ""
}

variable "applied_for" {
  type    = list(string)
  default = ["PULL_THROUGH_CACHE"]
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
  default = null
}

resource "aws_ecr_repository_creation_template" "this" {
  count = var.create ? 1 : 0

  prefix               = var.prefix
  applied_for          = var.applied_for
  image_tag_mutability = var.image_tag_mutability

  dynamic "image_tag_mutability_exclusion_filter" {
    for_each = var.image_tag_mutability_exclusion_filter != null ? var.image_tag_mutability_exclusion_filter : []

    content {
      filter      = image_tag_mutability_exclusion_filter.value.filter
      filter_type = image_tag_mutability_exclusion_filter.value.filter_type
    }
  }
}
