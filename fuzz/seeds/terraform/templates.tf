locals {
  h = <<-EOT
    %{ for k, v in { a = 1, b = 2 } ~}
    ${k} = ${v}%{ if v > 1 } big%{ else } small%{ endif }
    %{ endfor ~}
  EOT
  t = templatestring("$${x} ${1 + 2}", { x = 1 })
  s = [for s in split(",", "a,b,c") : upper(s) if s != "b"]
  m = { for i, v in ["a", "b"] : v => i... }
  sp = [{ a = 1 }, { a = 2 }][*].a
}
