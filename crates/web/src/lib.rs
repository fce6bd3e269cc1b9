//! ixorg-web.
