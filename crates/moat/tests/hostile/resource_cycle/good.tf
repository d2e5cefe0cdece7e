# The good file of every case: SSH open to the internet, which SG001 reports on line 6.
resource "aws_security_group" "good_ssh" {
  name        = "good-ssh"
  description = "ssh from anywhere"

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
