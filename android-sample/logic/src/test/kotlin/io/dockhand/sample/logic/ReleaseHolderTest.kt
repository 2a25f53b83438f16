package io.dockhand.sample.logic

import io.dockhand.ffi.Goods
import io.dockhand.ffi.InspectionOutcome
import io.dockhand.ffi.PutawayRequest
import io.dockhand.ffi.ReceiveRequest
import io.dockhand.ffi.StockStatus
import io.dockhand.sample.logic.Fixture.Companion.ASN
import io.dockhand.sample.logic.Fixture.Companion.BADGES
import io.dockhand.sample.logic.Fixture.Companion.DOCK
import io.dockhand.sample.logic.Fixture.Companion.label
import java.time.LocalDate
import java.util.UUID
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class ReleaseHolderTest {
    private val vitaminsEa = "4012345000054"

    /** The GS1 DataMatrix on a box of vitamins: GTIN, expiry 2027-06-30, lot V-9. */
    private val VITAMINS_LABEL = "]d2010401234500005417270630" + "10V-9"

    /** 12 vitamins held for inspection at receipt, in QA-01. */
    private fun Fixture.vitaminsInQuarantine() {
        val vitamins = Goods(vitaminsEa, "V-9", LocalDate.parse("2027-06-30"), null)
        device.receive(ReceiveRequest(UUID.randomUUID().toString(), "alice", ASN, DOCK, vitamins, 12L, null, null))
        device.confirmPutaway(PutawayRequest(UUID.randomUUID().toString(), "alice", DOCK, vitamins, null, 12L, "QA-01", label("QA-01"), null))
    }

    private fun Fixture.vitamins(location: String) =
        device.balancesAtLocation(location).filter { it.sku == "VITC-60" }.map { it.status to it.quantity }

    @Test
    fun `an operator's badge is refused and the supervisor's releases the goods into storage`() = runBlocking {
        Fixture().use { f ->
            f.vitaminsInQuarantine()
            val holder = ReleaseHolder(f.session())
            holder.onScan(label("QA-01"))
            holder.onScan(VITAMINS_LABEL)
            holder.decide(InspectionOutcome.RESTOCK, 5, "passed_inspection")
            holder.onScan(label("A-01-03"))
            val waiting = holder.state.value.step as ReleaseStep.Approve

            val (bobBadge, bobPin) = BADGES.getValue("bob")
            holder.approve(bobBadge, bobPin)
            assertEquals(Tone.WARNING, holder.state.value.message?.tone)
            assertTrue(holder.state.value.message!!.text.contains("not a supervisor"), holder.state.value.message!!.text)
            assertEquals(waiting, holder.state.value.step)
            assertEquals(listOf(StockStatus.QUARANTINED to 12L), f.vitamins("QA-01"))

            val (samBadge, samPin) = BADGES.getValue("sam")
            holder.approve(samBadge, samPin)
            val done = holder.state.value.step as ReleaseStep.Done
            assertEquals(StockStatus.AVAILABLE, done.released.statusAfter)
            assertEquals(listOf(StockStatus.AVAILABLE to 5L), f.vitamins("A-01-03"))
            assertEquals(listOf(StockStatus.QUARANTINED to 7L), f.vitamins("QA-01"))
        }
    }

    @Test
    fun `scrapped goods need no destination and leave inventory`() = runBlocking {
        Fixture().use { f ->
            f.vitaminsInQuarantine()
            val holder = ReleaseHolder(f.session())
            holder.onScan(label("QA-01"))
            holder.onScan(VITAMINS_LABEL)
            holder.decide(InspectionOutcome.SCRAP, 12, "expired_in_transit")
            assertTrue(holder.state.value.step is ReleaseStep.Approve)
            val (samBadge, samPin) = BADGES.getValue("sam")
            holder.approve(samBadge, samPin)
            val done = holder.state.value.step as ReleaseStep.Done
            assertEquals(null, done.released.to)
            assertTrue(f.vitamins("QA-01").isEmpty())
        }
    }

    @Test
    fun `a refused destination is replaced by scanning another, without deciding again`() = runBlocking {
        Fixture().use { f ->
            f.vitaminsInQuarantine()
            val holder = ReleaseHolder(f.session())
            holder.onScan(label("QA-01"))
            holder.onScan(VITAMINS_LABEL)
            holder.decide(InspectionOutcome.RESTOCK, 12, "passed_inspection")
            holder.onScan(label("A-01-05")) // blocked in the sample warehouse
            val (samBadge, samPin) = BADGES.getValue("sam")
            holder.approve(samBadge, samPin)
            assertTrue(holder.state.value.message!!.text.contains("A-01-05"), holder.state.value.message!!.text)
            assertTrue(holder.state.value.step is ReleaseStep.Approve)

            holder.onScan(label("A-01-04"))
            holder.approve(samBadge, samPin)
            val done = holder.state.value.step as ReleaseStep.Done
            assertEquals("A-01-04", done.released.to)
            assertEquals(listOf(StockStatus.AVAILABLE to 12L), f.vitamins("A-01-04"))
        }
    }
}
