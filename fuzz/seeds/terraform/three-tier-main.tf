# A three-tier web estate after the reference design of the seeds: internet -> IGW -> ALB
# (public subnets) -> application instances (private subnets, out through NAT) -> RDS MySQL
# (isolated subnets). See README.md for the picture and the findings moat is expected to report.

module "network" {
  source = "./modules/network"

  name       = var.name
  cidr_block = var.vpc_cidr
  azs        = var.azs
}

locals {
  account_id = data.aws_caller_identity.current.account_id
}
