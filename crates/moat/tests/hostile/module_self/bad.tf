module "again" {
  source = "./"
  count  = 10
}

resource "aws_s3_bucket" "me" {
  bucket = "me"
}
