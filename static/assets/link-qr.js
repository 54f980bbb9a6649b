// A link a fan hands on ("Continue on another device", "Invite friends"; handed_link.html): draws
// the link's QR code (qrcode-generator, served from /vendor/).
(() => {
  "use strict";
  const link = document.body.dataset.link;
  const box = document.getElementById("qr");
  if (link && box && typeof qrcode === "function") {
    const qr = qrcode(0, "M");
    qr.addData(link);
    qr.make();
    box.innerHTML = qr.createSvgTag({ cellSize: 5, margin: 4, scalable: true });
  }
})();
