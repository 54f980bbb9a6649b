//! Keys and what they sign: the fan's queue token ([`token`]), the device a bound place's token
//! names and the proofs it makes ([`device`]), the link that moves a place to another device
//! ([`move_link`]) or invites friends to it ([`party_link`]), the admission pass an origin
//! verifies ([`pass`], and how it reaches the purchase page, [`pass_delivery`]), the key
//! proof-of-work challenges are signed with ([`pow_key`]), and the worker's secrets, read from the
//! environment and refused when missing or weak ([`secrets`], [`secret_strength`]).

pub mod device;
pub mod move_link;
pub mod party_link;
pub mod pass;
pub mod pass_delivery;
pub mod pow_key;
pub mod push_subscription;
pub mod secret_strength;
pub mod secrets;
pub mod token;
