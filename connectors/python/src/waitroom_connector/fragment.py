"""The page for delivery ``fragment`` (docs/api.md, "Pass delivery"): the fan arrives at
``purchase_url#pass=<jwt>``, which the browser never sends to a server. This page's script takes
the pass out of the address (``history.replaceState``) and POSTs it as a form to the same URL,
where the middleware reads it as it reads ``form_post``. Its only script is allowed by its hash.
(The same page as the Node connector's.)"""

import base64
import hashlib

FRAGMENT_SCRIPT = (
    "(function(){var m=/(?:^#|&)pass=([^&]*)/.exec(location.hash),t=document.getElementById('wr-note');"
    "if(!m){t.textContent='This link has no admission pass. Go back to the waiting room.';return}"
    "var to=location.pathname+location.search;history.replaceState(null,'',to);"
    "var f=document.createElement('form');f.method='post';f.action=to;"
    "var i=document.createElement('input');i.type='hidden';i.name='pass';i.value=decodeURIComponent(m[1]);"
    "f.appendChild(i);document.body.appendChild(f);f.submit()})();"
)

_HASH = base64.b64encode(hashlib.sha256(FRAGMENT_SCRIPT.encode()).digest()).decode()

FRAGMENT_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width,initial-scale=1">'
    '<meta name="referrer" content="no-referrer"><title>Continuing to your purchase</title></head><body>'
    '<p id="wr-note">Continuing to your purchase\u2026</p><noscript><p>This page needs JavaScript to carry '
    "your admission pass.</p></noscript>"
    f"<script>{FRAGMENT_SCRIPT}</script></body></html>"
).encode()

FRAGMENT_PAGE_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    (
        "Content-Security-Policy",
        f"default-src 'none'; script-src 'sha256-{_HASH}'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
]
