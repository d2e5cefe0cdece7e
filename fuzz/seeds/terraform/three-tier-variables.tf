variable "region" {
  description = "AWS region of the estate."
  type        = string
  default     = "ap-northeast-2"
}

variable "name" {
  description = "Name prefix for every resource."
  type        = string
}

variable "environment" {
  description = "Deployment stage (prod, staging)."
  type        = string
  default     = "prod"
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; subnets are carved out of it with cidrsubnet."
  type        = string
  default     = "10.0.0.0/16"
}

variable "azs" {
  description = "Availability zones to spread the three tiers across."
  type        = list(string)
}

variable "app_port" {
  description = "Port the application listens on behind the ALB."
  type        = number
  default     = 8000
}

variable "db_port" {
  description = "MySQL port."
  type        = number
  default     = 3306
}

variable "acm_certificate_arn" {
  description = "ARN of the ACM certificate served by the HTTPS listener."
  type        = string
}

variable "app_ami_id" {
  description = "AMI of the application instances."
  type        = string
}

variable "app_instance_type" {
  description = "Instance type of the application tier."
  type        = string
  default     = "t3.medium"
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t3.medium"
}

variable "db_username" {
  description = "Master user name of the database (the password is managed in Secrets Manager)."
  type        = string
  default     = "app_admin"
}

variable "admin_cidrs" {
  description = "Networks allowed to reach the bastion over SSH."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}
