package io.dockhand.sample.logic

import io.dockhand.ffi.Goods
import io.dockhand.ffi.PutawayRequest
import io.dockhand.sample.logic.Fixture.Companion.DOCK
import io.dockhand.sample.logic.Fixture.Companion.TOWELS
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_CS
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_EA
import io.dockhand.sample.logic.Fixture.Companion.label
import java.util.UUID
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class ReplenishHolderTest {
    /** A handheld whose hub keeps the pick face P-01-01 stocked with towels between 40 and 72. */
    private fun faceKept(): Fixture =
        Fixture("HH-REPL-" + UUID.randomUUID().toString().take(8)).apply { syncOnce(LoopbackHub.replenishing, "Replenishment") }

    /** The sample ASN's 4 cases of towels: [faceCases] put on the pick face P-01-01, the rest in reserve at A-01-01. */
    private fun Fixture.towels(faceCases: Long) {
        receiveTowels()
        val cases = Goods(TOWELS_CS, null, null, null)
        for ((location, quantity) in listOf("P-01-01" to faceCases, "A-01-01" to 4 - faceCases)) {
            if (quantity == 0L) continue
            device.confirmPutaway(
                PutawayRequest(UUID.randomUUID().toString(), "alice", DOCK, cases, null, quantity, location, label(location), "test set-up"),
            )
        }
    }

    /** 48 towels on the face, 48 in reserve; a pick of 12 leaves 36 on the face, below its 40. */
    private fun Fixture.faceBelowMinimum() {
        towels(faceCases = 2)
        picked("SO-R1", 12, shelf = "P-01-01")
        assertEquals(36L to 48L, towelsOnHand("P-01-01") to towelsOnHand("A-01-01"))
    }

    @Test
    fun `a pick below the face's minimum raises a task that two trips from reserve bring back up`() = runBlocking {
        faceKept().use { f ->
            val holder = ReplenishHolder(f.session())
            holder.loadTasks()
            assertEquals("No pick face needs replenishing", holder.state.value.message?.text)

            f.faceBelowMinimum()
            holder.loadTasks()
            val task = holder.state.value.tasks.single()
            assertNull(holder.state.value.message)
            assertEquals(Triple("P-01-01", TOWELS, 36L), Triple(task.location, task.sku, task.quantity))
            holder.open(task.id)
            assertEquals("Go to A-01-01 for 36 TOWEL-2P and scan its label", holder.state.value.message?.text)
            assertEquals(36L, holder.state.value.remaining)

            // A case is 24 of the 36: one trip brings it, the task stays open for the rest.
            holder.onScan(label("A-01-01"))
            holder.onScan(TOWELS_CS)
            assertEquals(1L, holder.state.value.packs)
            holder.onScan(label("P-01-01"))
            val between = holder.state.value
            assertEquals(
                "Brought 24 TOWEL-2P from A-01-01 to P-01-01 (24 of 36). Go to A-01-01 for 12 TOWEL-2P and scan its label",
                between.message?.text,
            )
            assertEquals(12L, between.remaining)
            assertEquals(60L to 24L, f.towelsOnHand("P-01-01") to f.towelsOnHand("A-01-01"))

            holder.onScan(label("A-01-01"))
            holder.onScan(TOWELS_EA)
            assertEquals(12L, holder.state.value.packs)
            holder.onScan(label("P-01-01"))
            val done = holder.state.value
            assertEquals("done", (done.step as ReplenishStep.Done).task.status)
            assertEquals("Brought 12 TOWEL-2P from A-01-01 to P-01-01: task ${task.id} done", done.message?.text)
            assertEquals(0L, done.remaining)
            assertTrue(done.tasks.isEmpty())
            assertEquals(72L to 12L, f.towelsOnHand("P-01-01") to f.towelsOnHand("A-01-01"))
        }
    }

    @Test
    fun `the wrong place is refused in the core's words and changes nothing`() = runBlocking {
        faceKept().use { f ->
            f.faceBelowMinimum()
            val holder = ReplenishHolder(f.session())
            holder.loadTasks()
            val task = holder.state.value.tasks.single()
            holder.open(task.id)
            holder.onScan(TOWELS_EA)
            assertEquals("That is TOWEL-2P: go to A-01-01 and scan its label", holder.state.value.message?.text)
            val recorded = f.device.outboxCounts().pending

            // The towels just picked, taken back from staging: the core refuses the source.
            holder.onScan(label("STAGE-01"))
            holder.onScan(TOWELS_EA)
            holder.onScan(label("P-01-01"))
            val fromStaging = holder.state.value.message!!
            assertEquals(Tone.ERROR, fromStaging.tone)
            assertTrue(fromStaging.text.startsWith("location STAGE-01 is a staging location"), fromStaging.text)
            assertTrue(holder.state.value.step is ReplenishStep.ScanFace)

            // Back to the reserve, then the goods to the wrong shelf.
            holder.restart()
            holder.onScan(label("A-01-01"))
            holder.onScan(TOWELS_EA)
            val waiting = holder.state.value.step
            holder.onScan(label("A-01-02"))
            val refused = holder.state.value
            assertEquals(Tone.ERROR, refused.message?.tone)
            assertEquals("replenishment ${task.id} brings TOWEL-2P to P-01-01, not to A-01-02", refused.message?.text)
            assertEquals(waiting, refused.step)
            assertEquals(recorded, f.device.outboxCounts().pending) // nothing recorded
            assertEquals(Triple(36L, 48L, 0L), Triple(f.towelsOnHand("P-01-01"), f.towelsOnHand("A-01-01"), f.towelsOnHand("A-01-02")))
            assertEquals(0L, f.device.replenishmentTask(task.id).moved)

            holder.onScan(label("P-01-01"))
            assertTrue(holder.state.value.step is ReplenishStep.Done)
            assertEquals(72L to 12L, f.towelsOnHand("P-01-01") to f.towelsOnHand("A-01-01"))
        }
    }

    @Test
    fun `an empty reserve is named and the task stays open in the list`() = runBlocking {
        faceKept().use { f ->
            f.towels(faceCases = 4)
            f.picked("SO-R2", 60, shelf = "P-01-01")
            val recorded = f.device.outboxCounts().pending
            val holder = ReplenishHolder(f.session())
            holder.loadTasks()
            val task = holder.state.value.tasks.single()
            assertEquals(36L, task.quantity)

            holder.open(task.id)
            val refused = holder.state.value
            assertEquals(Tone.WARNING, refused.message?.tone)
            assertEquals(
                "no TOWEL-2P is available in reserve storage to bring to P-01-01 (replenishment ${task.id}): " +
                    "receive or count the reserve, then work the task",
                refused.message?.text,
            )
            assertEquals(ReplenishStep.ChooseTask, refused.step)
            assertNull(refused.task)
            holder.onScan(label("A-01-01"))
            assertEquals("Choose a task first", holder.state.value.message?.text)
            assertEquals(recorded, f.device.outboxCounts().pending)
            assertEquals(36L, f.towelsOnHand("P-01-01"))
            assertEquals(listOf(task.id to 0L), f.device.openReplenishments().map { it.id to it.moved })
        }
    }
}
