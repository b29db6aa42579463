"""A fake Twilio REST API on 127.0.0.1, for the real ``twilio`` client to talk to.

It answers ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (and fetches a created
message by its SID) the way Twilio does: form-encoded parameters in, 201 and the Message
resource as JSON out, HTTP basic authentication with the account SID and auth token,
Twilio's JSON error body (``code``, ``message``, ``more_info``, ``status``) on refusal.
``GET …/Messages.json`` lists messages like Twilio's Read Multiple Message Resources: most
recent first, filtered by ``To``, ``From``, ``DateSent``, ``DateSent<`` and ``DateSent>``,
paged with ``PageSize`` (50 by default, 1000 at most) and ``Page``, in Twilio's page
envelope (``messages``, ``page``, ``page_size``, ``start``, ``end``, ``uri``,
``first_page_uri``, ``next_page_uri``, ``previous_page_uri``), which the real client parses.
Once created, a message reads back as ``sent`` with its ``date_sent``: the fake hands every
message to the network at once.

Knobs, all thread-safe to change while running:

- ``latency``: seconds to wait before answering every request;
- ``failure_ratio``: share of message creations answered 500 (error 20500);
- ``timeout_ratio``: share answered only after ``hang_seconds`` (longer than the client
  waits), the message being created meanwhile, as when Twilio is slow but not down;
- ``errors_by_number``: ``{"+33611111111": 21610}`` answers that Twilio error code (with
  its usual HTTP status) for that destination;
- ``failures_before_success``: ``{"+33611111111": 2}`` answers 500 (error 20500) to the
  first two creations for that destination, then accepts the next ones.

Every request is recorded in ``requests`` (``RecordedRequest``), in arrival order;
``messages_to()`` counts the messages created per destination, which is what a recipient
would receive; each request records the address it came from (``client_address``), which
tells hosts apart when the fake listens on another address than loopback (``host``).
"""

from __future__ import annotations

import base64
import json
import random
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

API_VERSION = "2010-04-01"
MESSAGES_PATH = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<account>AC[0-9a-f]{{32}})/Messages\.json$"
)
MESSAGE_PATH = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<account>AC[0-9a-f]{{32}})/Messages/(?P<sid>SM[0-9a-f]{{32}})\.json$"
)

# Twilio's own wording, and the HTTP status each error comes with.
TWILIO_ERRORS = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    21211: (400, "Invalid 'To' Phone Number"),
    21408: (400, "Permission to send an SMS has not been enabled for the region"),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21612: (400, "The 'To' phone number is not currently reachable via SMS"),
    21614: (400, "'To' number is not a valid mobile number"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit"),
    21602: (400, "Message body is required"),
    21604: (400, "A 'To' phone number is required"),
    20001: (400, "Invalid parameter"),
    21703: (400, "The From phone number provided is not a valid message-enabled phone number"),
}


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]  # the last value of each form field
    headers: dict[str, str]
    account_sid: str | None  # from basic authentication
    auth_token: str | None
    status: int = 0  # what the fake answered (0 while it hangs)
    sid: str | None = None  # the message created, if any
    received_at: float = field(default_factory=time.time)  # epoch seconds, on arrival
    client_address: str | None = None  # the sending host's address, as seen by the fake


@dataclass
class FakeTwilioServer:
    account_sid: str = field(default_factory=lambda: new_sid("AC"))
    auth_token: str = field(default_factory=lambda: secrets.token_hex(16))
    latency: float = 0.0
    failure_ratio: float = 0.0
    timeout_ratio: float = 0.0
    hang_seconds: float = 5.0
    errors_by_number: dict[str, int] = field(default_factory=dict)
    failures_before_success: dict[str, int] = field(default_factory=dict)
    seed: int | None = None
    host: str = "127.0.0.1"  # another address lets hosts in other network namespaces in

    def __post_init__(self):
        self.requests: list[RecordedRequest] = []
        self.messages: dict[str, dict] = {}
        self._sids_by_to: dict[str, list[str]] = {}  # Twilio indexes its log by number too
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._random = random.Random(self.seed)  # noqa: S311 (chaos, not cryptography)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeTwilioServer:
        handler = type("Handler", (_Handler,), {"fake": self})
        server_class = type("Server", (ThreadingHTTPServer,), {"request_queue_size": 256})
        self._httpd = server_class((self.host, 0), handler)  # a fan-out opens many at once
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # a quick stop() between tests
            name="fake-twilio",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes requests left hanging
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeTwilioServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # --- what happened ------------------------------------------------------------------------
    def message_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def messages_to(self) -> Counter:
        """How many messages were created for each ``To`` number (timed-out ones included)."""
        with self._lock:
            return Counter(message["to"] for message in self.messages.values())

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.messages.clear()
            self._sids_by_to.clear()

    # --- internals ----------------------------------------------------------------------------
    def _roll(self, ratio: float) -> bool:
        with self._lock:
            return ratio > 0 and self._random.random() < ratio

    def _fails_first(self, to: str) -> bool:
        with self._lock:
            left = self.failures_before_success.get(to, 0)
            if left > 0:
                self.failures_before_success[to] = left - 1
            return left > 0

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _message_resource(self, params: dict[str, str], account_sid: str) -> dict:
        sid = new_sid("SM")
        now = format_datetime(datetime.now(UTC), usegmt=True)
        body = params.get("Body", "")
        service_sid = params.get("MessagingServiceSid")
        return {
            "account_sid": account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": params.get("From"),
            "messaging_service_sid": service_sid,
            "num_media": "0",
            "num_segments": str(max(1, -(-len(body) // 153))),
            "price": None,
            "price_unit": "USD",
            # Twilio answers "accepted" when it still has to pick a sender from the service.
            "status": "accepted" if service_sid and not params.get("From") else "queued",
            "sid": sid,
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}/Media.json"
            },
            "to": params.get("To"),
            "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json",
        }


def twilio_error_body(code: int, message: str | None = None) -> tuple[int, dict]:
    status, default_message = TWILIO_ERRORS.get(code, (400, "Error"))
    return status, {
        "code": code,
        "message": message or default_message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTwilioServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes

    def log_message(self, format, *args):
        pass  # keep test output clean

    def _credentials(self) -> tuple[str | None, str | None]:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None, None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None, None
        return user, password

    def _answer(self, record: RecordedRequest, status: int, payload: dict) -> None:
        record.status = status
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: that is what a timeout test wants

    def _error(self, record: RecordedRequest, code: int) -> None:
        status, payload = twilio_error_body(code)
        self._answer(record, status, payload)

    def _start(self, method: str) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        params = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
        account_sid, auth_token = self._credentials()
        record = RecordedRequest(
            method=method,
            path=self.path,
            params=params,
            headers=dict(self.headers.items()),
            account_sid=account_sid,
            auth_token=auth_token,
            client_address=self.client_address[0],
        )
        self.fake._record(record)
        if self.fake.latency:
            self.fake._stopping.wait(self.fake.latency)
        return record

    def _authenticated(self, record: RecordedRequest, path_account: str) -> bool:
        fake = self.fake
        return (
            record.account_sid == fake.account_sid
            and record.auth_token == fake.auth_token
            and path_account == fake.account_sid
        )

    def do_POST(self):
        record = self._start("POST")
        fake = self.fake
        match = MESSAGES_PATH.match(self.path)
        if not match:
            return self._error(record, 20404)
        if not self._authenticated(record, match["account"]):
            return self._error(record, 20003)
        params = record.params
        if not params.get("To"):
            return self._error(record, 21604)
        if not params.get("From") and not params.get("MessagingServiceSid"):
            return self._error(record, 21703)
        if not params.get("Body"):
            return self._error(record, 21602)
        if len(params["Body"]) > 1600:
            return self._error(record, 21617)
        if params["To"] in fake.errors_by_number:
            return self._error(record, fake.errors_by_number[params["To"]])
        if fake._fails_first(params["To"]) or fake._roll(fake.failure_ratio):
            return self._error(record, 20500)

        message = fake._message_resource(params, fake.account_sid)
        with fake._lock:
            fake.messages[message["sid"]] = message
            fake._sids_by_to.setdefault(message["to"], []).append(message["sid"])
        record.sid = message["sid"]
        if fake._roll(fake.timeout_ratio):
            fake._stopping.wait(fake.hang_seconds)
        return self._answer(record, HTTPStatus.CREATED, message)

    def do_GET(self):
        record = self._start("GET")
        fake = self.fake
        url = urlsplit(self.path)
        listing = MESSAGES_PATH.match(url.path)
        if listing:
            if not self._authenticated(record, listing["account"]):
                return self._error(record, 20003)
            query = {key: values[-1] for key, values in parse_qs(url.query).items()}
            try:
                page = _message_page(fake, listing["account"], url.path, query)
            except ValueError as error:
                status, payload = twilio_error_body(20001, str(error))
                return self._answer(record, status, payload)
            return self._answer(record, HTTPStatus.OK, page)
        match = MESSAGE_PATH.match(url.path)
        if not match:
            return self._error(record, 20404)
        if not self._authenticated(record, match["account"]):
            return self._error(record, 20003)
        with fake._lock:
            message = fake.messages.get(match["sid"])
        if message is None:
            return self._error(record, 20404)
        return self._answer(record, HTTPStatus.OK, _as_sent(message))


def _as_sent(message: dict) -> dict:
    """A created message as it reads back: handed on to the network at its creation."""
    return {**message, "status": "sent", "date_sent": message["date_created"]}


def _date_filter(value: str) -> tuple[datetime, bool]:
    """Twilio's ``DateSent`` values: ``YYYY-MM-DD`` (a whole day) or ISO 8601 in UTC."""
    value = value.strip()
    try:
        if len(value) == 10:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC), True
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), False
    except ValueError:
        raise ValueError(f"Invalid DateSent value: {value!r}") from None


def _message_page(fake: FakeTwilioServer, account: str, path: str, query: dict) -> dict:
    try:
        page_size = int(query.get("PageSize", 50))
        page = int(query.get("Page", 0))
    except ValueError:
        raise ValueError("PageSize and Page must be integers") from None
    if not 1 <= page_size <= 1000 or page < 0:
        raise ValueError("PageSize must be between 1 and 1000")
    with fake._lock:
        if query.get("To"):
            sids = fake._sids_by_to.get(query["To"], [])
            messages = [_as_sent(fake.messages[sid]) for sid in sids]
        else:
            messages = [_as_sent(message) for message in fake.messages.values()]
    if query.get("From"):
        messages = [m for m in messages if m["from"] == query["From"]]
    for key in ("DateSent", "DateSent>", "DateSent<"):
        if not query.get(key):
            continue
        bound, whole_day = _date_filter(query[key])

        def sent(message):
            return parsedate_to_datetime(message["date_sent"])

        if key == "DateSent":
            if whole_day:
                messages = [m for m in messages if sent(m).date() == bound.date()]
            else:
                messages = [m for m in messages if sent(m) == bound]
        elif key == "DateSent>":  # on or after, like Twilio's ">="
            messages = [m for m in messages if sent(m) >= bound]
        else:
            if whole_day:
                messages = [m for m in messages if sent(m).date() <= bound.date()]
            else:
                messages = [m for m in messages if sent(m) <= bound]
    # Most recent first (ties within a second: the last created first).
    messages.reverse()
    messages.sort(key=lambda m: parsedate_to_datetime(m["date_created"]), reverse=True)
    start = page * page_size
    chunk = messages[start : start + page_size]
    filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

    def page_uri(number: int) -> str:
        return f"{path}?{urlencode({**filters, 'PageSize': page_size, 'Page': number})}"

    has_next = start + page_size < len(messages)
    return {
        "messages": chunk,
        "page": page,
        "page_size": page_size,
        "start": start,
        "end": start + max(len(chunk) - 1, 0),
        "uri": page_uri(page),
        "first_page_uri": page_uri(0),
        "next_page_uri": page_uri(page + 1) if has_next else None,
        "previous_page_uri": page_uri(page - 1) if page > 0 else None,
    }
