package io.dockhand.sample.logic

import io.dockhand.ffi.Device
import io.dockhand.ffi.generateDatabaseKey
import io.dockhand.ffi.Goods
import io.dockhand.ffi.PutawayRequest
import io.dockhand.ffi.ReceiveRequest
import java.nio.file.Files
import java.util.UUID
import kotlinx.coroutines.Dispatchers

/** A handheld on the sample warehouse (core/src/sample.rs), in a temporary directory. */
class Fixture : AutoCloseable {
    private val dir = Files.createTempDirectory("dockhand-sample")
    val device: Device = Device.open(dir.resolve("device.db").toString(), "HH-SAMPLE", generateDatabaseKey()).apply {
        loadSampleWarehouse()
        signIn(BADGES.getValue("alice").first, BADGES.getValue("alice").second)
    }

    /** [operator] signs in; a session whose calls run on the test's thread (the app uses Dispatchers.IO). */
    fun session(operator: String = "alice"): Session {
        val (badge, pin) = BADGES.getValue(operator)
        device.signIn(badge, pin)
        return Session(device, operator, Dispatchers.Unconfined)
    }

    fun towelsOnHand(location: String): Long =
        device.balancesAtLocation(location).filter { it.sku == TOWELS }.sumOf { it.quantity }

    /** 4 cases of towels (96 units) received on DOCK-01. */
    fun receiveTowels() {
        device.receive(ReceiveRequest(UUID.randomUUID().toString(), "alice", ASN, DOCK, Goods(TOWELS_CS, null, null, null), 4L, null, null))
    }

    /** …and put away in [location]. */
    fun towelsIn(location: String) {
        receiveTowels()
        device.confirmPutaway(
            PutawayRequest(UUID.randomUUID().toString(), "alice", DOCK, Goods(TOWELS_CS, null, null, null), null, 4L, location, label(location), "test set-up"),
        )
    }

    override fun close() {
        device.close()
        dir.toFile().deleteRecursively()
    }

    companion object {
        /**
         * What the sample warehouse's location labels read (their check strings, core/src/sample.rs):
         * a test, like a person, knows a label by standing in front of it, never from the device.
         */
        val LABELS = mapOf(
            "DOCK-01" to "11", "DOCK-02" to "12", "A-01-01" to "41", "A-01-02" to "42", "A-01-03" to "43",
            "A-01-04" to "44", "A-01-05" to "55", "C-01-01" to "61", "C-01-02" to "62", "P-01-01" to "71",
            "QA-01" to "91", "STAGE-01" to "81", "RET-01" to "82", "DMG-01" to "83",
        )

        fun label(location: String): String = LABELS.getValue(location)

        const val ASN = "ASN-1001"
        const val DOCK = "DOCK-01"
        const val TOWELS = "TOWEL-2P"
        const val TOWELS_EA = "4012345000030"
        const val TOWELS_CS = "14012345000037"
        const val COFFEE_EA = "4012345000023"

        /** The sample operators' badges and PINs (core/src/sample.rs). */
        val BADGES = mapOf("alice" to ("BADGE-0001" to "111111"), "bob" to ("BADGE-0002" to "222222"), "sam" to ("BADGE-0003" to "333333"))
    }
}
