//! ixorg-app.
