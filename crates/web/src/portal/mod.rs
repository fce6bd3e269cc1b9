//! The participant portal at `/mijn/`: its pieces that do not depend on a request (the year
//! chart and the explanations in words), and its log-in pages ([`auth`]).

pub mod auth;
pub mod chart;
pub mod consent;
pub mod explain;
pub mod overview;
