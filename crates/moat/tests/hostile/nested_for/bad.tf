locals {
  cube = [for i in range(100000) : [for j in range(100000) : [for k in range(100000) : i + j + k]]]
}

# Terraform refuses range() beyond 1024 values; see nested_for_1000 for valid ranges.
resource "aws_s3_bucket" "cube" {
  bucket = "cube-${length(local.cube)}"
}
