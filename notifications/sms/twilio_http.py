"""The HTTP client the Twilio library sends through: urllib3's connection pool, no more.

The ``twilio`` library lets its caller give the HTTP client it sends with
(``twilio.http.HttpClient``). Its default one goes through ``requests``, which for every
request merges the session's settings, walks cookie jars and hooks, checks its typing
protocols at run time and formats eleven log lines whether they are logged or not: 0.4 ms
of the worker's CPU per SMS, more than the rest of sending one. This client does what the
Twilio API needs of HTTP — a form-encoded body, query parameters, basic authentication,
one timeout, no redirect, no retry (a repeated POST could send twice) — on a pooled
keep-alive connection, and reads the environment's proxy (``HTTPS_PROXY``, ``NO_PROXY``…)
and CA bundle (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``) once, for the base URL it serves.

Failures are raised as ``ProviderTimeoutError`` (the request may have reached the provider) and
``ProviderUnreachableError`` (it did not get an answer from the provider's HTTP server).
"""

import json
import logging
import os
from base64 import b64encode
from urllib.parse import urlencode

import certifi
import urllib3
from requests.utils import get_environ_proxies, select_proxy
from twilio.http import HttpClient
from twilio.http.response import Response

logger = logging.getLogger("twilio.http_client")

JSON_TYPES = ("application/json", "application/scim+json")


class ProviderTimeoutError(Exception):
    """No answer in time: the provider may or may not have taken the request."""


class ProviderUnreachableError(Exception):
    """The provider's server could not be reached, or broke the connection."""


def _pool_for(base_url: str) -> urllib3.PoolManager:
    """A connection pool for ``base_url``, through the proxy the environment names for it."""
    ca_certs = (
        os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()
    )
    options = {"num_pools": 4, "maxsize": 4, "ca_certs": ca_certs, "retries": False}
    proxy = select_proxy(base_url, get_environ_proxies(base_url))
    if proxy:
        return urllib3.ProxyManager(proxy, **options)
    return urllib3.PoolManager(**options)


class PooledTwilioHttpClient(HttpClient):
    """``twilio.http.HttpClient`` on one urllib3 pool; one per thread (not thread-safe to
    share its statistics, like the library's own)."""

    def __init__(self, *, base_url: str, timeout: float):
        super().__init__(logger, False, timeout)
        self.pool = _pool_for(base_url)

    def request(
        self,
        method,
        url,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ) -> Response:
        timeout = self.timeout if timeout is None else timeout
        if timeout is not None and timeout <= 0:
            raise ValueError(timeout)
        headers = dict(headers or {})
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params, doseq=True)}"
        if auth:
            token = b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        body = None
        if data:
            if headers.get("Content-Type") in JSON_TYPES:
                body = json.dumps(data)
            else:
                body = urlencode(data, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("Twilio API request: %s %s", method.upper(), url.split("?")[0])
        try:
            answer = self.pool.request(
                method.upper(),
                url,
                body=body,
                headers=headers,
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
                redirect=allow_redirects,
                retries=False,
            )
        except urllib3.exceptions.NewConnectionError as error:  # refused: nothing was sent
            raise ProviderUnreachableError(str(error)) from error
        except urllib3.exceptions.TimeoutError as error:
            raise ProviderTimeoutError(str(error)) from error
        except urllib3.exceptions.HTTPError as error:
            raise ProviderUnreachableError(str(error)) from error
        response = Response(answer.status, answer.data.decode("utf-8"), answer.headers)
        self._test_only_last_response = response
        return response
