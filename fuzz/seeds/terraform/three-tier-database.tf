resource "aws_db_subnet_group" "main" {
  name        = "${var.name}-db"
  description = "Isolated database subnets (no route out of the VPC)"
  subnet_ids  = module.network.db_subnet_ids
}

resource "aws_db_instance" "main" {
  identifier     = "${var.name}-mysql"
  engine         = "mysql"
  engine_version = "8.0"
  instance_class = var.db_instance_class
  port           = var.db_port

  allocated_storage     = 100
  max_allocated_storage = 500
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.main.arn

  db_name                       = "shop"
  username                      = var.db_username
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.main.key_id

  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false
  multi_az               = true

  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["audit", "error", "general", "slowquery"]
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = aws_kms_key.main.arn
  auto_minor_version_upgrade          = true
  copy_tags_to_snapshot               = true
  deletion_protection                 = true

  # FLAW: automated backups are switched off (a retention of 0 days), so there is no
  # point-in-time recovery.
  backup_retention_period = 0

  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-mysql-final"
}
