# The least-privilege chain of seed 002:
#   ALB-SG  in: 443 (and 80 for the redirect) from the internet   out: app port to APP-SG
#   APP-SG  in: app port from ALB-SG                              out: 3306 to DB-SG, 443 to the internet
#   DB-SG   in: 3306 from APP-SG                                  out: nothing

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "Internet-facing ALB: HTTPS in, application port out to the app tier"
  vpc_id      = module.network.vpc_id

  ingress {
    description = "HTTPS from anywhere"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "HTTP from anywhere, redirected to HTTPS by the listener"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name = "${var.name}-alb"
  }
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Application port to the app tier only"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_security_group" "app" {
  name        = "${var.name}-app"
  description = "Application tier: reachable from the ALB only"
  vpc_id      = module.network.vpc_id

  tags = {
    Name = "${var.name}-app"
  }
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "Application port (and health checks) from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_ingress_rule" "app_ssh_from_bastion" {
  security_group_id            = aws_security_group.app.id
  description                  = "SSH from the bastion"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.bastion.id
}

resource "aws_security_group_rule" "app_to_db" {
  type                     = "egress"
  security_group_id        = aws_security_group.app.id
  description              = "MySQL to the database tier"
  protocol                 = "tcp"
  from_port                = var.db_port
  to_port                  = var.db_port
  source_security_group_id = aws_security_group.db.id
}

resource "aws_security_group_rule" "app_https_out" {
  type              = "egress"
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to AWS APIs and package mirrors through the NAT gateway"
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db"
  description = "Database tier: MySQL from the app tier only"
  vpc_id      = module.network.vpc_id

  ingress {
    description     = "MySQL from the app tier"
    from_port       = var.db_port
    to_port         = var.db_port
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }

  tags = {
    Name = "${var.name}-db"
  }
}

resource "aws_security_group" "bastion" {
  name        = "${var.name}-bastion"
  description = "Bastion host for break-glass SSH"
  vpc_id      = module.network.vpc_id

  # FLAW: var.admin_cidrs defaults to ["0.0.0.0/0"], so SSH is open to the whole internet.
  ingress {
    description = "SSH from the administrators"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }

  egress {
    description     = "SSH to the app tier"
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }

  tags = {
    Name = "${var.name}-bastion"
  }
}
