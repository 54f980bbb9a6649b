//! Keys and what they sign: the fan's queue token ([`token`]) and the link that moves it to
//! another device ([`move_link`]), the admission pass an origin
//! verifies ([`pass`], and how it reaches the purchase page, [`pass_delivery`]), the key
//! proof-of-work challenges are signed with ([`pow_key`]), and the worker's secrets, read from the
//! environment and refused when missing or weak ([`secrets`], [`secret_strength`]).

pub mod move_link;
pub mod pass;
pub mod pass_delivery;
pub mod pow_key;
pub mod secret_strength;
pub mod secrets;
pub mod token;
