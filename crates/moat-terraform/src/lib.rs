//! moat-terraform
