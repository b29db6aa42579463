"""The service worker's caches, run in Node with a stand-in for the browser (its caches, the
network): what it keeps, what it answers offline, what an update and a sign-out leave.

The browser test (``tests/browser/test_pwa_offline.py``) goes through the same in Chromium;
here each rule is checked on its own, with pages the browser test cannot easily make (a
previous version's caches, a form's answer, a page without the server's mark)."""

import json
import shutil
import subprocess

import pytest

from tests.conftest import CADAUJAC_HOST

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed to run the worker")
ORIGIN = "http://cadaujac.localhost"

HARNESS = r"""
const fs = require("fs");
const source = fs.readFileSync(process.argv[2], "utf8");
const steps = JSON.parse(process.argv[3]);
const ORIGIN = "http://cadaujac.localhost";
const handlers = {};
let online = true;
let pages = {};

class FakeCache {
  constructor() { this.entries = new Map(); }
  key(request) { return new URL(typeof request === "string" ? request : request.url, ORIGIN).href; }
  async match(request, options) {
    let key = this.key(request);
    if (options && options.ignoreSearch) { key = key.split("?")[0]; }
    const found = this.entries.get(key);
    return found ? found.clone() : undefined;
  }
  async put(request, response) { this.entries.set(this.key(request), response); }
  async keys() { return [...this.entries.keys()].map((url) => ({ url })); }
}
const stores = new Map();
const caches = {
  open: async (name) => {
    if (!stores.has(name)) stores.set(name, new FakeCache());
    return stores.get(name);
  },
  has: async (name) => stores.has(name),
  delete: async (name) => stores.delete(name),
  keys: async () => [...stores.keys()],
};
async function fetch(request) {
  if (!online) { throw new TypeError("Failed to fetch"); }
  const url = new URL(typeof request === "string" ? request : request.url, ORIGIN);
  const page = pages[url.pathname + url.search] || { status: 404, body: "absent" };
  return new Response(page.body, { status: page.status, headers: page.headers || {} });
}
const self = {
  location: new URL(ORIGIN + "/service-worker.js"),
  addEventListener: (name, handler) => { handlers[name] = handler; },
  skipWaiting: () => {},
  clients: { claim: async () => {} },
  registration: {},
};
new Function("self", "caches", "fetch", source)(self, caches, fetch);

async function dispatch(name, fields) {
  const waits = [];
  let answer;
  const event = { waitUntil: (p) => waits.push(p), respondWith: (p) => { answer = p; }, ...fields };
  handlers[name](event);
  const response = answer ? await answer : undefined;
  await Promise.all(waits);
  return response;
}

(async () => {
  const results = [];
  for (const step of steps) {
    if (step.pages) { pages = step.pages; }
    if ("online" in step) { online = step.online; }
    if (step.seed) {
      for (const [name, urls] of Object.entries(step.seed)) {
        const cache = await caches.open(name);
        for (const url of urls) {
          await cache.put(ORIGIN + url, new Response("old copy of " + url));
        }
      }
    }
    if (step.activate) { await dispatch("activate", {}); }
    if (step.message) {
      let reply;
      const port = { postMessage: (value) => { reply = value; } };
      const source = { id: step.client || "c0" };
      await dispatch("message", { data: { type: step.message }, ports: [port], source });
      results.push({ reply });
    }
    if (step.go) {
      const [method, path] = step.go.split(" ");
      const request = { url: ORIGIN + path, method, mode: step.mode || "navigate" };
      const response = await dispatch("fetch", { request, resultingClientId: step.client || "" });
      results.push({
        status: response ? response.status : null,
        body: response && response.type !== "error" ? await response.text() : null,
      });
    }
    if (step.snapshot) {
      const snapshot = {};
      for (const [name, cache] of stores) {
        snapshot[name] = [...cache.entries.keys()].map((url) => new URL(url).pathname);
      }
      results.push({ caches: snapshot });
    }
  }
  console.log(JSON.stringify(results));
})().catch((error) => { console.error(error); process.exit(1); });
"""

MARKED = {"Voisinage-Offline-Copy": "member-list"}
PAGE_TWO = {"status": 200, "body": "older alerts", "headers": MARKED}


def _pages(**overrides):
    pages = {
        "/hors-connexion/": {"status": 200, "body": "offline page"},
        "/hors-connexion/alerte/": {"status": 200, "body": "call 17 page"},
        "/alertes/": {"status": 200, "body": "alerts of today", "headers": MARKED},
        "/gazette/": {"status": 200, "body": "gazette of today", "headers": MARKED},
        "/messages/": {"status": 200, "body": "private messages"},
        "/alertes/nouvelle/": {"status": 200, "body": "the alert form", "headers": MARKED},
        "/admin/": {"status": 200, "body": "admin", "headers": MARKED},
    }
    pages.update(overrides)
    return pages


def run(client, tmp_path, steps):
    script = client.get("/service-worker.js", HTTP_HOST=CADAUJAC_HOST).content.decode()
    worker = tmp_path / "service-worker.js"
    worker.write_text(script)
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    result = subprocess.run(  # noqa: S603 (our own files, no shell)
        [NODE, str(harness), str(worker), json.dumps(steps)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _kept(snapshot) -> dict[str, list[str]]:
    """The caches by their kind (``shell``, ``pages``), with the version left out."""
    kinds = {}
    for name, paths in snapshot["caches"].items():
        kinds[name.rsplit("-", 1)[-1] if name.startswith("voisinage-") else name] = sorted(paths)
    return kinds


def test_a_member_reads_kept_lists_offline_and_nothing_else_is_kept(client, cadaujac, tmp_path):
    results = run(
        client,
        tmp_path,
        [
            {"pages": _pages(**{"/alertes/?page=2": PAGE_TWO}), "activate": True},
            {"message": "member"},
            {"go": "GET /alertes/", "client": "a"},
            {"go": "GET /messages/"},
            {"go": "GET /alertes/?page=2"},
            {"go": "POST /alertes/nouvelle/"},
            {"go": "GET /admin/"},
            {"snapshot": True},
            {"online": False, "go": "GET /alertes/", "client": "b"},
            {"message": "served-offline", "client": "b"},
            {"message": "served-offline", "client": "a"},
            {"go": "GET /messages/"},
            {"go": "GET /alertes/nouvelle/"},
            {"go": "POST /alertes/nouvelle/"},
        ],
    )

    kept = _kept(results[6])
    # The shell, and of the pages only the marked list: not an unmarked page, not a later
    # page of a list, not a form's answer, nothing of the admin (never handled at all).
    assert kept["pages"] == ["/alertes/"]
    assert "/hors-connexion/alerte/" in kept["shell"]
    assert results[5] == {"status": None, "body": None}  # /admin/: left to the browser
    # Offline: the kept list, and the page knows it reads a copy.
    assert results[7]["body"] == "alerts of today"
    assert results[8] == {"reply": True}
    assert results[9] == {"reply": False}
    # A page never kept: the offline page; the alert form, open or sent: call 17.
    assert results[10]["body"] == "offline page"
    assert results[11]["body"] == "call 17 page"
    assert results[12]["body"] == "call 17 page"


def test_nothing_is_kept_for_a_visitor(client, cadaujac, tmp_path):
    results = run(
        client,
        tmp_path,
        [
            {"pages": _pages(), "activate": True},
            {"go": "GET /alertes/"},
            {"snapshot": True},
            {"online": False, "go": "GET /alertes/"},
        ],
    )

    assert results[1]["caches"] == {}
    assert results[2]["body"] is None  # the browser's own offline error


def test_a_new_version_keeps_the_members_lists_and_drops_the_old_caches(client, cadaujac, tmp_path):
    results = run(
        client,
        tmp_path,
        [
            {
                "pages": _pages(),
                "seed": {
                    "voisinage-0ld0ld0ld0ld-shell": ["/hors-connexion/", "/static/old.css"],
                    "voisinage-0ld0ld0ld0ld-pages": ["/gazette/"],
                    "another-site-cache": ["/x/"],
                },
            },
            {"activate": True},
            {"snapshot": True},
        ],
    )

    kept = _kept(results[0])
    assert kept["pages"] == ["/gazette/"]  # moved to the new version's cache
    assert "/static/old.css" not in kept["shell"]
    assert "/hors-connexion/alerte/" in kept["shell"]
    assert kept["another-site-cache"] == ["/x/"]  # not ours: left alone
    assert len([name for name in results[0]["caches"] if name.startswith("voisinage-")]) == 2


def test_signing_out_empties_every_cache_of_the_site(client, cadaujac, tmp_path):
    results = run(
        client,
        tmp_path,
        [
            {"pages": _pages(), "activate": True},
            {"message": "member"},
            {"go": "GET /alertes/"},
            {"go": "GET /gazette/"},
            {"message": "signed-out"},
            {"snapshot": True},
            {"online": False, "go": "GET /alertes/"},
        ],
    )

    assert results[3] == {"reply": True}
    assert results[4]["caches"] == {}
    assert results[5]["body"] is None
