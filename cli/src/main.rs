//! dockhand command line.
fn main() {}
