//! Policy gate: decides whether an agent action may run (allowed / denied / needs approval).
//!
//! Entry point: [`PolicyGate`]. Shell-command analysis lives in [`shell`].

pub mod action;
pub mod config;
mod context;
pub mod decision;
pub mod error;
pub mod gate;
pub mod ip;
pub mod network;
pub mod paths;
pub mod plugins;
pub mod shell;
pub mod write;

pub use action::ActionType;
pub use config::{PolicyConfig, ShellEgress};
pub use decision::{Category, Decision, Risk};
pub use error::PolicyError;
pub use gate::PolicyGate;
