"""Labels from the app: ZPL bytes for a Zebra printer and the barcodes on them; a location's label
(it shows the check string) only for a supervisor."""
import pytest

import dockhand
from conftest import LABELS


def carton(**change):
    fields = dict(
        sscc="376130321109103420", company_prefix_length=7, ship_from=["dockhand DC"],
        ship_to=["Kiosk Nord GmbH", "Hafenstraße 1"], order_ref="SO-1001",
        contents=[dockhand.ContentLine(gtin="4012345000016", description="TOWEL-BLUE",
                                       quantity=12, lot="L1", best_before="2027-06-30")],
        cartons=None)
    fields.update(change)
    return dockhand.SsccLabel(**fields)


def test_a_carton_label_is_zpl_with_its_barcodes():
    label = dockhand.sscc_label(carton())
    assert label.zpl.startswith("^XA^CI28") and label.zpl.rstrip().endswith("^XZ")
    assert "Hafenstra_C3_9Fe 1" in label.zpl  # UTF-8, escaped for ^FH
    assert [(b.symbology, b.data) for b in label.barcodes] == [
        (dockhand.Symbology.GS1_128, "(02)04012345000016(15)270630(37)12(10)L1"),
        (dockhand.Symbology.GS1_128, "(00)376130321109103420"),
    ]
    # What the app writes to the printer's socket: one format, UTF-8.
    assert label.zpl.encode("utf-8").count(b"^XA") == 1


def test_a_wrong_sscc_is_refused_with_a_sentence():
    with pytest.raises(dockhand.DockhandError.Validation) as bad:
        dockhand.sscc_label(carton(sscc="376130321109103421"))
    assert "check digit 1, expected 0" in bad.value.reason


def test_a_location_label_needs_a_supervisor(device):
    with pytest.raises(dockhand.DockhandError) as wrong_pin:
        device.location_label("A-01-01", dockhand.Approval(badge="BADGE-0003", pin="333334"))
    assert wrong_pin.value.code == "wrong_pin"
    with pytest.raises(dockhand.DockhandError) as clerk:
        device.location_label("A-01-01", dockhand.Approval(badge="BADGE-0002", pin="222222"))
    assert clerk.value.code == "not_a_supervisor"
    label = device.location_label("A-01-01", dockhand.Approval(badge="BADGE-0003", pin="333333"))
    assert [b.data for b in label.barcodes] == ["A-01-01", LABELS["A-01-01"]]
