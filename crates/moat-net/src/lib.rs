//! moat-net
