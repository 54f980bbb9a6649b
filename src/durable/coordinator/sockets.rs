//! The coordinator's fan sockets (docs/api.md, "The turn, pushed"): each accepted and counted as
//! its fan's presence, one per fan, counted again after a restart, and the turn pushed on it.

use super::{Inner, SaleCoordinatorObject};
use crate::clock;
use waitroom_core::machines::sale_machine::{OpenSockets, Push};
use waitroom_core::queue::socket::{self, Attachment, Message, Refusal, CLOSE_TURN_SENT};
use waitroom_core::{Seq, UnixMillis};
use worker::{Response, Result, State, WebSocket, WebSocketPair};

impl Inner {
    /// Sockets accepted before this object (re)started, still open through hibernation or a
    /// reload: the core counts them again; one whose fan the line passed is closed.
    pub(super) fn count_open_sockets(&mut self, state: &State, now: UnixMillis) {
        let open = state.get_websockets();
        if !open.is_empty() {
            worker::console_log!("coordinator (re)started with {} open sockets", open.len());
        }
        for ws in open {
            match ws.deserialize_attachment::<Attachment>() {
                Ok(Some(Attachment { seq })) if self.machine.reconnect(seq, now) => {}
                _ => {
                    let r = Refusal::TurnReached;
                    let _ = ws.close(Some(r.close_code()), Some(r.reason()));
                }
            }
        }
    }
}

impl SaleCoordinatorObject {
    /// Sends each turn the core made for a fan holding a socket (any admission, by any path)
    /// on that fan's sockets, then closes them: the page goes to the purchase page. A send that
    /// fails loses nothing: the fan's next poll gets the same turn.
    pub(super) fn push_turns(&self) {
        let pushes = match self.inner.borrow_mut().as_mut() {
            Some(inner) => inner.machine.take_pushes(),
            None => return,
        };
        for Push { seq, message } in pushes {
            for ws in self.state.get_websockets_with_tag(&socket::tag(seq)) {
                if let Err(e) = ws.send(&message) {
                    worker::console_warn!("a pushed turn was not sent (the fan polls): {e}");
                }
                let _ = ws.close(Some(CLOSE_TURN_SENT), Some("your_turn"));
            }
        }
    }

    /// Takes fan `seq`'s WebSocket: accepted (hibernatable, tagged by the fan's number, and
    /// counted as their presence) if the core admits it, else closed at once with the refusal's
    /// close code. Either way the answer is the 101 the edge hands on.
    pub(super) async fn accept_socket(&self, seq: Seq, hand: u8, from: &str) -> Result<Response> {
        let pair = WebSocketPair::new()?;
        let now = clock::now();
        let tag = socket::tag(seq);
        let from_tag = socket::address_tag(from);
        let open = OpenSockets {
            from_address: self.state.get_websockets_with_tag(&from_tag).len() as u64,
            own: self.state.get_websockets_with_tag(&tag).len() as u64,
        };
        // Counted and accepted with nothing awaited in between: sockets that arrive at once
        // from one address are counted one after the other.
        let mut alarm = None;
        let refused = if self.fault.get().refuse_sockets {
            Err(Refusal::TestFault)
        } else {
            let (admitted, moved) = self.with_machine(now, |m| m.connect(seq, hand, open, now))?;
            alarm = moved;
            admitted
        };
        match refused {
            Ok(()) => {
                self.close_replaced(&tag)?;
                self.state
                    .accept_websocket_with_tags(&pair.server, &[tag.as_str(), from_tag.as_str()]);
                pair.server.serialize_attachment(Attachment { seq })?;
                pair.server.send(&Message::Watching { seq })?;
            }
            Err(refusal) => {
                pair.server.accept()?;
                pair.server
                    .close(Some(refusal.close_code()), Some(refusal.reason()))?;
            }
        }
        // The sweep before it may have admitted fans (an admission mode on the clock).
        self.push_turns();
        let _ = self.schedule(alarm).await;
        self.emit().await;
        Response::from_websocket(pair.client)
    }

    /// One socket per fan: the sockets a fan held before the one being accepted (the core
    /// uncounted them when it took the new one, [`waitroom_core::SaleMachine::connect`]) are closed
    /// ([`Refusal::Replaced`]). Their attachment is cleared first, so their close event (if the
    /// runtime delivers one) counts nothing twice.
    fn close_replaced(&self, tag: &str) -> Result<()> {
        let replaced = Refusal::Replaced;
        for old in self.state.get_websockets_with_tag(tag) {
            old.serialize_attachment(())?;
            let _ = old.close(Some(replaced.close_code()), Some(replaced.reason()));
        }
        Ok(())
    }

    /// Fan `seq`'s place moved to another device: the old hand's sockets are closed
    /// ([`Refusal::Moved`], so its page says so) and uncounted (their attachment cleared first,
    /// so a close event counts nothing twice); the new hand opens its own.
    pub(super) fn close_moved(&self, seq: Seq) -> Result<()> {
        let moved = Refusal::Moved;
        let now = clock::now();
        for old in self.state.get_websockets_with_tag(&socket::tag(seq)) {
            old.serialize_attachment(())?;
            let _ = old.close(Some(moved.close_code()), Some(moved.reason()));
            self.with_machine(now, |m| m.disconnect(seq, now))?;
        }
        Ok(())
    }

    /// A fan's socket closed or failed: the core counts them as last seen now.
    pub(super) fn socket_gone(&self, ws: &WebSocket) -> Result<()> {
        let Ok(Some(Attachment { seq })) = ws.deserialize_attachment::<Attachment>() else {
            return Ok(());
        };
        let now = clock::now();
        self.with_machine(now, |m| m.disconnect(seq, now))?;
        self.push_turns();
        Ok(())
    }
}
