resource "aws_instance" "app" {
  count = length(var.azs)

  ami                    = var.app_ami_id
  instance_type          = var.app_instance_type
  subnet_id              = module.network.app_subnet_ids[count.index]
  vpc_security_group_ids = [aws_security_group.app.id]
  iam_instance_profile   = aws_iam_instance_profile.app.name
  monitoring             = true
  ebs_optimized          = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    encrypted   = true
    kms_key_id  = aws_kms_key.main.arn
    volume_size = 30
    volume_type = "gp3"
  }

  tags = {
    Name = "${var.name}-app-${count.index}"
    Tier = "app"
  }
}

resource "aws_instance" "bastion" {
  ami                         = var.app_ami_id
  instance_type               = "t3.micro"
  subnet_id                   = module.network.public_subnet_ids[0]
  vpc_security_group_ids      = [aws_security_group.bastion.id]
  associate_public_ip_address = true
  monitoring                  = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    encrypted = true
  }

  tags = {
    Name = "${var.name}-bastion"
  }
}
