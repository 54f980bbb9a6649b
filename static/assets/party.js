// A party link, the friend's end (docs/api.md, "Come as a party"): the link's code is in its
// fragment (never sent to a server); the page takes it into the join form and out of the address
// bar (so a reload does not hold it), on load and when the link is opened on this page again. The
// friend then presses "Join the party": the page says first that a place of this device's own is
// given up. In a sale that binds places to devices the form carries this device's public key
// (device-key.js), which the member's place is kept for, and a proof for the place of its own it
// gives up.
(() => {
  "use strict";
  const form = document.getElementById("party-join");
  if (!form) return;
  function take() {
    const code = decodeURIComponent(location.hash.slice(1));
    if (!code) return;
    history.replaceState(null, "", location.pathname);
    document.getElementById("code").value = code;
  }
  take();
  window.addEventListener("hashchange", take);
  const sale = document.body.dataset.sale;
  const device = document.body.dataset.bound ? window.waitroomDevice : null;
  if (device) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = "device_key";
      field.value = JSON.stringify(await device.publicJwk(sale));
      form.append(field);
      // A place of this device's own is given up only with this device's proof.
      const seq = device.seq(sale);
      if (seq) {
        const proof = document.createElement("input");
        proof.type = "hidden";
        proof.name = "device_proof";
        proof.value = await device.proof(sale, seq, "move");
        form.append(proof);
      }
      form.submit();
    }, { once: true });
  }
})();
