variable "region" {
  default = "eu-west-1"
}

variable "bucket" {
  default = "logs-${var.region}"
}

resource "aws_s3_bucket" "v" {
  bucket = var.bucket
}
