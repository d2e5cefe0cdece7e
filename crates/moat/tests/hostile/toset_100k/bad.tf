locals {
  n = length(toset(flatten([for i in range(1000) : [for j in range(100) : i * 100 + j]])))
}

# Valid Terraform: port 22 once the 100000-element set is computed (100000 - 99978).
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
