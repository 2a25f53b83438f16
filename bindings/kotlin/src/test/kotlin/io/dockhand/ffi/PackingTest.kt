package io.dockhand.ffi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

/**
 * An order from pick through pack, load and ship through the generated Kotlin: picked into a
 * tote, packed into a carton whose SSCC comes from the block a real hub on loopback gave the
 * handheld, the carton onto a pallet, the pallet's GS1 label, loaded at the door and shipped.
 * Refusals (another order's tote, a short load, a label nobody built) are typed exceptions that
 * change nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackingTest : SampleDeviceTest({ "HH-KT-" + op().take(8) }) {
    private lateinit var hub: LoopbackHub

    @BeforeAll
    fun startHub() {
        hub = LoopbackHub.start()
        // The site's GS1 Company Prefix: handhelds get SSCC serial references with their sync.
        hub.admin("site", "prefix", "main", "4012345", "--extension", "3")
    }

    @AfterAll
    fun stopHub() = hub.close()

    private fun towelsAt(location: String, lpn: String? = null): Long =
        device.balancesAtLocation(location).filter { it.sku == Sample.TOWELS && (lpn == null || it.lpn == lpn) }.sumOf { it.quantity }

    private fun syncWithHub() = runBlocking {
        val tokens = object : TokenProvider {
            var token: String? = null
            override fun currentToken() = token
            override fun refreshToken(): String? = null
        }
        SyncClient(device, SyncSettings(hub.url, 5_000uL, 60_000uL, 3_600uL, null, null, 50uL, 200uL), tokens).use { client ->
            tokens.token = client.register("Packing bench", null).token()
            client.syncNow()
        }
    }

    private fun picked(taskId: String, orderRef: String, units: Long, tote: String) {
        device.createPickTask(
            op(), "alice",
            NewPickTask(taskId, orderRef, Sample.STAGING, listOf(NewPickLine(1L, Sample.TOWELS, units, "EA", null))),
        )
        val pick = requireNotNull(device.nextPick(taskId))
        device.confirmPick(
            PickRequest(op(), "alice", taskId, pick.allocationId, Sample.LABELS.getValue(pick.location), towels(Sample.TOWELS_EA), units, tote, false),
        )
    }

    @Test
    fun `an order goes from pick into a labelled carton on a pallet, onto the truck and out of inventory`() {
        // No serial references yet: nothing to mint an SSCC from, and the sentence says to sync.
        val noneLeft = assertThrows<DockhandException.Conflict> {
            device.buildUnit(op(), "alice", UnitKind.PALLET, null, Sample.STAGING)
        }
        assertEquals("sscc_exhausted", noneLeft.code)
        assertTrue(noneLeft.reason.contains("sync with the hub"), noneLeft.reason)
        syncWithHub()

        device.receive(ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, towels(), 2L, null, null))
        device.confirmPutaway(PutawayRequest(op(), "alice", Sample.DOCK, towels(), null, 2L, "A-01-01", "41", "test"))
        picked("P-1", "SO-701", 12, "TOTE-701")
        picked("P-2", "SO-702", 5, "TOTE-702")
        assertEquals(UnitKind.TOTE, device.handlingUnit("TOTE-701").kind)
        assertEquals("SO-701", device.handlingUnit("TOTE-701").orderRef)

        val carton = device.buildUnit(op(), "alice", UnitKind.CARTON, "SO-701", Sample.STAGING).unit
        assertTrue(carton.lpn.startsWith("34012345") && carton.lpn.length == 18, carton.lpn)
        assertEquals(UnitStatus.OPEN, carton.status)
        assertEquals(Sample.STAGING, carton.location)

        // Another order's tote into this order's carton: refused, nothing moves or is recorded.
        val before = device.outboxCounts()
        val wrong = assertThrows<DockhandException.Validation> {
            device.packGoods(PackRequest(op(), "alice", carton.lpn, "TOTE-702", towels(Sample.TOWELS_EA), 5L))
        }
        assertEquals("wrong_order", wrong.code)
        assertEquals("tote TOTE-702 is for order SO-702, not order SO-701: pack it into a unit of its own order", wrong.reason)
        assertEquals(before, device.outboxCounts())
        assertEquals(5L to 0L, towelsAt(Sample.STAGING, "TOTE-702") to towelsAt(Sample.STAGING, carton.lpn))

        // The carton's label as scanned ((00) and all) names the same carton.
        val packed = device.packGoods(PackRequest(op(), "alice", "(00)${carton.lpn}", "TOTE-701", towels(Sample.TOWELS_EA), 12L))
        assertEquals(12L, packed.lines.single().baseQuantity)
        assertEquals(StockStatus.IN_TRANSIT, packed.lines.single().status)
        assertEquals(0L to 12L, towelsAt(Sample.STAGING, "TOTE-701") to towelsAt(Sample.STAGING, carton.lpn))

        val pallet = device.buildUnit(op(), "alice", UnitKind.PALLET, "SO-701", Sample.STAGING).unit
        assertEquals(listOf(carton.lpn), device.nestUnit(op(), "alice", carton.lpn, pallet.lpn).cartons)
        assertEquals(pallet.lpn, device.handlingUnit(carton.lpn).parent)

        // The pallet's GS1 logistic label: what it holds, and its SSCC.
        val label = device.unitLabel(pallet.lpn, listOf("dockhand DC"), listOf("Kiosk Nord"))
        assertEquals(listOf("(02)04012345000030(37)12", "(00)${pallet.lpn}"), label.barcodes.map { it.data })
        assertEquals(listOf(Symbology.GS1_128, Symbology.GS1_128), label.barcodes.map { it.symbology })
        assertTrue(label.zpl.startsWith("^XA") && "CARTONS" in label.zpl && "SO-701" in label.zpl && "Kiosk Nord" in label.zpl, label.zpl)

        // Nothing loaded yet: the shipment does not close, naming what is still at staging.
        val beforeShip = device.outboxCounts()
        val short = assertThrows<DockhandException.Conflict> { device.shipOrder(op(), "alice", "SO-701", "SHIP-01", "84") }
        assertEquals("short_loaded", short.code)
        assertEquals(
            "order SO-701 is not all loaded: carton ${carton.lpn} is at STAGE-01, pallet ${pallet.lpn} is at STAGE-01; " +
                "load it before the shipment closes",
            short.reason,
        )
        assertEquals(beforeShip, device.outboxCounts())

        // Loading: another order's tote and a label nobody built are refused at the door.
        val tote = assertThrows<DockhandException.Validation> { device.loadUnit(op(), "alice", "SO-701", "SHIP-01", "84", "TOTE-702") }
        assertTrue(tote.reason.endsWith("TOTE-702 is a tote: pack its goods into a carton, then load the carton"), tote.reason)
        val unknown = assertThrows<DockhandException.NotFound> {
            device.loadUnit(op(), "alice", "SO-701", "SHIP-01", "84", "(00)340123450009999992")
        }
        assertEquals("unknown_handling_unit", unknown.code)
        assertTrue(unknown.reason.startsWith("340123450009999992 is not a carton, pallet or tote"), unknown.reason)
        val wrongDoor = assertThrows<DockhandException.Validation> { device.loadUnit(op(), "alice", "SO-701", "SHIP-01", "81", pallet.lpn) }
        assertEquals("wrong_check_string", wrongDoor.code)
        assertEquals(beforeShip, device.outboxCounts())

        val loaded = device.loadUnit(op(), "alice", "SO-701", "SHIP-01", "84", pallet.lpn)
        assertEquals(listOf(carton.lpn), loaded.cartons)
        assertEquals(UnitStatus.LOADED, loaded.unit.status)
        assertEquals("SHIP-01", loaded.unit.location)
        assertEquals(UnitStatus.LOADED, device.handlingUnit(carton.lpn).status)
        assertEquals(12L to 12L, towelsAt("SHIP-01") to towelsAt("SHIP-01", carton.lpn))

        // SO-702's tote still waits at staging; SO-701 ships without it.
        val shipped = device.shipOrder(op(), "alice", "SO-701", "SHIP-01", "84")
        assertEquals(12L, shipped.baseQuantity)
        assertEquals(listOf(pallet.lpn, carton.lpn), shipped.units)
        assertEquals("SHIP-01", shipped.door)
        assertEquals(UnitStatus.SHIPPED, device.handlingUnit(pallet.lpn).status)
        assertEquals(UnitStatus.SHIPPED, device.handlingUnit(carton.lpn).status)
        assertEquals(Triple(31L, 5L, 0L), Triple(towelsAt("A-01-01"), towelsAt(Sample.STAGING), towelsAt("SHIP-01")))
        assertEquals(36L, device.totalsByStatus().sumOf { it.quantity })
        val kinds = device.pendingEvents(1_000u).map { it.eventType }
        assertEquals(
            listOf(EventKind.UNIT_BUILT, EventKind.PACKED, EventKind.UNIT_BUILT, EventKind.PACKED, EventKind.LOADED, EventKind.SHIPPED),
            kinds.takeLast(6),
        )
        assertTrue(device.checkIntegrity().ok, device.checkIntegrity().reportJson)
    }
}
