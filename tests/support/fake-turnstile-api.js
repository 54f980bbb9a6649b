// A stand-in for Cloudflare Turnstile's widget script (api.js), served by the tests' siteverify
// stand-in (tests/support/siteverify.rs) as the worker's TURNSTILE_SCRIPT_URL. It does what our
// challenge page uses of the real one, implicit rendering: each `.cf-turnstile` element gets the
// hidden `cf-turnstile-response` input holding a token, then its `data-callback` is called with
// the token. The token is one the stand-in's siteverify accepts (`pass-...`), except for a site
// key starting with `2x` (like Cloudflare's "always fails" test keys): `fail-...`, refused.
(() => {
  "use strict";
  const token = (siteKey) => {
    const words = new Uint32Array(2);
    crypto.getRandomValues(words);
    const kind = siteKey.startsWith("2x") ? "fail" : "pass";
    return `${kind}-${words[0].toString(16)}${words[1].toString(16)}`;
  };
  const render = (element) => {
    if (element.dataset.rendered) return;
    element.dataset.rendered = "1";
    const value = token(element.dataset.sitekey || "");
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "cf-turnstile-response";
    input.value = value;
    element.appendChild(input);
    const callback = window[element.dataset.callback];
    if (typeof callback === "function") callback(value);
  };
  const renderAll = () => document.querySelectorAll(".cf-turnstile").forEach(render);
  // Loaded async: the page's own deferred scripts (which define the callback) have run by `load`.
  if (document.readyState === "complete") renderAll();
  else window.addEventListener("load", renderAll);
})();
