// "Continue on another device", the receiving end (docs/api.md, "Move my place"): the link's code
// is in its fragment (never sent to a server); the page takes it into the form and posts it, once,
// and forgets the fragment so a reload does not post a used code again.
(() => {
  "use strict";
  const code = decodeURIComponent(location.hash.slice(1));
  if (!code) return;
  history.replaceState(null, "", location.pathname);
  const form = document.getElementById("move");
  document.getElementById("code").value = code;
  const notice = document.getElementById("notice");
  notice.hidden = false;
  notice.textContent = window.waitroomI18n ? window.waitroomI18n.t("js-moving") : "…";
  form.submit();
})();
