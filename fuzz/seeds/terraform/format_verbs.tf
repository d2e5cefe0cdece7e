locals {
  a = format("%5.2f|%-10s|%q|%v|%#v|%t|%d|%x|%o|%b|%e|%%", 1.5, "x", "y", [1], { a = 1 }, true, 3, 255, 8, 5, 1e10)
  b = formatlist("%s-%03d", ["a", "b"], [1, 2])
  c = format("%[2]s %[1]s %*d %.3s", "x", "y", 5, 3, "abcdef")
}
