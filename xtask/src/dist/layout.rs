//! Where the server binary lives on an installed machine.

/// Where deploy/redcap-resume.service runs the binary (a hand install, README's steps).
pub const HAND_BINARY: &str = "/usr/local/bin/redcap-resume";
/// Where the .deb puts the binary (the unit it installs is pointed there).
pub const PACKAGE_BINARY: &str = "/usr/bin/redcap-resume";
