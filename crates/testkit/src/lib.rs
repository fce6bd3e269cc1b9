//! ixorg-testkit.
