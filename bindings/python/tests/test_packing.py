"""An order from pick through pack and load: picked into a tote, packed into a carton with an SSCC
the hub's block let the handheld mint, the carton onto a pallet, the pallet's GS1 label, loaded at
the door and shipped; another order's tote refused, a short load refused."""
import asyncio

import pytest

import dockhand
from conftest import ASN, DOCK, LABELS, TOWELS, op, towels
from test_sync import Tokens, settings


def stocked(device, to="A-01-01"):
    device.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id=ASN, dock=DOCK, goods=towels(), quantity=2))
    device.confirm_putaway(dockhand.PutawayRequest(
        op_id=op(), operator="alice", from_location=DOCK, goods=towels(), quantity=2, to=to,
        location_scan=LABELS[to], override_reason="test"))


def picked(device, task_id, order_ref, quantity, tote, ship_by=None):
    device.create_pick_task(op(), "alice", dockhand.NewPickTask(
        task_id=task_id, order_ref=order_ref, staging="STAGE-01",
        lines=[dockhand.NewPickLine(line_no=1, sku=TOWELS, quantity=quantity, unit="EA")],
        ship_by=ship_by))
    pick = device.next_pick(task_id)
    device.confirm_pick(dockhand.PickRequest(
        op_id=op(), operator="alice", task_id=task_id, allocation_id=pick.allocation_id,
        location_scan=LABELS[pick.location], goods=towels("4012345000030"), quantity=quantity,
        tote=tote))


def test_an_order_goes_from_pick_into_a_labelled_carton_on_a_pallet(device, hub):
    with pytest.raises(dockhand.DockhandError) as none_left:
        device.build_unit(op(), "alice", dockhand.UnitKind.PALLET, None, "STAGE-01")
    assert none_left.value.code == "sscc_exhausted"
    tokens = Tokens()
    client = dockhand.SyncClient(device, settings(hub), tokens)
    tokens.token = asyncio.run(client.register("Packing bench", None)).token()
    asyncio.run(client.sync_now())

    stocked(device)
    picked(device, "P-1", "SO-701", 12, "TOTE-701", ship_by="2099-01-01T17:00:00+01:00")
    picked(device, "P-2", "SO-702", 5, "TOTE-702")
    carton = device.build_unit(op(), "alice", dockhand.UnitKind.CARTON, "SO-701", "STAGE-01").unit
    assert carton.lpn.startswith("34012345") and len(carton.lpn) == 18
    with pytest.raises(dockhand.DockhandError) as wrong:
        device.pack_goods(dockhand.PackRequest(
            op_id=op(), operator="alice", lpn=carton.lpn, from_tote="TOTE-702",
            goods=towels("4012345000030"), quantity=5))
    assert wrong.value.code == "wrong_order" and "SO-702" in wrong.value.reason
    packed = device.pack_goods(dockhand.PackRequest(
        op_id=op(), operator="alice", lpn="(00)" + carton.lpn, from_tote="TOTE-701",
        goods=towels("4012345000030"), quantity=12))
    assert packed.lines[0].base_quantity == 12
    pallet = device.build_unit(op(), "alice", dockhand.UnitKind.PALLET, "SO-701", "STAGE-01").unit
    device.nest_unit(op(), "alice", carton.lpn, pallet.lpn)
    assert device.handling_unit(carton.lpn).parent == pallet.lpn

    label = device.unit_label(pallet.lpn, ["dockhand DC"], ["Kiosk Nord"])
    assert [b.data for b in label.barcodes] == [
        "(02)04012345000030(37)12", "(00)" + pallet.lpn]
    assert "CARTONS" in label.zpl and "SO-701" in label.zpl
    picture = dockhand.label_png(label)
    assert picture[:8] == b"\x89PNG\r\n\x1a\n" and len(picture) > 1000

    with pytest.raises(dockhand.DockhandError) as short:
        device.ship_order(op(), "alice", "SO-701", "SHIP-01", "84")
    assert short.value.code == "short_loaded" and pallet.lpn in short.value.reason
    loaded = device.load_unit(op(), "alice", "SO-701", "SHIP-01", "84", pallet.lpn)
    assert loaded.cartons == [carton.lpn]
    shipped = device.ship_order(op(), "alice", "SO-701", "SHIP-01", "84")
    assert (shipped.base_quantity, shipped.units) == (12, [pallet.lpn, carton.lpn])
    assert shipped.on_time is True
    assert device.handling_unit(pallet.lpn).status == dockhand.UnitStatus.SHIPPED
