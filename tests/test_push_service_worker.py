"""The service worker, run in Node with a stand-in for the browser's worker scope: a pushed
alert becomes a notification with its title, text and link, and a click opens the alert
(never a script URL)."""

import json
import shutil
import subprocess

import pytest

from tests.conftest import CADAUJAC_HOST

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed to run the worker")

HARNESS = r"""
const fs = require("fs");
const source = fs.readFileSync(process.argv[2], "utf8");
const pushes = JSON.parse(process.argv[3]);
const handlers = {};
const shown = [];
const opened = [];
const focused = [];
const windows = JSON.parse(process.argv[4]).map((url) => ({
  url, focus: async () => { focused.push(url); },
}));
const self = {
  location: new URL("http://cadaujac.localhost/service-worker.js"),
  addEventListener: (name, handler) => { handlers[name] = handler; },
  skipWaiting: () => {},
  clients: {
    claim: async () => {},
    matchAll: async () => windows,
    openWindow: async (url) => { opened.push(url); },
  },
  registration: {
    showNotification: async (title, options) => { shown.push({ title, options }); },
  },
};
new Function("self", source)(self);
(async () => {
  for (const payload of pushes) {
    const waits = [];
    const raw = typeof payload === "string" ? payload : JSON.stringify(payload);
    handlers.push({
      waitUntil: (p) => waits.push(p),
      data: { json: () => JSON.parse(raw), text: () => raw },
    });
    await Promise.all(waits);
    const notification = shown[shown.length - 1];
    handlers.notificationclick({
      waitUntil: (p) => waits.push(p),
      notification: { data: notification.options.data, close: () => {} },
    });
    await Promise.all(waits);
  }
  console.log(JSON.stringify({ shown, opened, focused, events: Object.keys(handlers) }));
})();
"""


def run_worker(client, tmp_path, pushes, open_windows=()):
    script = client.get("/service-worker.js", HTTP_HOST=CADAUJAC_HOST).content.decode()
    worker = tmp_path / "service-worker.js"
    worker.write_text(script)
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    result = subprocess.run(  # noqa: S603 (our own files, no shell)
        [NODE, str(harness), str(worker), json.dumps(pushes), json.dumps(list(open_windows))],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(result.stdout)


def test_a_pushed_alert_is_shown_and_a_click_opens_it(client, cadaujac, tmp_path):
    url = "http://cadaujac.localhost/alertes/42/"
    result = run_worker(
        client,
        tmp_path,
        [
            {
                "title": "Cadaujac — Animal perdu",
                "body": "Chat roux perdu vers le lavoir.",
                "url": url,
                "tag": "alerte-42",
                "urgent": True,
            }
        ],
    )

    (notification,) = result["shown"]
    assert notification["title"] == "Cadaujac — Animal perdu"
    assert notification["options"]["body"] == "Chat roux perdu vers le lavoir."
    assert notification["options"]["tag"] == "alerte-42"
    assert notification["options"]["renotify"] is True
    assert notification["options"]["requireInteraction"] is True
    assert notification["options"]["icon"].endswith(".png")
    assert result["opened"] == [url]


def test_a_click_focuses_the_alert_when_it_is_already_open(client, cadaujac, tmp_path):
    url = "http://cadaujac.localhost/alertes/42/"
    result = run_worker(
        client, tmp_path, [{"title": "T", "body": "B", "url": url}], open_windows=[url]
    )

    assert result["focused"] == [url]
    assert result["opened"] == []


def test_a_script_link_or_unreadable_push_opens_the_home_page_only(client, cadaujac, tmp_path):
    result = run_worker(
        client,
        tmp_path,
        [{"title": "T", "body": "B", "url": "javascript:alert(1)"}, "pas du JSON"],
    )

    assert result["opened"] == ["http://cadaujac.localhost/", "http://cadaujac.localhost/"]
    assert result["shown"][1]["title"] == "Alerte de votre quartier"
    assert result["shown"][1]["options"]["body"] == "pas du JSON"
