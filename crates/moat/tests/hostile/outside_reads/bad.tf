# `secret_link` is a symlink to a sentinel file outside the tree, made at test time; @OUTSIDE@
# is replaced by that directory's absolute path. Each read is on its own line; the CIDR list
# echoes what it holds into SG001's message when it is not a CIDR block.
resource "aws_security_group" "outside" {
  name        = "outside"
  description = "reads outside the scanned tree"

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [
      file("secret_link"),
      templatefile("secret_link", {}),
      file("@OUTSIDE@/secret.txt"),
      file("../outside/secret.txt"),
    ]
  }
}
