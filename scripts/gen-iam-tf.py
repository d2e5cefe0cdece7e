#!/usr/bin/env python3
"""Write a Terraform estate of ROLES roles and POLICIES customer managed policies (attached
round-robin), 50 buckets with bucket policies, and trust policies that chain every tenth role
to the previous one: the whole-process benchmark of `moat iam who-can` (docs/PERFORMANCE.md).

usage: scripts/gen-iam-tf.py DIR [ROLES] [POLICIES]
"""
import os
import sys

out = sys.argv[1]
roles = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
policies = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
os.makedirs(out, exist_ok=True)
actions = [
    '["s3:GetObject", "s3:ListBucket"]', '["s3:*"]', '["dynamodb:GetItem", "dynamodb:Query"]',
    '["sqs:SendMessage", "sqs:ReceiveMessage"]', '["ec2:Describe*"]', '["kms:Decrypt"]',
    '["logs:CreateLogStream", "logs:PutLogEvents"]', '["sts:AssumeRole"]',
]
with open(os.path.join(out, "main.tf"), "w") as f:
    for b in range(50):
        f.write(f'resource "aws_s3_bucket" "b{b}" {{\n  bucket = "bucket-{b}"\n}}\n\n')
        f.write(f'''resource "aws_s3_bucket_policy" "b{b}" {{
  bucket = aws_s3_bucket.b{b}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{ Sid = "TlsOnly", Effect = "Deny", Principal = "*", Action = "s3:*",
        Resource = [aws_s3_bucket.b{b}.arn, "${{aws_s3_bucket.b{b}.arn}}/*"],
        Condition = {{ Bool = {{ "aws:SecureTransport" = "false" }} }} }},
      {{ Effect = "Allow", Principal = {{ AWS = aws_iam_role.r{b}.arn }}, Action = "s3:GetObject",
        Resource = "${{aws_s3_bucket.b{b}.arn}}/*" }}
    ]
  }})
}}

''')
    for r in range(roles):
        if r % 10 == 0 and r > 0:
            principal = f'{{ AWS = aws_iam_role.r{r - 1}.arn }}'
        else:
            principal = '{ Service = "ec2.amazonaws.com" }'
        f.write(f'''resource "aws_iam_role" "r{r}" {{
  name = "r{r}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {principal}, Action = "sts:AssumeRole" }}]
  }})
}}

''')
    for p in range(policies):
        b = p % 50
        resource = '"*"' if p % 3 == 0 else f'[aws_s3_bucket.b{b}.arn, "${{aws_s3_bucket.b{b}.arn}}/*"]'
        cond = ''
        if p % 7 == 0:
            cond = f', Condition = {{ StringEquals = {{ "aws:PrincipalTag/team" = "t{p % 5}" }} }}'
        deny = ''
        if p % 11 == 0:
            deny = ',\n      { Effect = "Deny", Action = "s3:DeleteObject", Resource = "*" }'
        f.write(f'''resource "aws_iam_policy" "p{p}" {{
  name = "p{p}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{ Sid = "S{p}", Effect = "Allow", Action = {actions[p % len(actions)]}, Resource = {resource}{cond} }}{deny}
    ]
  }})
}}

resource "aws_iam_role_policy_attachment" "p{p}" {{
  role       = aws_iam_role.r{p % roles}.name
  policy_arn = aws_iam_policy.p{p}.arn
}}

''')
