# Model of GoogleCloudPlatform/artifact-registry/google (v0.8.2) for tagguard. See ../README.md.
#
# Read from github.com/GoogleCloudPlatform/terraform-google-artifact-registry at
# fc22a9e34897d1ae74355f5275e5cd221d3c84c2 (release 0.8.2, #91):
#   variables.tf: every input below, with the same name and default; the types of the inputs
#     that decide tag immutability (format, mode, docker_config) as written, the others
#     without their object types (any) and without the members validation.
#   main.tf: google_artifact_registry_repository.repo (one repository, no count or
#     for_each), its repository_id, location, format and mode, and the docker_config
#     dynamic block, copied as written.
# Dropped: maven_config, virtual_repository_config, remote_repository_config and
# cleanup_policies blocks (remote and virtual repositories are not judged through mode
# anyway), the VPC SC config and the IAM members, and the repository's project,
# description, labels, kms_key_name and cleanup_policy_dry_run.

variable "project_id" {
  type = string
}

variable "repository_id" {
  type = string
}

variable "location" {
  type = string
}

variable "format" {
  type = string
}

variable "mode" {
  type    = string
  default = "STANDARD_REPOSITORY"
}

variable "description" {
  type    = string
  default = null
}

variable "labels" {
  type    = map(string)
  default = {}
}

variable "kms_key_name" {
  type    = string
  default = null
}

variable "docker_config" {
  type = object({
    immutable_tags = optional(bool)
  })
  default = null
}

variable "maven_config" {
  type    = any
  default = null
}

variable "virtual_repository_config" {
  type    = any
  default = null
}

variable "remote_repository_config" {
  type    = any
  default = null
}

variable "cleanup_policy_dry_run" {
  type    = bool
  default = false
}

variable "cleanup_policies" {
  type    = any
  default = {}
}

variable "enable_vpcsc_policy" {
  type    = bool
  default = false
}

variable "vpcsc_policy" {
  type    = string
  default = "ALLOW"
}

variable "members" {
  type    = map(list(string))
  default = {}
}

resource "google_artifact_registry_repository" "repo" {
  provider = google-beta

  repository_id = var.repository_id
  location      = var.location
  format        = var.format
  mode          = var.mode

  dynamic "docker_config" {
    for_each = var.docker_config[*]
    content {
      immutable_tags = docker_config.value.immutable_tags
    }
  }
}
