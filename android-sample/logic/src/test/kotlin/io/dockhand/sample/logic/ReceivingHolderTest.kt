package io.dockhand.sample.logic

import io.dockhand.sample.logic.Fixture.Companion.ASN
import io.dockhand.sample.logic.Fixture.Companion.DOCK
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_CS
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class ReceivingHolderTest {
    @Test
    fun `receives scans, explains unknown ones, and holds an over-receipt for a supervisor`() = runBlocking {
        Fixture().use { f ->
            val holder = ReceivingHolder(f.session(), ASN, DOCK)
            holder.load()
            assertEquals(4, holder.state.value.lines.size)

            holder.onScan("9506000134352")
            assertEquals(Tone.ERROR, holder.state.value.message?.tone)
            assertTrue(holder.state.value.message!!.text.contains("9506000134352"), holder.state.value.message!!.text)

            holder.setPacks(4)
            holder.onScan(TOWELS_CS)
            assertEquals("Received 96 TOWEL-2P (line 3: 96 of 96)", holder.state.value.message?.text)
            assertEquals(96L, holder.state.value.lines.single { it.lineNo == 3L }.received)
            assertEquals(1L, holder.state.value.packs)

            holder.onScan(TOWELS_CS) // one case more: 120 of 96 needs a supervisor
            val waiting = holder.state.value
            assertEquals(Tone.WARNING, waiting.message?.tone)
            assertTrue(waiting.message!!.text.endsWith("Ask a supervisor to approve."), waiting.message!!.text)
            assertNotNull(waiting.awaitingApproval)
            assertEquals(96L, f.towelsOnHand(DOCK))

            holder.approve("BADGE-0002", "222222") // bob is no supervisor: still waiting
            assertTrue(holder.state.value.message!!.text.contains("not a supervisor"), holder.state.value.message!!.text)
            assertNotNull(holder.state.value.awaitingApproval)
            holder.approve("BADGE-0003", "333334") // sam mistypes: still waiting, the PIN is not kept
            assertTrue(holder.state.value.message!!.text.contains("wrong PIN"), holder.state.value.message!!.text)
            assertNull(holder.state.value.awaitingApproval!!.approval)
            assertEquals(96L, f.towelsOnHand(DOCK))
            holder.approve("BADGE-0003", "333333")
            assertNull(holder.state.value.awaitingApproval)
            assertEquals(120L, f.towelsOnHand(DOCK))
            holder.approve("BADGE-0003", "333333") // nothing waiting: nothing happens
            assertEquals(120L, f.towelsOnHand(DOCK))
        }
    }

    @Test
    fun `a location that is not a dock does not change the dock`() = runBlocking {
        Fixture().use { f ->
            val holder = ReceivingHolder(f.session(), ASN, DOCK)
            holder.onScan("A-01-01")
            assertEquals("A-01-01 is not a dock: scan the goods, or a dock to receive at", holder.state.value.message?.text)
            assertEquals(DOCK, holder.state.value.dock)
            holder.onScan("DOCK-02")
            assertEquals("DOCK-02", holder.state.value.dock)
        }
    }
}
