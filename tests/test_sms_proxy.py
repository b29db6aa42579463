"""A deployment that reaches Twilio through an outbound proxy names it in the environment
(``HTTP_PROXY``/``HTTPS_PROXY``, ``NO_PROXY``), as for any requests-based client: the SMS
go through it. The client reads those settings once, when it is made, not on every SMS."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from notifications.models import SmsPurpose, SmsStatus
from notifications.sms.service import sms_send

pytestmark = pytest.mark.django_db

TWILIO_BEHIND_PROXY = "http://api.twilio.invalid"  # resolvable by the proxy alone


@pytest.fixture
def proxy(fake_twilio):
    """A forward proxy that relays every request to the fake Twilio and notes its target."""
    relayed: list[str] = []
    upstream = urlsplit(fake_twilio.base_url)

    class Relay(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            relayed.append(self.path)  # absolute form: the URL the client wanted
            target = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port)
            connection.request("POST", target.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.getheader("Content-Type", ""))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", relayed
    finally:
        server.shutdown()
        server.server_close()


def test_sms_go_through_the_proxy_the_environment_names(fake_twilio, proxy, settings, monkeypatch):
    proxy_url, relayed = proxy
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    settings.TWILIO_API_BASE_URL = TWILIO_BEHIND_PROXY

    first = sms_send(to="+33611000001", body="Alerte : coupure d'eau", purpose=SmsPurpose.ALERT)
    second = sms_send(to="+33611000002", body="Alerte : coupure d'eau", purpose=SmsPurpose.ALERT)

    assert first.status == second.status == SmsStatus.SENT
    path = f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    assert relayed == [f"{TWILIO_BEHIND_PROXY}{path}"] * 2
    assert [r.params["To"] for r in fake_twilio.message_requests()] == [
        "+33611000001",
        "+33611000002",
    ]


def test_an_address_no_proxy_lists_is_reached_directly(fake_twilio, proxy, monkeypatch):
    proxy_url, relayed = proxy
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")

    sms = sms_send(to="+33611000003", body="Alerte : coupure d'eau", purpose=SmsPurpose.ALERT)

    assert sms.status == SmsStatus.SENT
    assert relayed == []
    assert len(fake_twilio.message_requests()) == 1
