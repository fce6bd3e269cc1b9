//! The participant portal at `/mijn/`: its pieces that do not depend on a request (the year
//! chart and the explanations in words).

pub mod chart;
pub mod explain;
pub mod overview;
