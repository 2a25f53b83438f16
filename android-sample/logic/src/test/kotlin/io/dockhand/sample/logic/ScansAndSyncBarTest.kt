package io.dockhand.sample.logic

import io.dockhand.ffi.ScanResult
import io.dockhand.ffi.SyncState
import io.dockhand.ffi.SyncStatus
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

class ScansAndSyncBarTest {
    private val label = "010401234500001610L2611A\u001d17270301"

    @Test
    fun `every scanner gives the core the same scan`() = runBlocking {
        assertEquals("]d2$label", Scans.fromMlKit(label, Scans.MLKIT_DATA_MATRIX))
        assertEquals("]d2$label", Scans.fromDataWedge(label, "LABEL-TYPE-GS1-DATAMATRIX"))
        assertEquals("4012345000030", Scans.fromMlKit("4012345000030 ", 32))
        assertEquals("A-01-02", Scans.fromMlKit("A-01-02", Scans.MLKIT_DATA_MATRIX))

        val wedge = KeyboardWedge(maxGapMillis = 50, gsStandIn = '~')
        // A scanner types a character every few milliseconds; '~' stands in for GS.
        val typed = "010401234500001610L2611A~17270301\n".mapIndexed { i, c -> wedge.key(c, 1_000L + 5 * i) }
        assertEquals(label, typed.last())
        // A person typing slowly is not a scan: the buffer restarts after a pause.
        assertNull(wedge.key('9', 10_000))
        wedge.key('1', 20_000)
        wedge.key('2', 20_005)
        assertEquals("12", wedge.key('\n', 20_010))

        // All three resolve to the same goods on a device.
        Fixture().use { f ->
            val a = f.device.resolveScan(Scans.fromMlKit(label, Scans.MLKIT_DATA_MATRIX))
            val b = f.device.resolveScan(Scans.fromDataWedge(label, "LABEL-TYPE-GS1-DATAMATRIX"))
            assertEquals(a, b)
            val goods = a as ScanResult.Goods
            assertEquals("MILK-1L", goods.sku)
            assertEquals("L2611A", goods.lot)
        }
    }

    @Test
    fun `the sync bar says what an operator needs`() {
        fun status(state: SyncState, pending: Long, rejected: Long = 0, error: String? = null) =
            SyncStatus(state, pending, rejected, null, error)
        assertEquals(SyncBar(Tone.OK, "All sent", 0, 0), describe(status(SyncState.IDLE, 0)))
        assertEquals(SyncBar(Tone.WARNING, "Offline — 12 scans to send, kept on this handheld", 12, 0), describe(status(SyncState.OFFLINE, 12)))
        assertEquals("Sending… 1 scan to send", describe(status(SyncState.SYNCING, 1)).text)
        assertEquals(SyncBar(Tone.ERROR, "2 refused by the hub — see Exceptions", 0, 2), describe(status(SyncState.IDLE, 0, 2)))
        assertEquals("the hub refused this device's token: expired", describe(status(SyncState.ERROR, 3, 0, "the hub refused this device's token: expired")).text)
    }
}
