// The fan's turn with pass_delivery form_post: the pass goes to the purchase page in a POST,
// never in a URL. Submits the page's form at once, except when the fan came back to this page
// with the Back button (the pass was sent already; the button is still there). Without
// JavaScript the fan presses the button.
(() => {
  "use strict";
  const form = document.getElementById("pass-form");
  const nav = performance.getEntriesByType("navigation")[0];
  if (form && !(nav && nav.type === "back_forward")) form.submit();
})();
