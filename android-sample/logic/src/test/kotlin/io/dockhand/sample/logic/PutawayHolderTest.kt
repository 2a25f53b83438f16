package io.dockhand.sample.logic

import io.dockhand.sample.logic.Fixture.Companion.DOCK
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_EA
import io.dockhand.sample.logic.Fixture.Companion.label
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class PutawayHolderTest {
    @Test
    fun `a scan of the wrong location says where to go and leaves the screen where it was`() = runBlocking {
        Fixture().use { f ->
            f.receiveTowels()
            val holder = PutawayHolder(f.session(), DOCK)
            holder.onScan(TOWELS_EA)
            val waiting = holder.state.value.step as PutawayStep.ScanLocation
            val suggested = waiting.task.suggestion.location
            val wrong = if (suggested == "A-01-02") "A-01-03" else "A-01-02"

            holder.onScan(label(wrong))

            val ui = holder.state.value
            assertEquals(Tone.ERROR, ui.message?.tone)
            assertEquals("Wrong location $wrong: put these goods in $suggested (or choose another location and say why)", ui.message?.text)
            assertEquals(waiting, ui.step)
            assertEquals(96L, f.towelsOnHand(DOCK))
            assertEquals(0L, f.towelsOnHand(wrong))

            // Typing the right location's code proves nobody is there: the core refuses it.
            holder.onScan(suggested)
            assertEquals(Tone.ERROR, holder.state.value.message?.tone)
            assertTrue(holder.state.value.message!!.text.contains("scan the label on location $suggested"), holder.state.value.message!!.text)
            assertEquals(waiting, holder.state.value.step)
            assertEquals(96L, f.towelsOnHand(DOCK))

            // Scanning its label puts everything away.
            holder.onScan(label(suggested))
            val done = holder.state.value.step as PutawayStep.Done
            assertEquals(96L, done.confirmed.baseQuantity)
            assertEquals(96L, f.towelsOnHand(suggested))
            assertEquals(0L, f.towelsOnHand(DOCK))
        }
    }

    @Test
    fun `another location with a reason is accepted, a blocked one is refused with the core's sentence`() = runBlocking {
        Fixture().use { f ->
            f.receiveTowels()
            val holder = PutawayHolder(f.session(), DOCK)
            holder.onScan(TOWELS_EA)
            holder.overrideSuggestion("suggested shelf is full")
            holder.onScan(label("A-01-05")) // blocked in the sample warehouse
            val refused = holder.state.value
            assertEquals(Tone.ERROR, refused.message?.tone)
            assertTrue(refused.message!!.text.contains("A-01-05"), refused.message!!.text)
            assertTrue(refused.step is PutawayStep.ScanLocation)
            assertEquals(96L, f.towelsOnHand(DOCK))

            holder.onScan(label("A-01-04"))
            val done = holder.state.value.step as PutawayStep.Done
            assertEquals("A-01-04", done.confirmed.to)
            assertEquals("suggested shelf is full", done.confirmed.overrideReason)
        }
    }

    @Test
    fun `goods not on the dock are explained`() = runBlocking {
        Fixture().use { f ->
            val holder = PutawayHolder(f.session(), DOCK)
            holder.onScan("A-01-01")
            assertEquals("Scan the goods on DOCK-01 first", holder.state.value.message?.text)
            holder.onScan(TOWELS_EA)
            assertEquals(Tone.ERROR, holder.state.value.message?.tone)
            assertEquals(PutawayStep.ScanGoods, holder.state.value.step)
        }
    }
}
