locals {
  n = length(distinct(flatten([for i in range(1000) : [for j in range(100) : (i * 100 + j) % 50000]])))
}

# Valid Terraform: port 22 once the 50000 distinct values among 100000 are counted.
resource "aws_security_group" "distinct" {
  name        = "distinct"
  description = "port from distinct over 100000 values"

  ingress {
    description = "ssh"
    from_port   = local.n - 49978
    to_port     = local.n - 49978
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
