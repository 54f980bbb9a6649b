// "Continue on another device", the giving end (its QR code is link-qr.js's): while the page is
// open, checks whether the place has moved, to say so at once.
(() => {
  "use strict";
  const sale = document.body.dataset.sale;
  async function check() {
    try {
      const res = await fetch(`/api/sales/${encodeURIComponent(sale)}/status`, { credentials: "same-origin", cache: "no-store" });
      if (res.ok && (await res.json()).state === "moved") {
        location.replace(`/s/${encodeURIComponent(sale)}`);
        return;
      }
    } catch (_) {
      // Checked again below.
    }
    setTimeout(check, 3000);
  }
  setTimeout(check, 3000);
})();
