// A party link, the friend's end (docs/api.md, "Come as a party"): the link's code is in its
// fragment (never sent to a server); the page takes it into the join form and out of the address
// bar (so a reload does not hold it), on load and when the link is opened on this page again. The
// friend then presses "Join the party": the page says first that a place of this device's own is
// given up.
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
})();
