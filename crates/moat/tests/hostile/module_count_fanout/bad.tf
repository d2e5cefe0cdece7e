module "fan" {
  source = "./fan"
  count  = 10000
}
