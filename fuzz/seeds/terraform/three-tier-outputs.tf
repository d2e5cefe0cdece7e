output "alb_dns_name" {
  description = "Public DNS name of the load balancer."
  value       = aws_lb.web.dns_name
}

output "db_endpoint" {
  description = "Private endpoint of the database."
  value       = aws_db_instance.main.address
}
