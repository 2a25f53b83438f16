"""A handheld for the Tryton end-to-end checks, through the Python binding: a device database in a
temporary directory, enrolled with the hub, syncing on demand."""
import argparse
import asyncio
import os
import tempfile
import uuid

import dockhand


class Tokens(dockhand.TokenProvider):
    """The token the hub issued at enrolment (no refresh: the checks are short)."""

    def __init__(self):
        self.token = None

    def current_token(self):
        return self.token

    def refresh_token(self):
        return None


# The sample operators' badges and PINs (core/src/sample.rs), imported into the hub by the demo.
BADGES = {"alice": ("BADGE-0001", "111111"), "bob": ("BADGE-0002", "222222"), "sam": ("BADGE-0003", "333333")}


def sign_in(device, operator):
    """The operator scans their badge and types their PIN on the handheld."""
    badge, pin = BADGES[operator]
    device.sign_in(badge, pin)


def approval(operator):
    """A supervisor's badge and PIN, to approve something on the handheld."""
    badge, pin = BADGES[operator]
    return dockhand.Approval(badge=badge, pin=pin)


def enrolled(hub_url, name, sample=False, shared_stock=True):
    """A new device (with the sample warehouse when asked), enrolled with the hub: (device, client).
    `shared_stock=False`: its view stays its own work (SyncSettings.shared_stock)."""
    path = os.path.join(tempfile.mkdtemp(prefix="dockhand-e2e-"), "hh.db")
    device = dockhand.Device.open(path, f"HH-{name.upper().replace(' ', '-')}-{uuid.uuid4().hex[:6]}", dockhand.generate_database_key())
    if sample:
        device.load_sample_warehouse()
        sign_in(device, "alice")
    tokens = Tokens()
    settings = dockhand.SyncSettings(hub_url=hub_url, shared_stock=shared_stock)
    client = dockhand.SyncClient(device, settings, tokens)
    tokens.token = asyncio.run(client.register(name, None)).token()
    return device, client


def sync(client):
    return asyncio.run(client.sync_now())


def hub_and_tryton(argv):
    """The --hub and --tryton options of a check, and a client signed in to that Tryton."""
    from tryton_seed import Client

    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--tryton", required=True)
    args = ap.parse_args(argv)
    tryton = Client(args.tryton, "wms", "admin", os.environ.get("DOCKHAND_ERP_PASSWORD", "admin123"))
    tryton.login()
    return args, tryton
