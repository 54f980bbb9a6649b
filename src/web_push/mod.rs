//! Web Push from the coordinator (docs/api.md, "Called back"): RFC 8291 message encryption
//! ([`encrypt`]), the VAPID identity ([`vapid`]) and the sending of the calls the core makes
//! ([`send`]). Only the coordinator (so only the full worker) uses it: none of it is in the edge
//! module.

pub mod encrypt;
pub mod send;
pub mod vapid;
