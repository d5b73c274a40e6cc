'use strict';
// A synthetic Terraform repository for the benchmark: many module directories with
// realistic non-ECR resources, about one file in 50 with ECR repositories (half in
// modules that a root calls, half in roots), variables in their own files, local
// module calls and tfvars (one root in ten makes its repositories mutable).
const fs = require('node:fs');
const path = require('node:path');

const OTHER = [
  (n) =>
    `resource "aws_s3_bucket" "b${n}" {\n  bucket = "bucket-\${var.env}-${n}"\n  tags   = local.tags\n}\n\nresource "aws_s3_bucket_versioning" "b${n}" {\n  bucket = aws_s3_bucket.b${n}.id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n`,
  (n) =>
    `resource "aws_iam_role" "r${n}" {\n  name = "role-${n}"\n  assume_role_policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n      Effect    = "Allow"\n      Principal = { Service = "ecs-tasks.amazonaws.com" }\n      Action    = "sts:AssumeRole"\n    }]\n  })\n}\n`,
  (n) =>
    `resource "aws_security_group" "sg${n}" {\n  name   = "sg-${n}"\n  vpc_id = var.vpc_id\n\n  ingress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }\n\n  egress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n`,
  (n) => `resource "aws_cloudwatch_log_group" "lg${n}" {\n  name              = "/app/${n}"\n  retention_in_days = var.retention\n}\n`,
];

function ecrFile(n) {
  return `resource "aws_ecr_repository" "repo${n}" {\n  name                 = "team/service-${n}"\n  image_tag_mutability = var.tag_mutability\n\n  image_scanning_configuration {\n    scan_on_push = true\n  }\n}\n`;
}

function variablesFile() {
  return `variable "env" {\n  type    = string\n  default = "dev"\n}\n\nvariable "vpc_id" {\n  type    = string\n  default = "vpc-123456"\n}\n\nvariable "retention" {\n  type    = number\n  default = 30\n}\n\nvariable "tag_mutability" {\n  type    = string\n  default = "IMMUTABLE"\n}\n\nlocals {\n  tags = { env = var.env, team = "platform" }\n}\n`;
}

/** Writes `files` Terraform files under `dir`; returns the path of one file with an ECR resource. */
function generate(dir, files) {
  fs.rmSync(dir, { recursive: true, force: true });
  const perModule = 10;
  const modules = Math.ceil(files / perModule);
  let written = 0;
  let ecrFileSample;
  for (let m = 0; m < modules && written < files; m++) {
    const group = Math.floor(m / 20);
    const mdir = path.join(dir, `group-${group}`, `module-${m}`);
    fs.mkdirSync(mdir, { recursive: true });
    fs.writeFileSync(path.join(mdir, 'variables.tf'), variablesFile());
    written++;
    // One module in five holds an ECR repository: in odd groups of five a root, in even ones a module the next root calls.
    const ecrModule = m % 5 === (Math.floor(m / 5) % 2 ? 1 : 3);
    for (let f = 1; f < perModule && written < files; f++, written++) {
      const n = m * perModule + f;
      const isEcr = ecrModule && f === 5;
      const file = path.join(mdir, isEcr ? `ecr-${n}.tf` : `resources-${n}.tf`);
      fs.writeFileSync(file, isEcr ? ecrFile(n) : OTHER[n % OTHER.length](n) + OTHER[(n + 1) % OTHER.length](n + 1));
      if (isEcr && !ecrFileSample) ecrFileSample = file;
    }
    // Every fifth module is a root that calls the one before it, with tfvars.
    if (m % 5 === 4) {
      fs.writeFileSync(
        path.join(mdir, 'calls.tf'),
        `module "previous" {\n  source         = "../module-${m - 1}"\n  tag_mutability = var.tag_mutability\n}\n`,
      );
      fs.writeFileSync(path.join(mdir, 'terraform.tfvars'), `env = "prod"\ntag_mutability = "${m % 50 === 4 ? 'MUTABLE' : 'IMMUTABLE'}"\n`);
    }
  }
  if (!ecrFileSample) throw new Error('no ECR file generated: use --files 50 or more');
  return ecrFileSample;
}

module.exports = { generate };
