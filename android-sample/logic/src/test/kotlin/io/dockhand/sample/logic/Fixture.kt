package io.dockhand.sample.logic

import io.dockhand.ffi.Device
import io.dockhand.ffi.generateDatabaseKey
import io.dockhand.ffi.Goods
import io.dockhand.ffi.NewPickLine
import io.dockhand.ffi.NewPickTask
import io.dockhand.ffi.PickRequest
import io.dockhand.ffi.PutawayRequest
import io.dockhand.ffi.ReceiveRequest
import io.dockhand.ffi.SyncClient
import io.dockhand.ffi.SyncSettings
import io.dockhand.ffi.TokenProvider
import java.nio.file.Files
import java.util.UUID
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking

/**
 * A handheld on the sample warehouse (core/src/sample/mod.rs), in a temporary directory; its own
 * [deviceId] when it registers with the [LoopbackHub].
 */
class Fixture(deviceId: String = "HH-SAMPLE") : AutoCloseable {
    private val dir = Files.createTempDirectory("dockhand-sample")
    val device: Device = Device.open(dir.resolve("device.db").toString(), deviceId, generateDatabaseKey()).apply {
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

    /** Towels under the licence plate [lpn] (a tote, carton or pallet; "" for loose) at [location]. */
    fun towelsUnder(lpn: String, location: String = STAGING): Long =
        device.balancesAtLocation(location).filter { it.sku == TOWELS && it.lpn == lpn }.sumOf { it.quantity }

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

    /**
     * Registers with the [LoopbackHub] and syncs once: the hub's block of SSCC serial references
     * arrives, so this handheld can build cartons and pallets. Only its own stock is kept in view.
     */
    fun ssccsFromHub() = syncOnce(LoopbackHub.url, "Packing bench")

    /** Registers as [name] with the hub at [hubUrl] and syncs once: its master data arrives. */
    fun syncOnce(hubUrl: String, name: String) = runBlocking {
        val tokens = object : TokenProvider {
            var token: String? = null
            override fun currentToken() = token
            override fun refreshToken(): String? = null
        }
        val settings = SyncSettings(hubUrl, 5_000uL, 60_000uL, 3_600uL, null, null, 50uL, 200uL, false)
        SyncClient(device, settings, tokens).use { client ->
            tokens.token = client.register(name, null).token()
            client.syncNow()
        }
    }

    /**
     * Order [orderRef] picked: [units] towels from [shelf] (put away there first) to STAGE-01, into
     * [tote] or loose. Returns the pick task's id.
     */
    fun picked(orderRef: String, units: Long, shelf: String = "A-01-01", tote: String? = null): String {
        if (towelsOnHand(shelf) < units) towelsIn(shelf)
        val task = "P-$orderRef"
        device.createPickTask(
            UUID.randomUUID().toString(), "alice",
            NewPickTask(task, orderRef, STAGING, listOf(NewPickLine(1L, TOWELS, units, "EA", null))),
        )
        val pick = requireNotNull(device.nextPick(task))
        device.confirmPick(
            PickRequest(UUID.randomUUID().toString(), "alice", task, pick.allocationId, label(pick.location), Goods(TOWELS_EA, null, null, null), units, tote, false),
        )
        return task
    }

    override fun close() {
        device.close()
        dir.toFile().deleteRecursively()
    }

    companion object {
        /**
         * What the sample warehouse's location labels read (their check strings, core/src/sample/mod.rs):
         * a test, like a person, knows a label by standing in front of it, never from the device.
         */
        val LABELS = mapOf(
            "DOCK-01" to "11", "DOCK-02" to "12", "A-01-01" to "41", "A-01-02" to "42", "A-01-03" to "43",
            "A-01-04" to "44", "A-01-05" to "55", "C-01-01" to "61", "C-01-02" to "62", "P-01-01" to "71",
            "QA-01" to "91", "STAGE-01" to "81", "RET-01" to "82", "DMG-01" to "83", "SHIP-01" to "84",
        )

        fun label(location: String): String = LABELS.getValue(location)

        const val ASN = "ASN-1001"
        const val DOCK = "DOCK-01"
        const val STAGING = "STAGE-01"
        const val DOOR = "SHIP-01"
        const val TOWELS = "TOWEL-2P"
        const val TOWELS_EA = "4012345000030"
        const val TOWELS_CS = "14012345000037"
        const val COFFEE_EA = "4012345000023"

        /** The sample operators' badges and PINs (core/src/sample/mod.rs). */
        val BADGES = mapOf("alice" to ("BADGE-0001" to "111111"), "bob" to ("BADGE-0002" to "222222"), "sam" to ("BADGE-0003" to "333333"))
    }
}
