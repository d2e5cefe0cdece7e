module "a" {
  source = "../a"
  count  = 10
}

resource "aws_s3_bucket" "b" {
  bucket = "b"
}
