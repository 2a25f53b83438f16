"""Fixtures: a device on the sample warehouse, and a real hub on loopback for sync."""
import os
import pathlib
import socket
import subprocess
import time
import urllib.request
import uuid

import pytest

import dockhand

ROOT = pathlib.Path(__file__).resolve().parents[3]

ASN = "ASN-1001"
TOWELS = "TOWEL-2P"
TOWELS_EA = "4012345000030"
TOWELS_CS = "14012345000037"
DOCK = "DOCK-01"
# What the sample warehouse's location labels read (core/src/sample.rs): a test, like a person,
# knows a label by standing in front of it; the device never hands it out.
LABELS = {"A-01-01": "41", "A-01-02": "42", "A-01-03": "43", "A-01-04": "44",
          "C-01-01": "61", "C-01-02": "62", "P-01-01": "71", "QA-01": "91"}


def op():
    return str(uuid.uuid4())


def towels(barcode=TOWELS_CS):
    return dockhand.Goods(barcode=barcode)


@pytest.fixture
def device(tmp_path):
    d = dockhand.Device.open(str(tmp_path / "device.db"), "HH-PY-" + op()[:8], dockhand.generate_database_key())
    d.load_sample_warehouse()
    d.sign_in("BADGE-0001", "111111")  # alice
    return d


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    binary = os.environ.get("DOCKHAND_HUB", str(ROOT / "target" / "debug" / "dockhand-hub"))
    workdir = tmp_path_factory.mktemp("hub")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(workdir / "hub.log", "wb")
    process = subprocess.Popen(
        [binary, "serve", "--listen", f"127.0.0.1:{port}", "--database", str(workdir / "hub.db")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        assert process.poll() is None, (workdir / "hub.log").read_text()
        assert time.monotonic() < deadline, "the hub did not answer /health within 30 s"
        time.sleep(0.1)
    # The site's GS1 Company Prefix, so handhelds get SSCC serial references with their sync.
    subprocess.run([binary, "site", "prefix", "main", "4012345", "--extension", "3",
                    "--database", str(workdir / "hub.db")], check=True, capture_output=True)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()
