package io.dockhand.sample.logic

import io.dockhand.ffi.Goods
import io.dockhand.ffi.MoveKind
import io.dockhand.ffi.PutawayRequest
import io.dockhand.ffi.ReceiveRequest
import io.dockhand.sample.logic.Fixture.Companion.ASN
import io.dockhand.sample.logic.Fixture.Companion.DOCK
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_CS
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_EA
import io.dockhand.sample.logic.Fixture.Companion.label
import java.util.UUID
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class MoveHolderTest {
    @Test
    fun `loose goods move by three scans and a refused destination leaves the screen waiting for another`() = runBlocking {
        Fixture().use { f ->
            f.towelsIn("A-01-01")
            val holder = MoveHolder(f.session())
            holder.onScan(TOWELS_EA)
            assertEquals("Scan the label of the location to take goods from", holder.state.value.message?.text)
            holder.onScan(label("A-01-01"))
            holder.onScan(TOWELS_EA)
            holder.setPacks(10)
            val waiting = holder.state.value.step as MoveStep.ScanDestination

            // Available towels never go into quarantine: the core's sentence, nothing moved.
            holder.onScan(label("QA-01"))
            val refused = holder.state.value
            assertEquals(Tone.ERROR, refused.message?.tone)
            assertTrue(refused.message!!.text.contains("QA-01"), refused.message!!.text)
            assertEquals(waiting, refused.step)
            assertEquals(96L, f.towelsOnHand("A-01-01"))

            holder.onScan(label("A-01-02"))
            val done = holder.state.value.step as MoveStep.Done
            assertEquals(MoveKind.LOOSE, done.confirmed.moveKind)
            assertEquals(10L, done.confirmed.baseQuantity)
            assertEquals(86L to 10L, f.towelsOnHand("A-01-01") to f.towelsOnHand("A-01-02"))
        }
    }

    @Test
    fun `a pallet moves whole with a scan of its label and keeps its SSCC`() = runBlocking {
        Fixture().use { f ->
            val sscc = "376123450000000016"
            val towels = Goods(TOWELS_CS, null, null, null)
            f.device.receive(ReceiveRequest(UUID.randomUUID().toString(), "alice", ASN, DOCK, towels, 4L, sscc, null))
            f.device.confirmPutaway(
                PutawayRequest(UUID.randomUUID().toString(), "alice", DOCK, towels, sscc, 4L, "A-01-03", label("A-01-03"), "pallet rack"),
            )
            val holder = MoveHolder(f.session())
            holder.onScan(label("A-01-03"))
            holder.onScan("]C100$sscc")
            assertTrue(holder.state.value.message!!.text.startsWith("Pallet $sscc"), holder.state.value.message!!.text)
            holder.onScan(label("A-01-04"))
            val done = holder.state.value.step as MoveStep.Done
            assertEquals(MoveKind.WHOLE_PLATE, done.confirmed.moveKind)
            assertEquals(sscc, done.confirmed.lpnAfter)
            assertEquals(0L to 96L, f.towelsOnHand("A-01-03") to f.towelsOnHand("A-01-04"))
        }
    }
}
