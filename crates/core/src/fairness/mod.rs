//! The fairness defences: what a new place in line costs, so that a script cannot take places a
//! fan would. Proof of work ([`pow`]), the per-address budget ([`rate_limit`]) and the price an
//! address past it pays ([`place_price`]), Cloudflare Turnstile ([`turnstile`]), and
//! invitation-only sales, one place per member ([`invitation`]). docs/fairness.md says how they
//! add up.

pub mod invitation;
pub mod place_price;
pub mod pow;
pub mod rate_limit;
pub mod refusals;
pub mod turnstile;
