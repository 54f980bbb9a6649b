// Bound to this device (a sale's device_binding): the page's signing key for the sale, ECDSA
// P-256 made by WebCrypto with its private half not extractable and kept in IndexedDB, and the
// proofs made with it: a compact ES256 JWS over {sale, seq, purpose, iat} whose header carries
// the public key (docs/api.md, "Bound to this device"). bind.js and pow.js join with the public
// key; waiting.js sends a proof with its status polls.
(() => {
  "use strict";
  const DB = "waitroom-device";
  const STORE = "keys";
  // The server's clock minus ours, from the Date of its answers: a proof's iat is the server's time.
  let skewMs = 0;

  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function run(db, mode, fn) {
    return new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
    });
  }

  const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const b64text = (text) => b64(new TextEncoder().encode(text));

  // One key pair per sale, made once: the private key cannot be read out of the browser.
  let pairs = {};
  async function keyPair(sale) {
    if (pairs[sale]) return pairs[sale];
    const db = await openDb();
    let pair = await run(db, "readonly", (s) => s.get(sale));
    if (!pair) {
      pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
      await run(db, "readwrite", (s) => s.put(pair, sale));
    }
    pairs[sale] = pair;
    return pair;
  }

  async function publicJwk(sale) {
    const { publicKey } = await keyPair(sale);
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", publicKey);
    return { kty, crv, x, y };
  }

  async function proof(sale, seq, purpose) {
    const { privateKey } = await keyPair(sale);
    const header = b64text(JSON.stringify({ alg: "ES256", typ: "wr-device-proof+jwt", jwk: await publicJwk(sale) }));
    const iat = Math.floor((Date.now() + skewMs) / 1000);
    const payload = b64text(JSON.stringify({ sale, seq, purpose, iat }));
    const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey,
      new TextEncoder().encode(`${header}.${payload}`));
    return `${header}.${payload}.${b64(signature)}`;
  }

  // An answer from the server: its Date sets the clock proofs are made by.
  function heard(response) {
    const at = Date.parse(response.headers.get("Date") || "");
    if (at) skewMs = at - Date.now();
  }

  // The arrival number of this device's place (from the join and each status), for its proofs.
  const seqKey = (sale) => `waitroom:${sale}:seq`;
  window.waitroomDevice = {
    publicJwk,
    proof,
    heard,
    seq: (sale) => Number(localStorage.getItem(seqKey(sale))) || null,
    setSeq: (sale, seq) => { if (seq) localStorage.setItem(seqKey(sale), String(seq)); },
  };
})();
