"""What the tests share: keys made as the worker makes them, a JWKS server the test controls,
the ways a script forges a pass, and calling ASGI and WSGI apps without a server."""

import asyncio
import base64
import hashlib
import hmac
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SigningKey:
    """An Ed25519 key and its public JWK, ``kid`` its RFC 7638 thumbprint."""

    def __init__(self):
        self.private = Ed25519PrivateKey.generate()
        x = b64(self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
        canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
        self.kid = b64(hashlib.sha256(canonical.encode()).digest())
        self.jwk = {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": self.kid, "x": x}

    def sign(self, claims: dict, kid=None) -> str:
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": kid or self.kid, "typ": "JWT"})


def claims_for(sale: str, seq: int, ttl: int = 600, iat=None) -> dict:
    iat = int(time.time()) if iat is None else iat
    return {"iss": "waitroom", "aud": sale, "sub": f"fan-{seq}", "win": "w1", "seq": seq,
            "iat": iat, "exp": iat + ttl, "jti": f"{sale}.{seq}"}


def header_of(token: str) -> dict:
    return json.loads(unb64(token.split(".")[0]))


def payload_of(token: str) -> dict:
    return json.loads(unb64(token.split(".")[1]))


def unsigned(token: str) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": header_of(token).get("kid")}
    return f"{b64(json.dumps(header).encode())}.{token.split('.')[1]}."


def hmac_signed(token: str, secret: bytes) -> str:
    header = {"alg": "HS256", "typ": "JWT", "kid": header_of(token).get("kid")}
    text = f"{b64(json.dumps(header).encode())}.{token.split('.')[1]}"
    return f"{text}.{b64(hmac.new(secret, text.encode(), hashlib.sha256).digest())}"


def tampered(token: str, **change) -> str:
    header, _, signature = token.split(".")
    return f"{header}.{b64(json.dumps({**payload_of(token), **change}).encode())}.{signature}"


class JwksServer:
    """Serves ``answer`` (a JWKS dict, a callable returning one, or a status int) on a free port."""

    def __init__(self, answer):
        self.answer = answer
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.fetches += 1
                answer = outer.answer() if callable(outer.answer) else outer.answer
                if isinstance(answer, int):
                    self.send_response(answer)
                    self.end_headers()
                    return
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def echo_asgi():
    """An ASGI app answering 200 with the pass's claims (from scope and state) and the body it read."""

    async def app(scope, receive, send):
        body = b""
        if scope["method"] == "POST":
            message = await receive()
            body = message.get("body", b"")
        answer = {"claims": scope.get("waitroom_pass"), "state": scope["state"].get("waitroom_pass"),
                  "body": body.decode()}
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(answer).encode()})

    return app


def call_asgi(app, method="GET", path="/purchase", query="", form=None, raw=False):
    """(status, headers dict, JSON body, or the bytes if ``raw``) of one request to an ASGI app."""
    body = urlencode(form).encode() if form is not None else b""
    headers = [(b"content-type", b"application/x-www-form-urlencoded")] if form is not None else []
    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode(),
             "headers": headers, "state": {}}
    # The body comes in two messages, as a server may send it.
    messages = [{"type": "http.request", "body": body[:5], "more_body": True},
                {"type": "http.request", "body": body[5:], "more_body": False}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return (start["status"], {k.decode(): v.decode() for k, v in start["headers"]},
            body if raw else json.loads(body))


def echo_wsgi(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode() if length else ""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"claims": environ.get("waitroom.pass"), "body": body}).encode()]


def call_wsgi(app, method="GET", path="/purchase", query="", form=None, raw=False):
    body = urlencode(form).encode() if form is not None else b""
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
               "CONTENT_TYPE": "application/x-www-form-urlencoded" if form is not None else "",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    status = []
    chunks = app(environ, lambda s, h: status.append((s, dict(h))))
    body = b"".join(chunks)
    return int(status[0][0].split()[0]), status[0][1], body if raw else json.loads(body)
