output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets, in the order of var.azs."
  value       = aws_subnet.public[*].id
}

output "app_subnet_ids" {
  description = "Application subnets, in the order of var.azs."
  value       = [for az in var.azs : aws_subnet.app[az].id]
}

output "db_subnet_ids" {
  description = "Database subnets, in the order of var.azs."
  value       = [for az in var.azs : aws_subnet.db[az].id]
}
