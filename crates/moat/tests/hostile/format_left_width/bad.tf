locals {
  wide = format("%-2000000000s", "x")
}

resource "aws_s3_bucket" "wide" {
  bucket = local.wide
}
