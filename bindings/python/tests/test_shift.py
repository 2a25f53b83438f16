"""The shift of the Kotlin suite, through the Python binding: receive, put away, pick short,
count with an approval, inspect a return; errors as typed exceptions, nothing half-written."""
import pytest

import dockhand
from conftest import ASN, DOCK, LABELS, TOWELS, TOWELS_CS, TOWELS_EA, op, towels


def on_hand(device, location):
    return sum(b.quantity for b in device.balances_at_location(location) if b.sku == TOWELS)


def test_a_shift_from_dock_to_customer_return(device):
    request = dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=towels(), quantity=4
    )
    received = device.receive(request)
    assert (received.sku, received.base_quantity, received.status) == (TOWELS, 96, dockhand.StockStatus.RECEIVED)
    assert device.receive(request) == received  # a retry of the same action records nothing new
    assert on_hand(device, DOCK) == 96

    task = device.suggest_putaway(DOCK, towels(TOWELS_EA), None)
    to = task.suggestion.location
    check = LABELS[to]  # what the label reads: known by standing there, never from the device
    with pytest.raises(dockhand.DockhandError.Validation) as wrong:
        device.confirm_putaway(dockhand.PutawayRequest(
            op_id=op(), operator="alice", from_location=DOCK, goods=towels(), quantity=4, to=to, location_scan="00"))
    assert wrong.value.code == "wrong_check_string"
    assert on_hand(device, DOCK) == 96
    put = device.confirm_putaway(dockhand.PutawayRequest(
        op_id=op(), operator="alice", from_location=DOCK, goods=towels(), quantity=4, to=to, location_scan=check))
    assert (put.base_quantity, put.status_after, put.remaining_on_dock) == (96, dockhand.StockStatus.AVAILABLE, 0)
    assert on_hand(device, to) == 96

    device.sign_in("BADGE-0003", "333333")  # sam
    device.create_pick_task(op(), "sam", dockhand.NewPickTask(
        task_id="PICK-1", order_ref="SO-501", staging="STAGE-01",
        lines=[dockhand.NewPickLine(line_no=1, sku=TOWELS, quantity=30, unit="EA")]))
    pick = device.next_pick("PICK-1")
    assert (pick.location, pick.quantity) == (to, 30)
    device.sign_in("BADGE-0002", "222222")  # bob
    picked = device.confirm_pick(dockhand.PickRequest(
        op_id=op(), operator="bob", task_id="PICK-1", allocation_id=pick.allocation_id,
        location_scan=check, goods=towels(TOWELS_EA), quantity=20, short=True))
    assert (picked.picked, picked.short, picked.task_status) == (20, 10, dockhand.PickTaskStatus.DONE)
    assert device.next_pick("PICK-1") is None
    assert on_hand(device, to) == 76
    count_id = picked.count_task_id
    assert count_id is not None

    assert device.start_count(op(), "bob", count_id).locations == [to]
    counted = [dockhand.CountedGoods(location=to, goods=towels(TOWELS_EA), quantity=46)]
    assert device.submit_count(op(), "bob", count_id, counted).outcome == dockhand.CountOutcome.RECOUNT_REQUIRED
    device.sign_in("BADGE-0001", "111111")  # alice
    with pytest.raises(dockhand.DockhandError.Validation) as not_signed_in:
        device.submit_count(op(), "bob", count_id, counted)
    assert not_signed_in.value.code == "not_signed_in"
    assert device.submit_count(op(), "alice", count_id, counted).outcome == dockhand.CountOutcome.APPROVAL_REQUIRED
    assert on_hand(device, to) == 76
    with pytest.raises(dockhand.DockhandError.NeedsSupervisor) as refused:
        device.approve_count(op(), "alice", count_id, dockhand.Approval(badge="BADGE-0002", pin="222222"))
    assert refused.value.code == "not_a_supervisor" and "bob" in refused.value.reason
    with pytest.raises(dockhand.DockhandError.Validation) as wrong_pin:
        device.approve_count(op(), "alice", count_id, dockhand.Approval(badge="BADGE-0003", pin="333334"))
    assert wrong_pin.value.code == "wrong_pin"
    approved = device.approve_count(op(), "alice", count_id, dockhand.Approval(badge="BADGE-0003", pin="333333"))
    assert approved.outcome == dockhand.CountOutcome.ADJUSTED
    assert [line.variance for line in approved.lines] == [-30]
    assert on_hand(device, to) == 46

    device.receive_return(dockhand.ReturnRequest(
        op_id=op(), operator="alice", return_id="RMA-9", reference="SO-501", customer="Hotel Nord",
        location="RET-01", lines=[dockhand.ReturnedGoods(line_no=1, goods=towels(TOWELS_EA), quantity=2)]))
    assert [b.status for b in device.balances_at_location("RET-01")] == [dockhand.StockStatus.RETURN_PENDING]
    inspected = device.inspect_return(dockhand.InspectionRequest(
        op_id=op(), operator="alice", return_id="RMA-9", line_no=1,
        outcome=dockhand.InspectionOutcome.RESTOCK, reason_code="unopened"))
    assert inspected.status_after == dockhand.StockStatus.AVAILABLE

    assert sum(t.quantity for t in device.totals_by_status()) == 46 + 20 + 2
    counts = device.outbox_counts()
    assert counts.pending == counts.last_seq and counts.rejected == 0
    assert device.check_integrity().ok
    kpis = device.kpis("2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z")
    assert (kpis.picks, kpis.short_picks, kpis.counted_lines, kpis.accuracy) == (1, 1, 1, 0.0)


def test_stock_moves_bin_to_bin_and_a_refused_move_moves_nothing(device):
    device.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=towels(), quantity=4))
    device.confirm_putaway(dockhand.PutawayRequest(
        op_id=op(), operator="alice", from_location=DOCK, goods=towels(), quantity=4, to="A-01-01",
        location_scan=LABELS["A-01-01"], override_reason="closest to the door"))
    moved = device.confirm_move(dockhand.MoveRequest(
        op_id=op(), operator="alice", from_location="A-01-01", from_scan=LABELS["A-01-01"],
        goods=towels(TOWELS_EA), quantity=24, to="P-01-01", to_scan=LABELS["P-01-01"]))
    assert (moved.move_kind, moved.base_quantity, moved.lpn_after) == (dockhand.MoveKind.LOOSE, 24, "")
    assert [(line.sku, line.status) for line in moved.lines] == [(TOWELS, dockhand.StockStatus.AVAILABLE)]
    assert (on_hand(device, "A-01-01"), on_hand(device, "P-01-01")) == (72, 24)
    before = device.outbox_counts()
    with pytest.raises(dockhand.DockhandError.Validation) as refused:
        device.confirm_move(dockhand.MoveRequest(
            op_id=op(), operator="alice", from_location="A-01-01", from_scan=LABELS["A-01-01"],
            goods=towels(TOWELS_EA), quantity=1, to="QA-01", to_scan=LABELS["QA-01"]))
    assert refused.value.code == "wrong_location_type"
    assert "QA-01" in refused.value.reason and "available" in refused.value.reason
    assert device.outbox_counts() == before and on_hand(device, "QA-01") == 0


def test_a_supervisor_releases_held_goods_and_an_operator_cannot(device):
    vitamins = dockhand.Goods(barcode="4012345000054", lot="V-9", expiry="2027-06-30")
    held = device.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=vitamins, quantity=12))
    assert held.status == dockhand.StockStatus.QUARANTINED  # inspection required on receipt
    device.confirm_putaway(dockhand.PutawayRequest(
        op_id=op(), operator="alice", from_location=DOCK, goods=vitamins, quantity=12, to="QA-01",
        location_scan=LABELS["QA-01"]))

    def release(badge, pin):
        return dockhand.ReleaseRequest(
            op_id=op(), operator="alice", location="QA-01", location_scan=LABELS["QA-01"], goods=vitamins,
            quantity=5, outcome=dockhand.InspectionOutcome.RESTOCK, to="A-01-03", to_scan=LABELS["A-01-03"],
            reason_code="passed_inspection", approval=dockhand.Approval(badge=badge, pin=pin))

    before = device.outbox_counts()
    with pytest.raises(dockhand.DockhandError.NeedsSupervisor) as refused:
        device.release_stock(release("BADGE-0002", "222222"))  # bob is no supervisor
    assert refused.value.code == "not_a_supervisor" and "bob" in refused.value.reason
    assert device.outbox_counts() == before
    done = device.release_stock(release("BADGE-0003", "333333"))  # sam
    assert (done.status_after, done.approved_by, done.base_quantity) == (dockhand.StockStatus.AVAILABLE, "sam", 5)
    assert [(b.status, b.quantity) for b in device.balances_at_location("A-01-03")] == [
        (dockhand.StockStatus.AVAILABLE, 5)]


def test_bad_input_is_a_typed_error_and_nothing_is_recorded(device):
    before = device.outbox_counts()
    with pytest.raises(dockhand.DockhandError.NotFound) as unknown:
        device.resolve_scan("(01)09506000134352")
    assert unknown.value.code == "unknown_barcode" and "09506000134352" in unknown.value.reason
    with pytest.raises(dockhand.DockhandError.Validation) as bad:
        device.receive(dockhand.ReceiveRequest(
            op_id="not-a-uuid", operator="alice", receipt_id=ASN, dock=DOCK, goods=towels(), quantity=1))
    assert "not-a-uuid" in bad.value.reason
    with pytest.raises(dockhand.DockhandError.Validation) as bad_date:
        device.receive(dockhand.ReceiveRequest(
            op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK,
            goods=dockhand.Goods(barcode=TOWELS_CS, expiry="01/03/2027"), quantity=1))
    assert "01/03/2027" in bad_date.value.reason
    with pytest.raises(dockhand.DockhandError.NeedsSupervisor):
        device.receive(dockhand.ReceiveRequest(
            op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=towels(), quantity=9))
    assert device.outbox_counts() == before
    assert on_hand(device, DOCK) == 0
