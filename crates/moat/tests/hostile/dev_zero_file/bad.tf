# `zero` is a symlink to /dev/zero, made at test time.
resource "aws_s3_bucket" "zero" {
  bucket = file("zero")
}
