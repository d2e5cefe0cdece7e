variable "env" {
  default = "dev"
}

variable "ports" {
  type    = list(number)
  default = [22, 443]
}

variable "no_value" {}

locals {
  name   = "${local.prefix}-web"
  prefix = "app-${var.env}"
  azs    = ["a", "b"]
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_security_group" "web" {
  name   = local.name
  vpc_id = aws_vpc.main.id

  ingress {
    from_port   = var.ports[0]
    to_port     = var.ports[0]
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  dynamic "egress" {
    for_each = var.ports
    content {
      from_port = egress.value
      to_port   = egress.value
      protocol  = "tcp"
    }
  }
}

resource "aws_subnet" "private" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
}

resource "aws_subnet" "db" {
  for_each   = toset(local.azs)
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet("10.1.0.0/16", 8, index(local.azs, each.key))
}

resource "aws_instance" "web" {
  ami                    = "ami-123"
  subnet_id              = aws_subnet.private[0].id
  vpc_security_group_ids = [aws_security_group.web.id]
  user_data              = var.no_value
  tags = {
    Name = "web-${var.env}"
  }
}

resource "aws_instance" "none" {
  count = 0
  ami   = "x"
}

output "subnet_ids" {
  value = aws_subnet.private[*].id
}
