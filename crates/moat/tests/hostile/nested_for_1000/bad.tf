locals {
  cube = [for i in range(1000) : [for j in range(1000) : [for k in range(1000) : i + j + k]]]
}

# Each range is valid Terraform; the cube has 10^9 elements.
resource "aws_s3_bucket" "cube" {
  bucket = "cube-${length(local.cube)}"
}
