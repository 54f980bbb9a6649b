//! The promoter's client: `Authorization: Bearer $ADMIN_KEY` on `/api/admin/...`.

use crate::support::http::{send, Caller};
use serde_json::{json, Value};
use std::ops::Deref;

/// The purchase URL every test sale points at (nothing listens there; fans never get that far).
pub const PURCHASE_URL: &str = "http://127.0.0.1:9/purchase";

/// Requests as the promoter, and the admin calls the tests make.
#[derive(Clone, Debug)]
pub struct Admin(pub Caller);

impl Deref for Admin {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl Admin {
    /// Creates a sale (201) pointing at [`PURCHASE_URL`].
    pub async fn create_sale(&self, sale: &str, opens_at: Option<&str>) -> Value {
        let mut body = json!({ "name": format!("Test sale {sale}"), "purchase_url": PURCHASE_URL });
        if let Some(at) = opens_at {
            body["opens_at"] = json!(at);
        }
        self.create_sale_with(sale, body).await
    }

    /// Creates a sale (201) with the given body.
    pub async fn create_sale_with(&self, sale: &str, body: Value) -> Value {
        let report = send(self.put(&format!("/api/admin/sales/{sale}")).json(&body))
            .await
            .expect(201, "create sale");
        assert_eq!(
            report["id"], sale,
            "created report names the sale: {report}"
        );
        report
    }

    /// Creates a sale (201) pointing at [`PURCHASE_URL`] with the settings in `extra` (a JSON
    /// object), and opens it.
    pub async fn open_sale_with(&self, sale: &str, extra: Value) {
        let mut body = json!({ "name": format!("Sale {sale}"), "purchase_url": PURCHASE_URL });
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("settings").clone());
        self.create_sale_with(sale, body).await;
        self.open_sale(sale).await;
    }

    /// `POST /api/admin/sales/{sale}/<action>` (open, pause, close), 200.
    pub async fn control(&self, sale: &str, action: &str) -> Value {
        send(self.post(&format!("/api/admin/sales/{sale}/{action}")))
            .await
            .expect(200, action)
    }

    /// Opens the sale (200, the open report).
    pub async fn open_sale(&self, sale: &str) -> Value {
        let report = self.control(sale, "open").await;
        assert_eq!(
            report["phase"], "open",
            "open answers the open report: {report}"
        );
        report
    }

    /// The report of a sale (200).
    pub async fn report(&self, sale: &str) -> Value {
        send(self.get(&format!("/api/admin/sales/{sale}")))
            .await
            .expect(200, "report")
    }
}
