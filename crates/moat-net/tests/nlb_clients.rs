//! An internal NLB that preserves client IPs: the target must admit the NLB's clients (whoever
//! reaches the listener), not just the NLB's subnets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use moat_net::{check_lb_targets, Net, Verdict};

const TF: &str = r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "lb" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_security_group" "nlb" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.5.0/24"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group" "db" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["TARGET_ADMITS"]
  }
}
resource "aws_instance" "db" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.db.id]
}
resource "aws_lb" "db" {
  load_balancer_type = "network"
  internal           = true
  subnets            = [aws_subnet.lb.id]
  security_groups    = [aws_security_group.nlb.id]
}
resource "aws_lb_target_group" "db" {
  port        = 5432
  protocol    = "TCP"
  target_type = "instance"
  vpc_id      = aws_vpc.main.id
}
resource "aws_lb_target_group_attachment" "db" {
  target_group_arn = aws_lb_target_group.db.arn
  target_id        = aws_instance.db.id
}
resource "aws_lb_listener" "db" {
  load_balancer_arn = aws_lb.db.arn
  port              = 5432
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.db.arn
  }
}
"#;

fn traffic(target_admits: &str) -> Verdict {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        TF.replace("TARGET_ADMITS", target_admits),
    )
    .unwrap();
    let e = moat_terraform::load(dir.path(), &moat_terraform::Options::default()).remove(0);
    let net = e.aws.network.clone();
    let checks = check_lb_targets(&Net::new(&net, &e));
    assert_eq!(checks.len(), 1);
    checks[0].traffic.verdict
}

#[test]
fn target_admitting_only_the_nlb_subnet_does_not_admit_the_clients() {
    // The clients are 10.0.5.0/24 (the NLB's group); the NLB's own subnet is not a client.
    assert_eq!(traffic("10.0.1.0/24"), Verdict::Blocked);
    assert_eq!(traffic("10.0.5.0/24"), Verdict::Reachable);
    assert_eq!(traffic("10.0.0.0/16"), Verdict::Reachable);
}
