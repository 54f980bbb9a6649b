// A party link, the friend's end (docs/api.md, "Come as a party"): the link's code is in its
// fragment (never sent to a server); the page takes it into the join form and posts it, once, and
// forgets the fragment so a reload does not post it again. The page says first that a place of
// this device's own is given up; the fan who would rather keep it closes the page.
(() => {
  "use strict";
  const code = decodeURIComponent(location.hash.slice(1));
  const form = document.getElementById("party-join");
  if (!code || !form) return;
  history.replaceState(null, "", location.pathname);
  document.getElementById("code").value = code;
})();
