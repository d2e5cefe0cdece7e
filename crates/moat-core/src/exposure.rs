//! Exposure: everything the internet can reach, on which ports, directly or through which
//! load balancer (CONTRACTS.md, `moat exposure`).

use moat_model::ScanError;
use moat_net::Exposure;

use crate::{Error, Workspace};

/// What the internet reaches.
#[derive(Clone, Debug, PartialEq)]
pub struct Exposures {
    /// Sorted, without duplicates.
    pub exposures: Vec<Exposure>,
    /// Files that could not be read: they may declare anything, so the list is incomplete.
    pub unread: Vec<ScanError>,
}

impl Workspace {
    /// Everything the internet can reach in every estate.
    pub fn exposure(&self) -> Result<Exposures, Error> {
        self.require_something()?;
        let mut exposures = Vec::new();
        for e in self.estates() {
            exposures.extend(moat_net::exposure(&e.aws.network, e));
        }
        exposures.sort();
        exposures.dedup();
        Ok(Exposures {
            exposures,
            unread: self.errors().to_vec(),
        })
    }
}
