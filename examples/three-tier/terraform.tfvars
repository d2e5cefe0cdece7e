name                = "shop"
environment         = "prod"
azs                 = ["ap-northeast-2a", "ap-northeast-2c"]
acm_certificate_arn = "arn:aws:acm:ap-northeast-2:111122223333:certificate/5e1f0c1e-7d3b-4f5e-9b8a-2a6f0d0c9e11"
app_ami_id          = "ami-0c9c942bd7bf113a2"
