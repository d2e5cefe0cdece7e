resource "aws_security_group" "a" {
  name        = "a"
  description = aws_security_group.b.description

  ingress {
    from_port       = 443
    to_port         = 443
    protocol        = "tcp"
    security_groups = [aws_security_group.b.id]
  }
}

resource "aws_security_group" "b" {
  name        = "b"
  description = aws_security_group.a.description

  ingress {
    from_port       = 443
    to_port         = 443
    protocol        = "tcp"
    security_groups = [aws_security_group.a.id]
  }
}
