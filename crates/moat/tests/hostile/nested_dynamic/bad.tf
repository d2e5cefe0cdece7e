resource "aws_security_group" "deep" {
  name = "deep"
  dynamic "b1" {
    for_each = [1, 2]
    content {
      dynamic "b2" {
        for_each = [1, 2]
        content {
          dynamic "b3" {
            for_each = [1, 2]
            content {
              dynamic "b4" {
                for_each = [1, 2]
                content {
                  dynamic "b5" {
                    for_each = [1, 2]
                    content {
                      dynamic "b6" {
                        for_each = [1, 2]
                        content {
                          dynamic "b7" {
                            for_each = [1, 2]
                            content {
                              dynamic "b8" {
                                for_each = [1, 2]
                                content {
                                  dynamic "b9" {
                                    for_each = [1, 2]
                                    content {
                                      dynamic "b10" {
                                        for_each = [1, 2]
                                        content {
                                          dynamic "b11" {
                                            for_each = [1, 2]
                                            content {
                                              dynamic "b12" {
                                                for_each = [1, 2]
                                                content {
                                                  dynamic "b13" {
                                                    for_each = [1, 2]
                                                    content {
                                                      dynamic "b14" {
                                                        for_each = [1, 2]
                                                        content {
                                                          dynamic "b15" {
                                                            for_each = [1, 2]
                                                            content {
                                                              dynamic "b16" {
                                                                for_each = [1, 2]
                                                                content {
                                                                  dynamic "b17" {
                                                                    for_each = [1, 2]
                                                                    content {
                                                                      dynamic "b18" {
                                                                        for_each = [1, 2]
                                                                        content {
                                                                          dynamic "b19" {
                                                                            for_each = [1, 2]
                                                                            content {
                                                                              dynamic "b20" {
                                                                                for_each = [1, 2]
                                                                                content {
                                                                                  dynamic "b21" {
                                                                                    for_each = [1, 2]
                                                                                    content {
                                                                                      dynamic "b22" {
                                                                                        for_each = [1, 2]
                                                                                        content {
                                                                                          dynamic "b23" {
                                                                                            for_each = [1, 2]
                                                                                            content {
                                                                                              dynamic "b24" {
                                                                                                for_each = [1, 2]
                                                                                                content {
                                                                                                  dynamic "b25" {
                                                                                                    for_each = [1, 2]
                                                                                                    content {
                                                                                                      dynamic "b26" {
                                                                                                        for_each = [1, 2]
                                                                                                        content {
                                                                                                          dynamic "b27" {
                                                                                                            for_each = [1, 2]
                                                                                                            content {
                                                                                                              dynamic "b28" {
                                                                                                                for_each = [1, 2]
                                                                                                                content {
                                                                                                                  dynamic "b29" {
                                                                                                                    for_each = [1, 2]
                                                                                                                    content {
                                                                                                                      dynamic "b30" {
                                                                                                                        for_each = [1, 2]
                                                                                                                        content {
                                                                                                                          leaf = 1
                                                                                                                        }
                                                                                                                      }
                                                                                                                    }
                                                                                                                  }
                                                                                                                }
                                                                                                              }
                                                                                                            }
                                                                                                          }
                                                                                                        }
                                                                                                      }
                                                                                                    }
                                                                                                  }
                                                                                                }
                                                                                              }
                                                                                            }
                                                                                          }
                                                                                        }
                                                                                      }
                                                                                    }
                                                                                  }
                                                                                }
                                                                              }
                                                                            }
                                                                          }
                                                                        }
                                                                      }
                                                                    }
                                                                  }
                                                                }
                                                              }
                                                            }
                                                          }
                                                        }
                                                      }
                                                    }
                                                  }
                                                }
                                              }
                                            }
                                          }
                                        }
                                      }
                                    }
                                  }
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
