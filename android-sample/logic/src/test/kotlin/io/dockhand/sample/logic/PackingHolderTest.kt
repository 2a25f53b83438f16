package io.dockhand.sample.logic

import io.dockhand.ffi.UnitKind
import io.dockhand.sample.logic.Fixture.Companion.STAGING
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_EA
import io.dockhand.sample.logic.Fixture.Companion.label
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class PackingHolderTest {
    private val PackingHolder.text: String get() = state.value.message!!.text
    private val PackingHolder.tone: Tone get() = state.value.message!!.tone

    @Test
    fun `goods go from the order's tote into its carton, and another order's tote is refused with nothing moved`() = runBlocking {
        packingBench().use { f ->
            f.picked("SO-1", 12, tote = "TOTE-1")
            f.picked("SO-2", 5, tote = "TOTE-2")
            val holder = PackingHolder(f.session())
            holder.onScan(label(STAGING))
            holder.onScan("TOTE-1")
            assertEquals("Tote TOTE-1 for SO-1: build a carton or scan one", holder.text)
            holder.build(UnitKind.CARTON)
            val carton = requireNotNull(holder.state.value.unit).lpn
            assertEquals("Carton $carton for SO-1: scan goods from tote TOTE-1", holder.state.value.prompt)

            // The wrong tote: the core's sentence names both orders; nothing moved, nothing recorded.
            holder.onScan("TOTE-2")
            holder.setPacks(5)
            val before = f.device.outboxCounts()
            holder.onScan(TOWELS_EA)
            assertEquals(Tone.ERROR, holder.tone)
            assertEquals("tote TOTE-2 is for order SO-2, not order SO-1: pack it into a unit of its own order", holder.text)
            assertEquals(before, f.device.outboxCounts())
            assertEquals(Triple(5L, 12L, 0L), Triple(f.towelsUnder("TOTE-2"), f.towelsUnder("TOTE-1"), f.towelsUnder(carton)))

            holder.onScan("TOTE-1")
            holder.setPacks(12)
            holder.onScan(TOWELS_EA)
            assertEquals("Packed 12 TOWEL-2P from tote TOTE-1 into carton $carton", holder.text)
            assertEquals(0L to 12L, f.towelsUnder("TOTE-1") to f.towelsUnder(carton))
            assertEquals(1L, holder.state.value.packs)
        }
    }

    @Test
    fun `a label nobody built is refused naming it, and a carton goes only onto a pallet of its order`() = runBlocking {
        packingBench().use { f ->
            f.picked("SO-1", 12, tote = "TOTE-1")
            f.picked("SO-2", 5, tote = "TOTE-2")
            val holder = PackingHolder(f.session())
            holder.onScan(label(STAGING))
            val before = f.device.outboxCounts()

            val unknown = ssccNobodyBuilt()
            holder.onScan("(00)$unknown")
            assertEquals(Tone.ERROR, holder.tone)
            assertEquals("$unknown is not a carton, pallet or tote on this device: build it first, or scan its label again", holder.text)
            holder.onScan("TOTE-404")
            assertEquals("TOTE-404 is not a carton, pallet or tote on this device: build it first, or scan its label again", holder.text)
            // Goods before any carton: where would they go?
            holder.onScan(TOWELS_EA)
            assertEquals("That is TOWEL-2P: scan the carton or pallet to pack it into, or build one", holder.text)
            assertNull(holder.state.value.unit)
            assertEquals(before, f.device.outboxCounts())

            holder.setOrder("SO-2")
            holder.build(UnitKind.CARTON)
            val carton = requireNotNull(holder.state.value.unit).lpn
            holder.build(UnitKind.PALLET, "SO-1")
            val pallet = requireNotNull(holder.state.value.unit).lpn
            val built = f.device.outboxCounts()
            holder.onScan(carton)
            assertEquals(Tone.ERROR, holder.tone)
            assertEquals("carton $carton is for order SO-2, not order SO-1: put it onto a pallet of its own order, or of several orders", holder.text)
            assertEquals("", f.device.handlingUnit(carton).parent)
            assertEquals(built, f.device.outboxCounts())

            // A pallet for several orders takes it.
            holder.build(UnitKind.PALLET, null)
            val mixed = requireNotNull(holder.state.value.unit)
            assertEquals("Pallet ${mixed.lpn} built for several orders: print its label", holder.text)
            holder.onScan(carton)
            assertEquals(mixed.lpn, f.device.handlingUnit(carton).parent)
            assertEquals("", f.device.handlingUnit(pallet).parent)
        }
    }

    @Test
    fun `goods come out again, a carton is emptied into another, and a pallet is broken up`() = runBlocking {
        packingBench().use { f ->
            f.picked("SO-1", 12, tote = "TOTE-1")
            val holder = PackingHolder(f.session())
            holder.onScan("TOTE-1")
            holder.build(UnitKind.CARTON)
            val first = requireNotNull(holder.state.value.unit).lpn
            holder.setPacks(12)
            holder.onScan(TOWELS_EA)

            holder.takeOut()
            assertEquals("Scan the goods to take out of carton $first", holder.text)
            holder.setPacks(2)
            holder.onScan(TOWELS_EA)
            assertEquals("Took 2 TOWEL-2P out of carton $first: loose at STAGE-01", holder.text)
            assertEquals(10L to 2L, f.towelsUnder(first) to f.towelsUnder(""))

            holder.build(UnitKind.CARTON)
            val second = requireNotNull(holder.state.value.unit).lpn
            holder.onScan(first)
            holder.consolidate()
            assertEquals("Scan the carton to empty carton $first into", holder.text)
            holder.onScan("(00)$second")
            assertEquals("Carton $first emptied into carton $second: 10 TOWEL-2P", holder.text)
            assertEquals(0L to 10L, f.towelsUnder(first) to f.towelsUnder(second))
            assertEquals(second, holder.state.value.unit?.lpn)

            // An empty carton has nothing to give: the core says so, nothing changes.
            holder.onScan(first)
            holder.consolidate()
            val before = f.device.outboxCounts()
            holder.onScan(second)
            assertEquals(Tone.ERROR, holder.tone)
            assertTrue(holder.text.endsWith("carton $first is empty: there is nothing to consolidate"), holder.text)
            assertEquals(before, f.device.outboxCounts())

            holder.cancel()
            holder.build(UnitKind.PALLET)
            val pallet = requireNotNull(holder.state.value.unit).lpn
            holder.onScan(second)
            assertEquals(pallet, f.device.handlingUnit(second).parent)
            holder.breakUp()
            assertEquals("Pallet $pallet broken up: cartons $second off it", holder.text)
            assertEquals("", f.device.handlingUnit(second).parent)
            assertEquals(10L, f.towelsUnder(second))
            assertNull(holder.state.value.unit)
        }
    }

    @Test
    fun `a handheld the hub gave no serial references says to sync before building`() = runBlocking {
        Fixture().use { f ->
            val holder = PackingHolder(f.session())
            holder.build(UnitKind.PALLET, null)
            assertEquals("Scan the staging location's label first", holder.text)
            holder.onScan(label(STAGING))
            val before = f.device.outboxCounts()
            holder.build(UnitKind.PALLET, null)
            assertEquals(Tone.WARNING, holder.tone)
            assertEquals(
                "this handheld has minted every SSCC the hub gave it (0 in all): sync with the hub to get more serial " +
                    "references, then label the carton or pallet again",
                holder.text,
            )
            assertNull(holder.state.value.unit)
            assertEquals(before, f.device.outboxCounts())
        }
    }
}
