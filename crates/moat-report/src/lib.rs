//! moat-report
