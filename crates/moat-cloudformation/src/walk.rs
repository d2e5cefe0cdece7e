//! Finding candidate template files under the scanned path (being written).
