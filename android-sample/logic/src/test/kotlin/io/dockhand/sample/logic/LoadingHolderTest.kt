package io.dockhand.sample.logic

import io.dockhand.ffi.Goods
import io.dockhand.ffi.PackRequest
import io.dockhand.ffi.UnitKind
import io.dockhand.ffi.UnitStatus
import io.dockhand.sample.logic.Fixture.Companion.DOOR
import io.dockhand.sample.logic.Fixture.Companion.STAGING
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_EA
import io.dockhand.sample.logic.Fixture.Companion.label
import java.util.UUID
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class LoadingHolderTest {
    private val LoadingHolder.text: String get() = state.value.message!!.text
    private val LoadingHolder.tone: Tone get() = state.value.message!!.tone

    /** A carton for [orderRef] at staging holding [units] towels out of [tote]. */
    private fun Fixture.carton(orderRef: String, tote: String, units: Long): String {
        val lpn = device.buildUnit(UUID.randomUUID().toString(), "alice", UnitKind.CARTON, orderRef, STAGING).unit.lpn
        device.packGoods(PackRequest(UUID.randomUUID().toString(), "alice", lpn, tote, Goods(TOWELS_EA, null, null, null), units))
        return lpn
    }

    @Test
    fun `another order's carton is refused at the door and stays at staging`() = runBlocking {
        packingBench().use { f ->
            f.picked("SO-1", 12, tote = "TOTE-1")
            f.picked("SO-2", 5, tote = "TOTE-2")
            f.carton("SO-1", "TOTE-1", 12)
            val theirs = f.carton("SO-2", "TOTE-2", 5)
            val holder = LoadingHolder(f.session())
            holder.onScan(label(DOOR))
            assertEquals("Choose the order to load first", holder.text)
            holder.open("SO-1")
            holder.onScan("(00)$theirs")
            assertEquals("Scan the dock door's label first", holder.text)
            holder.onScan(label(DOOR))

            val before = f.device.outboxCounts()
            holder.onScan("(00)$theirs")
            assertEquals(Tone.ERROR, holder.tone)
            assertEquals("carton $theirs is for order SO-2, not order SO-1: load it for its own order", holder.text)
            assertEquals(before, f.device.outboxCounts())
            assertEquals(UnitStatus.OPEN, f.device.handlingUnit(theirs).status)
            assertEquals(STAGING, f.device.handlingUnit(theirs).location)
            assertEquals(5L to 0L, f.towelsUnder(theirs) to f.towelsOnHand(DOOR))
            assertEquals(emptyList<String>(), holder.state.value.loaded)
        }
    }

    @Test
    fun `a short load is refused naming what is left, and ships once all is on the truck`() = runBlocking {
        packingBench().use { f ->
            f.picked("SO-1", 12, tote = "TOTE-1")
            val first = f.carton("SO-1", "TOTE-1", 8)
            val holder = LoadingHolder(f.session())
            holder.open("SO-1")
            holder.onScan(label(DOOR))
            holder.onScan(first)
            assertEquals("Loaded carton $first (8 TOWEL-2P) at SHIP-01", holder.text)

            // 4 towels still in the tote at staging: the shipment does not close.
            val before = f.device.outboxCounts()
            holder.ship()
            assertEquals(Tone.WARNING, holder.tone)
            assertEquals("order SO-1 is not all loaded: tote TOTE-1 is at STAGE-01; load it before the shipment closes", holder.text)
            assertNull(holder.state.value.shipped)
            assertEquals(before, f.device.outboxCounts())
            assertEquals(UnitStatus.LOADED, f.device.handlingUnit(first).status)
            assertEquals(8L to 4L, f.towelsOnHand(DOOR) to f.towelsUnder("TOTE-1"))

            // A tote does not go on the truck: its goods go into a carton first.
            holder.onScan("TOTE-1")
            assertTrue(holder.text.endsWith("TOTE-1 is a tote: pack its goods into a carton, then load the carton"), holder.text)
            val second = f.carton("SO-1", "TOTE-1", 4)
            holder.onScan(second)
            holder.ship()
            assertEquals("Order SO-1 shipped from SHIP-01: 2 units, 12 TOWEL-2P", holder.text)
            assertEquals(listOf(first, second), holder.state.value.loaded)
            assertEquals(0L to 0L, f.towelsOnHand(DOOR) to f.towelsOnHand(STAGING))
            assertEquals(UnitStatus.SHIPPED, f.device.handlingUnit(second).status)
            holder.onScan(second)
            assertEquals("Order SO-1 has shipped: choose the next order", holder.text)
        }
    }

    @Test
    fun `a label nobody built, goods, and a door that is no door are refused in the core's words`() = runBlocking {
        packingBench().use { f ->
            f.picked("SO-1", 12, tote = "TOTE-1")
            val carton = f.carton("SO-1", "TOTE-1", 12)
            val holder = LoadingHolder(f.session())
            holder.open("SO-1")
            holder.onScan(label(DOOR))
            val before = f.device.outboxCounts()

            val unknown = ssccNobodyBuilt()
            holder.onScan("]C100$unknown")
            assertEquals(Tone.ERROR, holder.tone)
            assertEquals("$unknown is not a carton, pallet or tote on this device: build it first, or scan its label again", holder.text)
            holder.onScan(TOWELS_EA)
            assertEquals("That is TOWEL-2P: scan the label of its carton or pallet", holder.text)

            // The staging label scanned as the door: loading happens at a shipping door only.
            holder.onScan(label(STAGING))
            holder.onScan(carton)
            assertEquals(Tone.ERROR, holder.tone)
            assertEquals("location STAGE-01 is a staging location; loading a truck needs a shipping location", holder.text)
            assertEquals(before, f.device.outboxCounts())
            assertEquals(UnitStatus.OPEN, f.device.handlingUnit(carton).status)
            assertEquals(12L, f.towelsUnder(carton))

            // An order this handheld never picked.
            holder.open("SO-404")
            holder.onScan(label(DOOR))
            holder.onScan(carton)
            assertTrue(holder.text.contains("order SO-404 has no pick task on this device"), holder.text)
            assertEquals(before, f.device.outboxCounts())
        }
    }
}
