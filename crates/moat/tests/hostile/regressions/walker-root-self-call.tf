# walker fuzz target, crash-f5a01cdc (input `@s2@`, 5 bytes): the root module calls itself
# three times. With the frontend of the first fuzz runs (before the module-instance limit was
# enforced) it took over 10 s or over 2 GB; every other walker crash of those runs was this too.
module "self" {
  source = "./"
  count  = 3
}
