//! What the API tests and the browser tests share, by concern: the worker process they run against
//! and the processes around it ([`process`], [`worker`], with its handle [`api`] and its files
//! [`worker_files`]), HTTP replies ([`http`]) and what to
//! assert about them ([`assertions`]), and one client per role of the HTTP contract in docs/api.md:
//! [`fan`], [`origin`] and [`admin`].
//!
//! Both test crates pull it in with `#[path = "../support/mod.rs"] mod support;`.

pub mod admin;
pub mod api;
pub mod assertions;
pub mod clock;
pub mod device;
pub mod echo_origin;
pub mod fan;
pub mod http;
pub mod origin;
pub mod process;
pub mod push_service;
pub mod random;
pub mod receiver;
pub mod siteverify;
pub mod socket;
pub mod test_server;
pub mod worker;
pub mod worker_files;

// What most tests import; each crate uses a part.
#[allow(unused_imports)]
pub use self::{
    admin::PURCHASE_URL,
    api::Api,
    assertions::eventually,
    fan::Joined,
    http::{send, Reply},
    origin::{verify_pass, Pulled},
    worker::TestWorker,
};
