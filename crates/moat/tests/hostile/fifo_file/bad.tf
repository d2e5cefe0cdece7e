# `pipe` is a symlink to a FIFO outside the tree that nobody writes to, made at test time.
resource "aws_s3_bucket" "pipe" {
  bucket = file("pipe")
}
