//! Views over the resolved estate that have not moved into the typed state yet ([`crate::aws`]).

pub mod services;
