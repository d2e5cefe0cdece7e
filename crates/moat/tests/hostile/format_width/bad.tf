locals {
  wide = format("%999999999999d", 1)
}

resource "aws_s3_bucket" "wide" {
  bucket = local.wide
}
