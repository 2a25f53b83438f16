package io.dockhand.sample.logic

import io.dockhand.ffi.NewPickLine
import io.dockhand.ffi.NewPickTask
import io.dockhand.sample.logic.Fixture.Companion.COFFEE_EA
import io.dockhand.sample.logic.Fixture.Companion.TOWELS
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_EA
import io.dockhand.sample.logic.Fixture.Companion.label
import java.util.UUID
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class PickingHolderTest {
    private fun Fixture.order(quantity: Long) {
        device.createPickTask(
            UUID.randomUUID().toString(), "alice",
            NewPickTask("PICK-7", "SO-7", "STAGE-01", listOf(NewPickLine(1L, TOWELS, quantity, "EA", null))),
        )
    }

    @Test
    fun `wrong location and wrong goods are refused, then the pick completes the task`() = runBlocking {
        Fixture().use { f ->
            f.towelsIn("A-01-02")
            f.order(12)
            val holder = PickingHolder(f.session("bob"))
            holder.loadTasks()
            assertEquals(listOf("PICK-7"), holder.state.value.tasks)
            holder.open("PICK-7")
            assertEquals("Go to A-01-02", holder.state.value.message?.text)

            holder.onScan(label("A-01-03"))
            assertEquals("That is A-01-03: go to A-01-02 and scan its label", holder.state.value.message?.text)
            assertEquals(false, holder.state.value.atLocation)

            holder.onScan(label("A-01-02"))
            assertTrue(holder.state.value.atLocation)
            holder.onScan(COFFEE_EA)
            assertEquals("That is COFFEE-500, not TOWEL-2P: nothing was picked", holder.state.value.message?.text)
            assertEquals(96L, f.towelsOnHand("A-01-02"))

            holder.onScan(TOWELS_EA)
            assertNull(holder.state.value.pick)
            assertEquals("Picked 12 TOWEL-2P. Task complete: take it to STAGE-01", holder.state.value.message?.text)
            assertEquals(84L, f.towelsOnHand("A-01-02"))
            assertEquals(12L, f.towelsOnHand("STAGE-01"))
        }
    }

    @Test
    fun `a short pick reports the rest short and raises a count of the shelf`() = runBlocking {
        Fixture().use { f ->
            f.towelsIn("A-01-02")
            f.order(30)
            val holder = PickingHolder(f.session("bob"))
            holder.open("PICK-7")
            holder.reportShort(20)
            assertEquals("Scan the location first", holder.state.value.message?.text)
            holder.onScan(label("A-01-02"))
            holder.reportShort(20)
            assertEquals("Short: scan the goods to confirm 20 found", holder.state.value.message?.text)
            holder.onScan(TOWELS_EA)
            val text = holder.state.value.message!!.text
            assertTrue(text.startsWith("Picked 20 TOWEL-2P, 10 short — count CC-A-01-02-"), text)
            assertEquals(76L, f.towelsOnHand("A-01-02"))
            assertEquals(1, f.device.openCountTasks().size)
        }
    }
}
