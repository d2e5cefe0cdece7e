resource "aws_s3_bucket" "b" {
  count  = 10000
  bucket = "b-${count.index}"
}
