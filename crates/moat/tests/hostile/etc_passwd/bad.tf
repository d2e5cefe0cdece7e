# `link` is a symlink to /etc/passwd and `leak.tf` another one, made at test time. The CIDR
# list echoes what it holds into SG001's message when it is not a CIDR block.
resource "aws_security_group" "passwd" {
  name        = "passwd"
  description = "reads /etc/passwd through a symlink"

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [file("link")]
  }
}
