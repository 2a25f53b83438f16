package io.dockhand.sample.logic

import io.dockhand.ffi.DockhandException
import io.dockhand.ffi.Goods
import io.dockhand.ffi.Location
import io.dockhand.ffi.NewPickLine
import io.dockhand.ffi.NewPickTask
import io.dockhand.ffi.PickRequest
import io.dockhand.ffi.PutawayRequest
import io.dockhand.sample.logic.Fixture.Companion.DOCK
import io.dockhand.sample.logic.Fixture.Companion.TOWELS
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_CS
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_EA
import java.util.UUID
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Confirming a putaway or a pick needs what the scanner read on the location's label. The API
 * gives an app no way to produce it: a location carries no check string, and anything else in its
 * place is refused with the stock left where it was.
 */
class ProofOfPresenceTest {
    @Test
    fun `a location tells an app nothing it could submit as a scan of its label`() {
        val fields = Location::class.java.declaredFields.map { it.name.lowercase() }
        assertTrue(fields.none { "check" in it || "label" in it }, fields.toString())
    }

    @Test
    fun `a putaway without a destination scan, or with its code typed, changes nothing`() {
        Fixture().use { f ->
            f.receiveTowels()
            val recorded = f.device.outboxCounts().pending
            val goods = Goods(TOWELS_CS, null, null, null)
            fun putaway(scan: String) = PutawayRequest(UUID.randomUUID().toString(), "alice", DOCK, goods, null, 4L, "A-01-01", scan, "test")

            val none = assertThrows<DockhandException.Validation> { f.device.confirmPutaway(putaway("")) }
            assertEquals("location_not_scanned", none.code)
            assertTrue(none.reason.contains("scan the label on location A-01-01"), none.reason)
            val typed = assertThrows<DockhandException.Validation> { f.device.confirmPutaway(putaway("A-01-01")) }
            assertEquals("wrong_check_string", typed.code)
            assertEquals(96L, f.towelsOnHand(DOCK))
            assertEquals(0L, f.towelsOnHand("A-01-01"))
            assertEquals(recorded, f.device.outboxCounts().pending) // nothing recorded

            f.device.confirmPutaway(putaway(Fixture.label("A-01-01")))
            assertEquals(96L, f.towelsOnHand("A-01-01"))
        }
    }

    @Test
    fun `a pick without a scan at the location changes nothing`() {
        Fixture().use { f ->
            f.towelsIn("A-01-02")
            f.device.createPickTask(
                UUID.randomUUID().toString(), "alice",
                NewPickTask("PICK-9", "SO-9", "STAGE-01", listOf(NewPickLine(1L, TOWELS, 12L, "EA", null))),
            )
            val pick = f.device.nextPick("PICK-9")!!
            fun pickWith(scan: String) = PickRequest(
                UUID.randomUUID().toString(), "alice", "PICK-9", pick.allocationId, scan, Goods(TOWELS_EA, null, null, null), 12L, null, false,
            )
            val none = assertThrows<DockhandException.Validation> { f.device.confirmPick(pickWith(" ")) }
            assertEquals("location_not_scanned", none.code)
            assertEquals(96L, f.towelsOnHand("A-01-02"))
            f.device.confirmPick(pickWith(Fixture.label("A-01-02")))
            assertEquals(84L, f.towelsOnHand("A-01-02"))
        }
    }
}
