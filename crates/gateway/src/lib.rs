//! The local AI gateway. Every request to Claude goes through [`Gateway`].

mod request;

pub use request::*;
