# Seed 000: Zero Trust database gateway. application SG -> NLB SG -> database SG; the
# database is only in private subnets and only the gateway (NLB) may reach it on 3306.
resource "aws_vpc" "main" {
  cidr_block = "10.30.0.0/16"
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.30.1.0/24"
  tags       = { Name = "private-app" }
}

resource "aws_subnet" "nlb_a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.30.4.0/24"
  tags       = { Name = "private-nlb-a" }
}

resource "aws_subnet" "nlb_b" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.30.5.0/24"
  tags       = { Name = "private-nlb-b" }
}

resource "aws_subnet" "db_a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.30.7.0/24"
  tags       = { Name = "private-db-a" }
}

resource "aws_subnet" "db_b" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.30.8.0/24"
  tags       = { Name = "private-db-b" }
}

resource "aws_security_group" "app" {
  name   = "application-sg"
  vpc_id = aws_vpc.main.id

  egress {
    description     = "MySQL through the gateway"
    from_port       = 3306
    to_port         = 3306
    protocol        = "tcp"
    security_groups = [aws_security_group.nlb.id]
  }
}

resource "aws_security_group" "nlb" {
  name   = "nlb-sg"
  vpc_id = aws_vpc.main.id

  ingress {
    description     = "MySQL from the application"
    from_port       = 3306
    to_port         = 3306
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }

  egress {
    description     = "MySQL to the database"
    from_port       = 3306
    to_port         = 3306
    protocol        = "tcp"
    security_groups = [aws_security_group.database.id]
  }
}

resource "aws_security_group" "database" {
  name   = "database-sg"
  vpc_id = aws_vpc.main.id

  ingress {
    description     = "MySQL from the gateway only"
    from_port       = 3306
    to_port         = 3306
    protocol        = "tcp"
    security_groups = [aws_security_group.nlb.id]
  }
}

resource "aws_instance" "app" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.app.id]
}

resource "aws_lb" "db_gateway" {
  name               = "db-gateway"
  load_balancer_type = "network"
  internal           = true
  subnets            = [aws_subnet.nlb_a.id, aws_subnet.nlb_b.id]
  security_groups    = [aws_security_group.nlb.id]
}

resource "aws_lb_target_group" "rds_mysql" {
  name        = "rds-mysql"
  port        = 3306
  protocol    = "TCP"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id

  health_check {
    protocol = "TCP"
  }
}

resource "aws_lb_listener" "mysql" {
  load_balancer_arn = aws_lb.db_gateway.arn
  port              = 3306
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.rds_mysql.arn
  }
}

resource "aws_lb_target_group_attachment" "rds" {
  target_group_arn = aws_lb_target_group.rds_mysql.arn
  target_id        = "10.30.7.10"
  port             = 3306
}

resource "aws_db_subnet_group" "db" {
  name       = "db"
  subnet_ids = [aws_subnet.db_a.id, aws_subnet.db_b.id]
}

resource "aws_db_instance" "main" {
  identifier             = "main"
  engine                 = "mysql"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  db_subnet_group_name   = aws_db_subnet_group.db.name
  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false
  storage_encrypted      = true
}
