//! ui
pub fn start() {}
