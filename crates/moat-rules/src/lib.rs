//! moat-rules
