"""What an app can no longer get wrong through the API: device ids the protocol refuses, control
characters in typed fields, a confirmation without a scan at the location, scans as typed results."""
import pytest

import dockhand
from conftest import ASN, DOCK, op, towels


def test_a_device_id_the_hub_would_refuse_is_refused_at_open(tmp_path):
    with pytest.raises(dockhand.DockhandError.Validation) as long_id:
        dockhand.Device.open(str(tmp_path / "a.db"), "HH-" + "X" * 97, dockhand.generate_database_key())
    assert long_id.value.code == "invalid_input"
    assert "has 100 characters" in long_id.value.reason and len(long_id.value.reason) < 200
    assert not (tmp_path / "a.db").exists() or (tmp_path / "a.db").stat().st_size == 0


def test_a_nul_in_a_typed_lot_is_refused_and_nothing_is_recorded(device):
    before = device.outbox_counts().pending
    milk = dockhand.Goods(barcode="04012345000016", lot="L26\x0011A", expiry="2027-03-01")
    with pytest.raises(dockhand.DockhandError.Validation) as bad:
        device.receive(dockhand.ReceiveRequest(
            op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=milk, quantity=1))
    assert "U+0000" in bad.value.reason
    assert device.outbox_counts().pending == before


def test_a_putaway_without_a_scan_at_the_destination_changes_nothing(device):
    device.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=towels(), quantity=4))
    before = device.outbox_counts().pending
    with pytest.raises(dockhand.DockhandError.Validation) as none:
        device.confirm_putaway(dockhand.PutawayRequest(
            op_id=op(), operator="alice", from_location=DOCK, goods=towels(), quantity=4,
            to="A-01-01", location_scan=""))
    assert none.value.code == "location_not_scanned"
    assert device.outbox_counts().pending == before
    assert not hasattr(device.location("A-01-01"), "check_string")


def test_scans_come_back_as_typed_results(device):
    scan = device.resolve_scan("A-01-03")
    assert isinstance(scan, dockhand.ScanResult.LOCATION) and scan.code == "A-01-03"
    goods = device.resolve_scan("4012345000030")
    assert isinstance(goods, dockhand.ScanResult.GOODS) and goods.sku == "TOWEL-2P"


def test_names_read_as_words_not_escaped_keywords(device):
    kpis = device.kpis(since="2000-01-01T00:00:00Z", until="2100-01-01T00:00:00Z")
    assert kpis.counted_lines == 0
    task_fields = dockhand.PutawayRequest.__init__.__code__.co_varnames
    assert "from_location" in task_fields and "_from" not in task_fields


def test_sync_settings_that_would_make_every_sync_fail_are_refused(device):
    class Tokens(dockhand.TokenProvider):
        def current_token(self):
            return None

        def refresh_token(self):
            return None

    for settings, named in [
        (dockhand.SyncSettings(hub_url="http://127.0.0.1:9", request_timeout_ms=0), "request timeout"),
        (dockhand.SyncSettings(hub_url="http://127.0.0.1:9", batch_size=5_000), "batch size"),
        (dockhand.SyncSettings(hub_url="ftp://hub"), "hub url"),
    ]:
        with pytest.raises(dockhand.DockhandError.Validation) as refused:
            dockhand.SyncClient(device, settings, Tokens())
        assert named in refused.value.reason, refused.value.reason


def test_the_catalog_lists_items_with_what_to_scan_and_locations_page_by_page(device):
    items = device.items("", 100)
    towels = next(i for i in items if i.item.sku == "TOWEL-2P")
    assert "4012345000030" in [b.code for b in towels.barcodes]
    assert ("CS", 24) in [(u.unit, u.factor) for u in towels.units]
    first = device.locations("", 3)
    second = device.locations(first[-1].code, 3)
    assert len(first) == 3 and first[-1].code < second[0].code
    everything = device.locations("", 1000)
    assert len(everything) == 15 and not hasattr(everything[0], "check_string")  # the sample warehouse
    with pytest.raises(dockhand.DockhandError.Validation) as zero:
        device.items("", 0)
    assert "page size" in zero.value.reason


def test_open_receipts_are_records_a_list_screen_shows_in_one_call(device):
    receipts = device.open_receipts()
    asn = next(r for r in receipts if r.id == ASN)
    assert asn.reference and len(asn.lines) == 4


def test_a_closed_device_refuses_every_call_and_its_file_opens_again(tmp_path):
    path, key = str(tmp_path / "c.db"), dockhand.generate_database_key()
    device = dockhand.Device.open(path, "HH-PY-CLOSE", key)
    device.load_sample_warehouse()
    device.sign_in("BADGE-0001", "111111")
    device.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=towels(), quantity=2))
    device.close()
    device.close()  # twice: nothing more to do
    with pytest.raises(dockhand.DockhandError.Storage) as closed:
        device.outbox_counts()
    assert closed.value.code == "device_closed" and "open it again" in closed.value.reason
    again = dockhand.Device.open(path, "HH-PY-CLOSE", key)
    assert again.outbox_counts().pending == 1


def test_events_say_what_they_record_as_an_enum(device):
    receive_op = op()
    device.receive(dockhand.ReceiveRequest(
        op_id=receive_op, operator="alice", receipt_id=ASN, dock=DOCK, goods=towels(), quantity=1))
    kinds = [e.event_type for e in device.events_of_operation(receive_op)]
    assert kinds == [dockhand.EventKind.LINE_RECEIVED]
    import datetime
    at = device.events_of_operation(receive_op)[0].occurred_at
    assert isinstance(at, datetime.datetime) and at.tzinfo is not None
    naive = datetime.datetime(2026, 1, 1)
    with pytest.raises(dockhand.DockhandError.Validation) as refused:
        device.kpis(since=naive, until=datetime.datetime.now(datetime.timezone.utc))
    assert "2026-01-01T00:00:00" in refused.value.reason


def test_dates_are_python_dates_and_a_wrong_date_text_is_refused_with_its_value(device):
    import datetime
    label = device.resolve_scan("(01)04012345000016(10)L2611A(17)270301")
    assert label.expiry == datetime.date(2027, 3, 1)
    with pytest.raises(dockhand.DockhandError.Validation) as bad:
        device.receive(dockhand.ReceiveRequest(
            op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK,
            goods=dockhand.Goods(barcode="04012345000016", lot="L1", expiry="01/03/2027"), quantity=1))
    assert "01/03/2027" in bad.value.reason


def test_another_lot_than_the_asn_names_is_told_at_the_scan_and_reported_at_close(device):
    import datetime
    milk = dockhand.Goods(barcode="04012345000016", lot="L2699Z", expiry=datetime.date(2027, 3, 9))
    told = device.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=milk, quantity=2))
    assert (told.lot, told.expected_lot) == ("L2699Z", "L2611A")
    closed = device.close_receipt(op(), "alice", ASN)
    lots = [d for d in closed.discrepancies if d.kind == dockhand.DiscrepancyKind.LOT]
    assert [(d.line_no, d.lot, d.expected_lot, d.received) for d in lots] == [(1, "L2699Z", "L2611A", 2)]
