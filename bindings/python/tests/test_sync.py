"""Sync from Python against a real hub on loopback: enrol, push with asyncio, observe, offline."""
import asyncio
import json
import urllib.request

import pytest

import dockhand
from conftest import ASN, DOCK, TOWELS, free_port, op, towels


class Tokens(dockhand.TokenProvider):
    def __init__(self, token=None):
        self.token = token

    def current_token(self):
        return self.token

    def refresh_token(self):
        return None


class Recorder(dockhand.SyncObserver):
    def __init__(self):
        self.states = []

    def on_status(self, status):
        self.states.append(status.state)


def settings(url):
    return dockhand.SyncSettings(hub_url=url, debounce_ms=60_000, period_seconds=3_600,
                                 backoff_initial_ms=50, backoff_max_ms=200)


def hub_stock(url, sku, location):
    with urllib.request.urlopen(url + "/v1/admin/stock", timeout=5) as r:
        lines = json.load(r)
    return sum(line["quantity"] for line in lines if line["sku"] == sku and line["location"] == location)


def receive(device, packs):
    device.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=towels(), quantity=packs))


def test_sync_now_pushes_the_work_and_the_observer_hears_it(device, hub):
    tokens = Tokens()
    client = dockhand.SyncClient(device, settings(hub), tokens)
    tokens.token = asyncio.run(client.register("Support laptop", None)).token()
    recorder = Recorder()
    subscription = client.observe(recorder)
    receive(device, 2)
    assert client.status().pending == 1
    report = asyncio.run(client.sync_now())
    assert (report.acknowledged, report.rejected) == (1, 0)
    assert client.status().state == dockhand.SyncState.IDLE and client.status().pending == 0
    assert dockhand.SyncState.SYNCING in recorder.states and recorder.states[-1] == dockhand.SyncState.IDLE
    assert hub_stock(hub, TOWELS, DOCK) >= 48
    subscription.cancel()
    heard = len(recorder.states)
    receive(device, 1)
    assert asyncio.run(client.sync_now()).acknowledged == 1
    assert len(recorder.states) == heard


def test_offline_is_a_transient_network_error_and_the_work_stays(device):
    client = dockhand.SyncClient(device, settings(f"http://127.0.0.1:{free_port()}"), Tokens("t"))
    receive(device, 1)
    with pytest.raises(dockhand.DockhandError.Network) as e:
        asyncio.run(client.sync_now())
    assert e.value.code == "unreachable" and e.value.transient
    assert client.status().state == dockhand.SyncState.OFFLINE
    assert device.outbox_counts().pending == 1


class FailingTokens(dockhand.TokenProvider):
    def current_token(self):
        raise dockhand.DockhandError.Validation(code="keystore", reason="the keystore is locked")

    def refresh_token(self):
        return None


def test_the_status_tells_the_truth_about_tokens_and_a_token_never_prints(device, hub):
    tokens = Tokens()
    client = dockhand.SyncClient(device, settings(hub), tokens)
    receive(device, 1)
    with pytest.raises(dockhand.DockhandError.Network):
        asyncio.run(client.sync_now())
    assert client.status().state == dockhand.SyncState.ERROR
    assert "register" in client.status().last_error
    issued = asyncio.run(client.register("Support laptop", None))
    # Registered: the failure no longer describes the device.
    assert client.status().state == dockhand.SyncState.IDLE and client.status().last_error is None
    secret = issued.token()
    assert len(secret) > 20 and issued.device_id() == device.device_id()
    for text in (str(issued), repr(issued), repr([issued])):
        assert secret not in text and device.device_id() in text, text
    # Records read in the REPL and in lists.
    assert repr(client.status()).startswith("SyncStatus(") and "pending=1" in repr(client.status())

    failing = dockhand.SyncClient(device, settings(hub), FailingTokens())
    with pytest.raises(dockhand.DockhandError.Network):
        asyncio.run(failing.sync_now())
    error = failing.status().last_error
    assert "token provider failed" in error and "keystore is locked" in error, error


def towels_at(device, location):
    return sum(b.quantity for b in device.balances_at_location(location) if b.sku == TOWELS)


def test_a_second_handheld_sees_what_the_first_received_after_a_sync(device, hub, tmp_path):
    other = dockhand.Device.open(str(tmp_path / "other.db"), "HH-PY-B-" + op()[:8],
                                 dockhand.generate_database_key())
    other.load_sample_warehouse()
    other.sign_in("BADGE-0001", "111111")
    clients = []
    for d in (device, other):
        tokens = Tokens()
        client = dockhand.SyncClient(d, settings(hub), tokens)
        tokens.token = asyncio.run(client.register("shared stock", None)).token()
        clients.append(client)
    first, second = clients
    receive(device, 2)
    asyncio.run(first.sync_now())
    report = asyncio.run(second.sync_now())
    # The second handheld recorded nothing, yet its view holds the site's towels at the dock.
    assert report.stock_pulled >= 1 and other.outbox_counts().pending == 0
    assert towels_at(other, DOCK) == hub_stock(hub, TOWELS, DOCK) >= 48
    # Its own work shows at once, offline, and counts once after its sync.
    other.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=towels(), quantity=1))
    assert towels_at(other, DOCK) == hub_stock(hub, TOWELS, DOCK) + 24
    asyncio.run(second.sync_now())
    assert towels_at(other, DOCK) == hub_stock(hub, TOWELS, DOCK)
