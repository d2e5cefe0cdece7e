resource "aws_cloudtrail" "main" {
  name                          = "${var.name}-trail"
  s3_bucket_name                = aws_s3_bucket.logs.id
  s3_key_prefix                 = "cloudtrail"
  is_multi_region_trail         = true
  include_global_service_events = true
  kms_key_id                    = aws_kms_key.main.arn

  # FLAW: log file integrity validation is off, so tampering with delivered logs goes unnoticed.
  enable_log_file_validation = false

  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_flow_log" "vpc" {
  vpc_id               = module.network.vpc_id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "${aws_s3_bucket.logs.arn}/vpc-flow-logs/"
}
