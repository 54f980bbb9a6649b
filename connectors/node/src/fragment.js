// The page for delivery `fragment` (docs/api.md, "Pass delivery"): the fan arrives at
// `purchase_url#pass=<jwt>`, which the browser never sends to a server. This page's script takes
// the pass out of the address (history.replaceState) and POSTs it as a form to the same URL, where
// the middleware reads it as it reads `form_post`. Its only script is allowed by its hash.

import { createHash } from 'node:crypto';

export const FRAGMENT_SCRIPT =
  "(function(){var m=/(?:^#|&)pass=([^&]*)/.exec(location.hash),t=document.getElementById('wr-note');" +
  "if(!m){t.textContent='This link has no admission pass. Go back to the waiting room.';return}" +
  "var to=location.pathname+location.search;history.replaceState(null,'',to);" +
  "var f=document.createElement('form');f.method='post';f.action=to;" +
  "var i=document.createElement('input');i.type='hidden';i.name='pass';i.value=decodeURIComponent(m[1]);" +
  "f.appendChild(i);document.body.appendChild(f);f.submit()})();";

const HASH = createHash('sha256').update(FRAGMENT_SCRIPT).digest('base64');

export const FRAGMENT_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
  '<meta name="referrer" content="no-referrer"><title>Continuing to your purchase</title></head><body>' +
  '<p id="wr-note">Continuing to your purchase…</p><noscript><p>This page needs JavaScript to carry your admission pass.</p></noscript>' +
  `<script>${FRAGMENT_SCRIPT}</script></body></html>`;

export const FRAGMENT_PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': `default-src 'none'; script-src 'sha256-${HASH}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
};
