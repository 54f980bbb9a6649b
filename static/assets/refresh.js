// The busy and too-many-requests pages: they say when they try again, and do it then (without
// JavaScript a <noscript> meta refresh does the same). A timed refresh hidden in the page's head
// is what WCAG 2.2.1 warns about; this one is announced in the page's words.
(() => {
  "use strict";
  const { refreshS, refreshUrl } = document.body.dataset;
  const seconds = Number(refreshS);
  if (refreshUrl && seconds > 0) setTimeout(() => location.replace(refreshUrl), seconds * 1000);
})();
