"""The supervisor's console in a real browser: a hub on loopback (the binary just built) with two
console accounts and a small catalog, Debian's Chromium driven by Playwright, handhelds from the
Python bindings. Screenshots go to $CONSOLE_SCREENSHOTS (default target/console-screenshots)."""
import asyncio
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import sync_playwright

import dockhand

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
from e2e_device import Tokens  # noqa: E402  (the token provider the end-to-end scripts use)
PASSWORD = "correct horse battery staple"
# A test, like a person, knows a location's label by standing in front of it.
LABELS = {"A-01-01": "41", "A-01-02": "42", "A-01-03": "43", "A-01-04": "44",
          "C-01-01": "61", "C-01-02": "62", "P-01-01": "71", "QA-01": "91"}
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out of a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OFFLINE_AFTER_S = 4


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_binary():
    return os.environ.get("DOCKHAND_HUB", str(ROOT / "target" / "debug" / "dockhand-hub"))


class Hub:
    def __init__(self, url, workdir):
        self.url = url
        self.workdir = workdir

    def cli(self, *args, stdin=None):
        return subprocess.run([hub_binary(), *args, "--database", str(self.workdir / "hub.db")],
                              input=stdin, capture_output=True, text=True, check=True)

    def admin(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data,
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.load(r)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("hub")
    port = free_port()
    hub = Hub(f"http://127.0.0.1:{port}", workdir)
    hub.cli("user", "add", "anna", "--role", "supervisor", stdin=PASSWORD + "\n")
    hub.cli("user", "add", "victor", "--role", "viewer", stdin=PASSWORD + "\n")
    log = open(workdir / "hub.log", "wb")
    process = subprocess.Popen(
        [hub_binary(), "serve", "--listen", f"127.0.0.1:{port}", "--database", str(workdir / "hub.db"),
         "--offline-after-seconds", str(OFFLINE_AFTER_S)],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(hub.url + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        assert process.poll() is None, (workdir / "hub.log").read_text()
        assert time.monotonic() < deadline, "the hub did not answer /health within 30 s"
        time.sleep(0.1)
    yield hub
    process.terminate()
    process.wait(timeout=10)
    log.close()


_pool = ThreadPoolExecutor(max_workers=1)


def run(coroutine):
    """Runs a bindings coroutine to its end on a thread of its own (Playwright's sync API owns
    this thread's event loop)."""
    return _pool.submit(asyncio.run, coroutine).result()


class Handheld:
    """A handheld of the sample warehouse, enrolled with the hub, alice signed in."""

    def __init__(self, hub_url, device_id):
        path = os.path.join(tempfile.mkdtemp(prefix="dockhand-console-"), "hh.db")
        self.device = dockhand.Device.open(path, device_id, dockhand.generate_database_key())
        self.device.load_sample_warehouse()
        self.device.sign_in("BADGE-0001", "111111")  # alice
        tokens = Tokens()
        settings = dockhand.SyncSettings(hub_url=hub_url, debounce_ms=60_000, period_seconds=3_600,
                                         app="console-test 1.0")
        self.client = dockhand.SyncClient(self.device, settings, tokens)
        tokens.token = run(self.client.register(device_id, None)).token()

    def sync(self):
        return run(self.client.sync_now())


@pytest.fixture(scope="module")
def screenshots():
    out = pathlib.Path(os.environ.get("CONSOLE_SCREENSHOTS", ROOT / "target" / "console-screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page whose JavaScript errors, failed requests and dialogs are kept."""

    def __init__(self, page):
        self.page = page
        self.errors = []
        self.dialogs = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        # The console asks before revoking or releasing everything; an alert() is never ours.
        if dialog.type == "confirm":
            dialog.accept()
        else:
            dialog.dismiss()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(**options):
        context = browser.new_context(viewport={"width": 1024, "height": 768}, **options)
        contexts.append(context)
        return Watched(context.new_page())

    yield make
    for c in contexts:
        c.close()


def sign_in(watched, hub, name):
    page = watched.page
    page.goto(hub.url + "/console")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(hub.url + "/console")


def op():
    return str(uuid.uuid4())
