//! Typed views over the resolved estate: the network core and the services, normalised so
//! that analyses do not need to know which frontend or which resource split a setting came
//! from.

pub mod net;
pub mod services;
