# Model of terraform-aws-modules/ecr/aws (v3.x): only the inputs and the resource that
# decide tag mutability. Written for tagguard from the module's documented inputs.

variable "create" {
  type    = bool
  default = true
}

variable "create_repository" {
  type    = bool
  default = true
}

variable "repository_type" {
  type    = string
  default = "private"
}

variable "repository_name" {
  type    = string
  default = ""
}

variable "repository_image_tag_mutability" {
  type    = string
  default = "IMMUTABLE"
}

variable "repository_image_tag_mutability_exclusion_filter" {
  type = list(object({
    filter      = string
    filter_type = string
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
