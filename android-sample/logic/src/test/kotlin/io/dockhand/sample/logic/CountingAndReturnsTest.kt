package io.dockhand.sample.logic

import io.dockhand.ffi.InspectionOutcome
import io.dockhand.ffi.StockStatus
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_EA
import java.util.UUID
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class CountingAndReturnsTest {
    @Test
    fun `a blind count off by more than tolerance asks for a recount`() = runBlocking {
        Fixture().use { f ->
            f.towelsIn("A-01-02")
            f.device.createCountTask(UUID.randomUUID().toString(), "alice", "CC-1", "A-01-02", null, "cycle")
            val holder = CountingHolder(f.session("bob"))
            holder.loadTasks()
            assertEquals(listOf("CC-1"), holder.state.value.tasks.map { it.id })
            holder.open("CC-1")
            assertEquals(listOf("A-01-02"), holder.state.value.locations)

            holder.onScan(TOWELS_EA)
            assertEquals("Scan the location label first", holder.state.value.message?.text)
            holder.onScan("A-01-03")
            assertEquals("A-01-03 is not on this count: count A-01-02", holder.state.value.message?.text)
            holder.onScan("A-01-02")
            holder.onScan(TOWELS_EA)
            holder.onScan(TOWELS_EA)
            assertEquals("TOWEL-2P: 2 counted", holder.state.value.message?.text)
            holder.setLastQuantity(89) // 1 + 89 = 90 of 96
            holder.submit()
            assertEquals("Different from the books: another person will recount", holder.state.value.message?.text)
            assertEquals(96L, f.towelsOnHand("A-01-02"))
        }
    }

    @Test
    fun `a return is received, then restocked by inspection`() = runBlocking {
        Fixture().use { f ->
            val holder = ReturnsHolder(f.session(), "RMA-3", "RET-01")
            holder.onScan("A-01-01")
            assertEquals("Scan the returned goods", holder.state.value.message?.text)
            holder.onScan(TOWELS_EA)
            holder.receive("SO-3", "Hotel Nord")
            assertEquals("Return RMA-3 received: inspect 1 lines", holder.state.value.message?.text)
            assertEquals(StockStatus.RETURN_PENDING, f.device.balancesAtLocation("RET-01").single().status)
            holder.inspect(1, InspectionOutcome.RESTOCK, "unopened")
            assertTrue(holder.state.value.message!!.text.startsWith("Line 1: restock → put away in "), holder.state.value.message!!.text)
            assertEquals(InspectionOutcome.RESTOCK, holder.state.value.received!!.lines.single().outcome)
        }
    }
}
