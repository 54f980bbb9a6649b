// "Continue on another device", the giving end: draws the link's QR code (qrcode-generator,
// served from /vendor/) and, while the page is open, checks whether the place has moved, to say
// so at once.
(() => {
  "use strict";
  const body = document.body;
  const link = body.dataset.link;
  const box = document.getElementById("qr");
  if (link && box && typeof qrcode === "function") {
    const qr = qrcode(0, "M");
    qr.addData(link);
    qr.make();
    box.innerHTML = qr.createSvgTag({ cellSize: 5, margin: 4, scalable: true });
  }
  const sale = body.dataset.sale;
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
