//! A sale's arrival shards as their callers reach them ([`Shard`]): the shard protocol's
//! [`ShardCommand`]s, and the test clock's poke ([`super::ClockPoke`]).

use super::{json_request, Call, CallError, Object, Refusable, OBJECT_PATH, SHARDS_BINDING};
use waitroom_core::machines::protocol::ShardCommand;
use waitroom_core::SaleId;
use worker::{Headers, Method, Request};

/// Arrival shard `shard` of a sale.
pub struct Shard<'a> {
    pub sale: &'a SaleId,
    pub shard: u32,
}

impl Object for Shard<'_> {
    const BINDING: &'static str = SHARDS_BINDING;
    fn name(&self) -> String {
        shard_name(self.sale, self.shard)
    }
}

impl Call<Shard<'_>> for ShardCommand {
    type Wire = Refusable;
    fn registered_sale<'o>(&self, to: &'o Shard<'_>) -> Option<&'o SaleId> {
        Some(to.sale)
    }
    fn request(&self, _: &Shard<'_>, headers: &Headers) -> Result<Request, CallError> {
        json_request(Method::Post, OBJECT_PATH, self, headers)
    }
}

/// The name of arrival shard `shard` of `sale`: its Durable Object's name in [`SHARDS_BINDING`].
pub fn shard_name(sale: &SaleId, shard: u32) -> String {
    format!("{sale}#{shard}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_is_named_by_its_sale_and_number_and_needs_the_sale() {
        let sale = SaleId::parse("tour").unwrap();
        let shard = Shard {
            sale: &sale,
            shard: 3,
        };
        assert_eq!(shard.name(), "tour#3");
        let report = ShardCommand::ReportEdge {
            sale: sale.clone(),
            shard: 3,
            reports: Vec::new(),
        };
        assert_eq!(report.registered_sale(&shard), Some(&sale));
    }
}
