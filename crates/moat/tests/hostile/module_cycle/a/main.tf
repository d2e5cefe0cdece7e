module "b" {
  source = "../b"
  count  = 10
}

resource "aws_s3_bucket" "a" {
  bucket = "a"
}
