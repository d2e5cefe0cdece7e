# walker fuzz target, crash-06f3e6af: a dynamic block over var.ports, the root calling itself,
# a module call out of the tree, and a malformed x.auto.tfvars; out of memory (over 2 GB).
resource "aws_security_group" "dyn" {
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
module "self" {
  source = "./"
  count  = 3
}
variable "name" {
  default = "n"
}
resource "aws_s3_bucket" "m" {
  bucket = var.name
}
module "loop" {
  source = "../a"
}
