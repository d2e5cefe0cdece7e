locals {
  ssh = { port = 80, port = 22 }
}

# Terraform accepts a repeated key in an object constructor; the last one wins (port 22).
resource "aws_security_group" "dup" {
  name        = "dup"
  description = "port from an object with a repeated key"

  ingress {
    description = "ssh"
    from_port   = local.ssh.port
    to_port     = local.ssh.port
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
