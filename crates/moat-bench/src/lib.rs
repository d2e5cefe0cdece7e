//! A generator of realistic Terraform corpora for benchmarks and differential tests.
//!
//! [`generate`] writes `files` files under a directory: two local modules shared by every
//! stack (`modules/bucket`, `modules/sg`) and as many root modules (`stacks/stack-NNNN/`) as
//! needed, each with ten files (variables, tfvars, a VPC with `count`/`for_each` subnets, many
//! security groups with inline and standalone rules, instances, S3 buckets with split
//! resources, IAM policies, RDS, and module calls with `count`/`for_each`). Each stack draws its
//! good and bad settings from a PRNG seeded with the seed and the stack number, so the same
//! seed always gives the same bytes. [`cloudformation::generate`] writes the same estate shape
//! as CloudFormation templates. [`iam::generated_estate`] builds an IAM estate of any size for
//! the IAM benchmarks.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::print_stdout,
        clippy::print_stderr
    )
)]

pub mod cloudformation;
pub mod iam;
pub mod plan;

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Errors while writing a corpus.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("cannot write `{path}`")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Files written (`.tf` and `.tfvars`).
    pub files: usize,
    /// Root modules (`stacks/stack-NNNN`).
    pub stacks: usize,
    /// `resource` blocks written (before `count`/`for_each` expansion).
    pub resource_blocks: usize,
    pub bytes: usize,
}

/// Files each stack has, in the order they are written. A stack cut short by `--files` keeps a
/// prefix of this list, and every file only refers to files before it, so a cut stack is still
/// valid Terraform.
const STACK_FILES: [&str; 10] = [
    "versions.tf",
    "variables.tf",
    "terraform.tfvars",
    "network.tf",
    "security.tf",
    "compute.tf",
    "storage.tf",
    "iam.tf",
    "database.tf",
    "main.tf",
];

/// A corpus with at least this many files gets the shared local modules.
const MODULE_THRESHOLD: usize = 16;

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let n = items.len() as u64;
        if n == 0 {
            return "";
        }
        let i = (self.next_u64() % n) as usize;
        items.get(i).copied().unwrap_or("")
    }
}

/// Write a corpus of exactly `files` files under `out` (created if needed).
pub fn generate(files: usize, seed: u64, out: &Path) -> Result<Stats, GenError> {
    let mut stats = Stats::default();
    let with_modules = files >= MODULE_THRESHOLD;
    if with_modules {
        for (rel, text) in module_files() {
            write(out, &rel, &text, &mut stats)?;
        }
    }
    let mut stack = 0usize;
    while stats.files < files {
        let left = files - stats.files;
        let take = left.min(STACK_FILES.len());
        let mut rng = Rng::new(seed ^ (stack as u64).wrapping_mul(0xA24B_AED4_963E_E407));
        let s = Stack::draw(stack, &mut rng);
        let dir = format!("stacks/stack-{stack:04}");
        for name in STACK_FILES.iter().take(take) {
            let text = s.render(name, with_modules, &mut rng);
            write(out, &format!("{dir}/{name}"), &text, &mut stats)?;
        }
        stats.stacks += 1;
        stack += 1;
    }
    Ok(stats)
}

fn write(out: &Path, rel: &str, text: &str, stats: &mut Stats) -> Result<(), GenError> {
    let path = out.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|source| GenError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    fs::write(&path, text).map_err(|source| GenError::Io {
        path: path.clone(),
        source,
    })?;
    stats.files += 1;
    stats.bytes += text.len();
    stats.resource_blocks +=
        text.matches("\nresource \"").count() + usize::from(text.starts_with("resource \""));
    Ok(())
}

fn module_files() -> Vec<(String, String)> {
    vec![
        (
            "modules/bucket/variables.tf".into(),
            r#"variable "name" {
  type = string
}

variable "versioning" {
  type    = bool
  default = true
}

variable "kms_key_arn" {
  type    = string
  default = null
}

variable "log_bucket" {
  type    = string
  default = null
}
"#
            .into(),
        ),
        (
            "modules/bucket/main.tf".into(),
            r#"resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_versioning" "this" {
  count  = var.versioning ? 1 : 0
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_logging" "this" {
  count         = var.log_bucket == null ? 0 : 1
  bucket        = aws_s3_bucket.this.id
  target_bucket = var.log_bucket
  target_prefix = "s3/${var.name}/"
}
"#
            .into(),
        ),
        (
            "modules/bucket/outputs.tf".into(),
            r#"output "id" {
  value = aws_s3_bucket.this.id
}

output "arn" {
  value = aws_s3_bucket.this.arn
}
"#
            .into(),
        ),
        (
            "modules/sg/variables.tf".into(),
            r#"variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "ingress_ports" {
  type    = list(number)
  default = [443]
}

variable "ingress_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}
"#
            .into(),
        ),
        (
            "modules/sg/main.tf".into(),
            r#"resource "aws_security_group" "this" {
  name        = var.name
  description = "Managed by the sg module"
  vpc_id      = var.vpc_id

  dynamic "ingress" {
    for_each = var.ingress_ports
    content {
      description = "port ${ingress.value}"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = var.ingress_cidrs
    }
  }

  egress {
    description = "all out"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#
            .into(),
        ),
        (
            "modules/sg/outputs.tf".into(),
            r#"output "id" {
  value = aws_security_group.this.id
}
"#
            .into(),
        ),
    ]
}

/// The settings of one stack, drawn once so that every file of the stack agrees.
#[derive(Clone, Debug)]
struct Stack {
    name: String,
    /// Second octet of the VPC CIDR.
    octet: u64,
    azs: u64,
    instances: u64,
    sgs: u64,
    buckets: u64,
    policies: u64,
    versioning_default: bool,
    db_encrypted: bool,
    db_backup_days: u64,
    db_public: bool,
    flow_logs: bool,
    admin_cidr: &'static str,
    imdsv2: bool,
    ebs_encrypted: bool,
    bastion_public: bool,
}

const ENVS: [&str; 4] = ["prod", "staging", "dev", "qa"];
const TEAMS: [&str; 8] = [
    "payments", "search", "catalog", "identity", "billing", "ledger", "media", "ops",
];

impl Stack {
    fn draw(index: usize, rng: &mut Rng) -> Stack {
        let team = rng.pick(&TEAMS);
        let env = rng.pick(&ENVS);
        Stack {
            name: format!("{team}-{env}-{index}"),
            octet: (index as u64) % 250,
            azs: rng.range(2, 3),
            instances: rng.range(1, 4),
            sgs: rng.range(4, 9),
            buckets: rng.range(2, 4),
            policies: rng.range(2, 4),
            versioning_default: rng.chance(70),
            db_encrypted: rng.chance(70),
            db_backup_days: if rng.chance(80) { rng.range(7, 35) } else { 0 },
            db_public: rng.chance(10),
            flow_logs: rng.chance(75),
            admin_cidr: if rng.chance(25) {
                "0.0.0.0/0"
            } else {
                "203.0.113.0/24"
            },
            imdsv2: rng.chance(70),
            ebs_encrypted: rng.chance(75),
            bastion_public: rng.chance(50),
        }
    }

    fn render(&self, file: &str, with_modules: bool, rng: &mut Rng) -> String {
        let mut s = String::with_capacity(8 * 1024);
        match file {
            "versions.tf" => self.versions(&mut s),
            "variables.tf" => self.variables(&mut s),
            "terraform.tfvars" => self.tfvars(&mut s),
            "network.tf" => self.network(&mut s),
            "security.tf" => self.security(&mut s, rng),
            "compute.tf" => self.compute(&mut s),
            "storage.tf" => self.storage(&mut s, rng),
            "iam.tf" => self.iam(&mut s, rng),
            "database.tf" => self.database(&mut s),
            "main.tf" => self.main(&mut s, with_modules, rng),
            _ => {}
        }
        s
    }

    fn versions(&self, s: &mut String) {
        s.push_str(
            r#"terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40"
    }
  }
}

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}
"#,
        );
    }

    fn variables(&self, s: &mut String) {
        s.push_str(
            r#"variable "region" {
  type    = string
  default = "ap-northeast-2"
}

variable "name" {
  type = string
}

variable "vpc_cidr" {
  type = string
}

variable "azs" {
  type = list(string)
}

variable "instance_count" {
  type    = number
  default = 1
}

variable "instance_type" {
  type    = string
  default = "t3.small"
}

variable "ami_id" {
  type = string
}

variable "admin_cidr" {
  type = string
}

variable "versioning" {
  type    = bool
  default = true
}

variable "db_encrypted" {
  type    = bool
  default = true
}

variable "app_port" {
  type    = number
  default = 8080
}
"#,
        );
    }

    fn tfvars(&self, s: &mut String) {
        let azs: Vec<String> = ["a", "b", "c"]
            .iter()
            .take(self.azs as usize)
            .map(|z| format!("\"ap-northeast-2{z}\""))
            .collect();
        let _ = writeln!(s, "name           = \"{}\"", self.name);
        let _ = writeln!(s, "vpc_cidr       = \"10.{}.0.0/16\"", self.octet);
        let _ = writeln!(s, "azs            = [{}]", azs.join(", "));
        let _ = writeln!(s, "instance_count = {}", self.instances);
        let _ = writeln!(
            s,
            "ami_id         = \"ami-0{:016x}\"",
            self.octet * 7919 + 17
        );
        let _ = writeln!(s, "admin_cidr     = \"{}\"", self.admin_cidr);
        let _ = writeln!(s, "versioning     = {}", self.versioning_default);
        let _ = writeln!(s, "db_encrypted   = {}", self.db_encrypted);
    }

    fn network(&self, s: &mut String) {
        s.push_str(
            r#"locals {
  az_index = { for i, az in var.azs : az => i }
}

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name = "${var.name}-vpc"
  }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  count                   = length(var.azs)
  vpc_id                  = aws_vpc.main.id
  availability_zone       = var.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, count.index)
  map_public_ip_on_launch = false

  tags = {
    Name = "${var.name}-public-${count.index}"
  }
}

resource "aws_subnet" "private" {
  for_each          = local.az_index
  vpc_id            = aws_vpc.main.id
  availability_zone = each.key
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 10 + each.value)

  tags = {
    Name = "${var.name}-private-${each.key}"
  }
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "main" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public[0].id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}

resource "aws_route_table_association" "public" {
  count          = length(var.azs)
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.main.id
  }
}

resource "aws_route_table_association" "private" {
  for_each       = local.az_index
  subnet_id      = aws_subnet.private[each.key].id
  route_table_id = aws_route_table.private.id
}
"#,
        );
        if self.flow_logs {
            s.push_str(
                r#"
resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::${var.name}-flow-logs"
}
"#,
            );
        }
    }

    fn security(&self, s: &mut String, rng: &mut Rng) {
        // sg0 is the load balancer group; the others are tiers behind it.
        s.push_str(
            r#"resource "aws_security_group" "sg0" {
  name        = "${var.name}-lb"
  description = "Load balancer"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
        );
        for i in 1..self.sgs {
            let _ = write!(
                s,
                r#"
resource "aws_security_group" "sg{i}" {{
  name        = "${{var.name}}-tier-{i}"
  description = "Tier {i}"
  vpc_id      = aws_vpc.main.id
"#
            );
            let inline = rng.range(1, 4);
            for k in 0..inline {
                let roll = rng.range(0, 99);
                let (port, src) = if roll < 8 {
                    (22, "[var.admin_cidr]".to_string())
                } else if roll < 12 {
                    (3389, "[\"0.0.0.0/0\"]".to_string())
                } else if roll < 50 {
                    (8080 + k, "[var.vpc_cidr]".to_string())
                } else {
                    (
                        *[443u64, 5432, 6379, 9000, 9200]
                            .get(rng.range(0, 4) as usize)
                            .unwrap_or(&443),
                        format!("[\"10.{}.{}.0/24\"]", self.octet, rng.range(0, 40)),
                    )
                };
                let _ = write!(
                    s,
                    r#"
  ingress {{
    description = "rule {k}"
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = {src}
  }}
"#
                );
            }
            if rng.chance(40) {
                s.push_str(
                    r#"
  egress {
    description = "all"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
"#,
                );
            }
            s.push_str("}\n");
            // Standalone rules: the classic and the newer resource types, chained by reference.
            let prev = i - 1;
            let _ = write!(
                s,
                r#"
resource "aws_security_group_rule" "sg{i}_from_sg{prev}" {{
  type                     = "ingress"
  security_group_id        = aws_security_group.sg{i}.id
  from_port                = var.app_port
  to_port                  = var.app_port
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.sg{prev}.id
  description              = "app port from sg{prev}"
}}

resource "aws_vpc_security_group_egress_rule" "sg{prev}_to_sg{i}" {{
  security_group_id            = aws_security_group.sg{prev}.id
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.sg{i}.id
  description                  = "app port to sg{i}"
}}
"#
            );
            if rng.chance(30) {
                let _ = write!(
                    s,
                    r#"
resource "aws_vpc_security_group_ingress_rule" "sg{i}_wide" {{
  security_group_id = aws_security_group.sg{i}.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
  description       = "temporary debugging"
}}
"#
                );
            }
            if rng.chance(50) {
                let _ = write!(
                    s,
                    r#"
resource "aws_vpc_security_group_ingress_rule" "sg{i}_ports" {{
  for_each          = toset(["1{i}001", "1{i}002"])
  security_group_id = aws_security_group.sg{i}.id
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = var.vpc_cidr
}}
"#
                );
            }
        }
    }

    fn compute(&self, s: &mut String) {
        let _ = write!(
            s,
            r#"resource "aws_instance" "app" {{
  count                  = var.instance_count
  ami                    = var.ami_id
  instance_type          = var.instance_type
  subnet_id              = aws_subnet.private[var.azs[count.index % length(var.azs)]].id
  vpc_security_group_ids = [aws_security_group.sg1.id]
  monitoring             = true

  metadata_options {{
    http_endpoint = "enabled"
    http_tokens   = "{tokens}"
  }}

  root_block_device {{
    encrypted   = {ebs}
    volume_size = 20
  }}

  tags = {{
    Name = "${{var.name}}-app-${{count.index}}"
  }}
}}

resource "aws_instance" "bastion" {{
  ami                         = var.ami_id
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.public[0].id
  vpc_security_group_ids      = [aws_security_group.sg0.id]
  associate_public_ip_address = {public}
}}

resource "aws_ebs_volume" "data" {{
  count             = var.instance_count
  availability_zone = var.azs[count.index % length(var.azs)]
  size              = 100
  encrypted         = {ebs}
}}
"#,
            tokens = if self.imdsv2 { "required" } else { "optional" },
            ebs = self.ebs_encrypted,
            public = self.bastion_public,
        );
    }

    fn storage(&self, s: &mut String, rng: &mut Rng) {
        s.push_str(
            r#"resource "aws_kms_key" "data" {
  description         = "${var.name} data"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "logs" {
  bucket = "${var.name}-logs"
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"#,
        );
        for b in 0..self.buckets {
            let _ = write!(
                s,
                r#"
resource "aws_s3_bucket" "b{b}" {{
  bucket = "${{var.name}}-data-{b}"
}}
"#
            );
            if rng.chance(70) {
                let _ = write!(
                    s,
                    r#"
resource "aws_s3_bucket_versioning" "b{b}" {{
  bucket = aws_s3_bucket.b{b}.id

  versioning_configuration {{
    status = var.versioning ? "Enabled" : "Suspended"
  }}
}}
"#
                );
            }
            if rng.chance(75) {
                let _ = write!(
                    s,
                    r#"
resource "aws_s3_bucket_server_side_encryption_configuration" "b{b}" {{
  bucket = aws_s3_bucket.b{b}.id

  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }}
  }}
}}
"#
                );
            }
            if rng.chance(80) {
                let off = rng.chance(20);
                let _ = write!(
                    s,
                    r#"
resource "aws_s3_bucket_public_access_block" "b{b}" {{
  bucket                  = aws_s3_bucket.b{b}.id
  block_public_acls       = true
  block_public_policy     = {bp}
  ignore_public_acls      = true
  restrict_public_buckets = {bp}
}}
"#,
                    bp = !off
                );
            }
            if rng.chance(60) {
                let _ = write!(
                    s,
                    r#"
resource "aws_s3_bucket_logging" "b{b}" {{
  bucket        = aws_s3_bucket.b{b}.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/b{b}/"
}}
"#
                );
            }
        }
    }

    fn iam(&self, s: &mut String, rng: &mut Rng) {
        s.push_str(
            r#"data "aws_iam_policy_document" "assume_ec2" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "${var.name}-app"
  assume_role_policy = data.aws_iam_policy_document.assume_ec2.json
}

resource "aws_iam_instance_profile" "app" {
  name = "${var.name}-app"
  role = aws_iam_role.app.name
}
"#,
        );
        for p in 0..self.policies {
            let roll = rng.range(0, 99);
            if roll < 15 {
                // Full admin, written with jsonencode.
                let _ = write!(
                    s,
                    r#"
resource "aws_iam_policy" "p{p}" {{
  name = "${{var.name}}-p{p}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }}]
  }})
}}
"#
                );
            } else if roll < 35 {
                let _ = write!(
                    s,
                    r#"
data "aws_iam_policy_document" "p{p}" {{
  statement {{
    actions   = ["s3:*"]
    resources = ["*"]
  }}
}}

resource "aws_iam_policy" "p{p}" {{
  name   = "${{var.name}}-p{p}"
  policy = data.aws_iam_policy_document.p{p}.json
}}
"#
                );
            } else {
                let _ = write!(
                    s,
                    r#"
data "aws_iam_policy_document" "p{p}" {{
  statement {{
    sid       = "Objects"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${{aws_s3_bucket.logs.arn}}/*"]
  }}

  statement {{
    sid       = "Key"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.data.arn]
  }}
}}

resource "aws_iam_policy" "p{p}" {{
  name   = "${{var.name}}-p{p}"
  policy = data.aws_iam_policy_document.p{p}.json
}}
"#
                );
            }
            let _ = write!(
                s,
                r#"
resource "aws_iam_role_policy_attachment" "p{p}" {{
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.p{p}.arn
}}
"#
            );
        }
    }

    fn database(&self, s: &mut String) {
        let _ = write!(
            s,
            r#"resource "aws_db_subnet_group" "main" {{
  name       = "${{var.name}}-db"
  subnet_ids = [for az in var.azs : aws_subnet.private[az].id]
}}

resource "aws_security_group" "db" {{
  name        = "${{var.name}}-db"
  description = "Database"
  vpc_id      = aws_vpc.main.id

  ingress {{
    description     = "PostgreSQL from the app tier"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.sg1.id]
  }}
}}

resource "aws_db_instance" "main" {{
  identifier                  = "${{var.name}}-pg"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.t3.medium"
  allocated_storage           = 50
  username                    = "app"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.main.name
  vpc_security_group_ids      = [aws_security_group.db.id]
  storage_encrypted           = var.db_encrypted
  backup_retention_period     = {backup}
  publicly_accessible         = {public}
  multi_az                    = true
  deletion_protection         = true
  skip_final_snapshot         = true
}}
"#,
            backup = self.db_backup_days,
            public = self.db_public,
        );
    }

    fn main(&self, s: &mut String, with_modules: bool, rng: &mut Rng) {
        s.push_str(
            r#"locals {
  common_tags = {
    Stack = var.name
    Owner = "platform"
  }
}

output "vpc_id" {
  value = aws_vpc.main.id
}

output "db_address" {
  value = aws_db_instance.main.address
}
"#,
        );
        if !with_modules {
            return;
        }
        let n = rng.range(1, 3);
        let keys: Vec<String> = (0..n).map(|k| format!("\"extra{k}\"")).collect();
        let _ = write!(
            s,
            r#"
module "extra_buckets" {{
  source   = "../../modules/bucket"
  for_each = toset([{keys}])

  name        = "${{var.name}}-${{each.key}}"
  versioning  = var.versioning
  kms_key_arn = aws_kms_key.data.arn
  log_bucket  = aws_s3_bucket.logs.id
}}

module "service_sg" {{
  source = "../../modules/sg"
  count  = {count}

  name          = "${{var.name}}-svc-${{count.index}}"
  vpc_id        = aws_vpc.main.id
  ingress_ports = [443, 8443]
  ingress_cidrs = [{cidr}]
}}
"#,
            keys = keys.join(", "),
            count = rng.range(1, 2),
            cidr = if rng.chance(20) {
                "\"0.0.0.0/0\"".to_string()
            } else {
                "var.vpc_cidr".to_string()
            },
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    fn listing(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                    out.push((rel, fs::read_to_string(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn writes_exactly_the_requested_number_of_files() {
        for n in [1, 9, 10, 15, 16, 17, 33, 100] {
            let dir = tempfile::tempdir().unwrap();
            let stats = generate(n, 7, dir.path()).unwrap();
            assert_eq!(stats.files, n);
            assert_eq!(listing(dir.path()).len(), n, "n = {n}");
        }
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let c = tempfile::tempdir().unwrap();
        generate(40, 1, a.path()).unwrap();
        generate(40, 1, b.path()).unwrap();
        generate(40, 2, c.path()).unwrap();
        assert_eq!(listing(a.path()), listing(b.path()));
        assert_ne!(listing(a.path()), listing(c.path()));
    }

    #[test]
    fn corpus_has_modules_stacks_and_both_good_and_bad_settings() {
        let dir = tempfile::tempdir().unwrap();
        let stats = generate(206, 42, dir.path()).unwrap();
        assert_eq!(stats.stacks, 20);
        let files = listing(dir.path());
        let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
        assert!(files
            .iter()
            .any(|(p, _)| p.ends_with("modules/bucket/main.tf")));
        assert!(all.contains("source   = \"../../modules/bucket\""));
        assert!(all.contains("for_each"));
        assert!(all.contains("count.index"));
        assert!(all.contains("cidrsubnet("));
        // Bad and good settings both occur.
        assert!(all.contains("admin_cidr     = \"0.0.0.0/0\""));
        assert!(all.contains("admin_cidr     = \"203.0.113.0/24\""));
        assert!(all.contains("db_encrypted   = false"));
        assert!(all.contains("db_encrypted   = true"));
        assert!(all.contains("Action   = \"*\""));
        assert!(all.contains("http_tokens   = \"optional\""));
        assert!(all.contains("http_tokens   = \"required\""));
        assert!(stats.resource_blocks > 20 * 30);
    }

    #[test]
    fn rng_is_stable() {
        let mut r = Rng::new(0);
        // SplitMix64 reference values for seed 0.
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }
}
