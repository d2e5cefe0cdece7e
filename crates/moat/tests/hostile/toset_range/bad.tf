locals {
  n = length(toset(range(100000)))
}

# Terraform refuses range() beyond 1024 values ("more than 1024 values were generated").
resource "aws_security_group" "toset" {
  name        = "toset"
  description = "port from a 100000-element set"

  ingress {
    description = "ssh"
    from_port   = local.n - 99978
    to_port     = local.n - 99978
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
