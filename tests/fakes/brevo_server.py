"""A fake Brevo transactional e-mail API on 127.0.0.1, for anymail's real Brevo backend.

It answers ``POST /v3/smtp/email`` as Brevo does: the ``api-key`` header checked, a JSON
body in, ``201`` and ``{"messageId": "<…@smtp-relay.mailin.fr>"}`` out. Each accepted
e-mail is kept in ``sent`` as ``(message_id, payload)``, in arrival order.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RELAY = "smtp-relay.mailin.fr"


class FakeBrevoServer:
    def __init__(self, *, api_key: str = "xkeysib-test") -> None:
        self.api_key = api_key
        self.sent: list[tuple[str, dict]] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v3/"

    def start(self) -> FakeBrevoServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                if self.headers.get("api-key") != fake.api_key:
                    self._answer(401, {"code": "unauthorized", "message": "Key not found"})
                elif self.path != "/v3/smtp/email":
                    self._answer(404, {"code": "not_found", "message": "Not found"})
                else:
                    message_id = f"<{secrets.token_hex(8)}.{secrets.randbelow(10**8)}@{RELAY}>"
                    with fake._lock:
                        fake.sent.append((message_id, payload))
                    self._answer(201, {"messageId": message_id})

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
