variable "name" {
  description = "Name prefix."
  type        = string
}

variable "cidr_block" {
  description = "CIDR block of the VPC."
  type        = string
}

variable "azs" {
  description = "Availability zones; one subnet of each tier per zone."
  type        = list(string)
}
