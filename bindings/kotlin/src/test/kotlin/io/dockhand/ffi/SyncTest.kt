package io.dockhand.ffi

import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicReference
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

/** The app side of tokens: what it has, and what it gets when the hub refuses that. */
private class AppTokens(initial: String?, private val fresh: () -> String?) : TokenProvider {
    val current = AtomicReference(initial)
    val refreshes = AtomicInteger()
    override fun currentToken(): String? = current.get()
    override fun refreshToken(): String? {
        refreshes.incrementAndGet()
        return fresh()?.also { current.set(it) }
    }
}

private class Recorder : SyncObserver {
    val states = CopyOnWriteArrayList<SyncState>()
    override fun onStatus(status: SyncStatus) {
        states.add(status.state)
    }
}

/**
 * Sync through the bindings against a real hub (target/debug/dockhand-hub) on loopback:
 * `syncNow()` from a coroutine, an observer of state changes that stops hearing once closed,
 * enrolment, token refresh through the app's provider, offline errors, and a pull.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncTest : SampleDeviceTest({ "HH-KT-" + op().take(8) }) {
    private lateinit var hub: LoopbackHub
    private val hubUrl: String get() = hub.url
    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()


    @BeforeAll
    fun startHub() {
        hub = LoopbackHub.start()
    }

    @AfterAll
    fun stopHub() = hub.close()

    private fun get(path: String): HttpResponse<String> =
        http.send(HttpRequest.newBuilder(URI.create(hubUrl + path)).GET().build(), HttpResponse.BodyHandlers.ofString())

    private fun post(path: String, json: String): HttpResponse<String> =
        http.send(
            HttpRequest.newBuilder(URI.create(hubUrl + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
            HttpResponse.BodyHandlers.ofString(),
        )

    /** Units the hub's stock view holds for a SKU at a location (sum over lots and statuses). */
    private fun hubStock(sku: String, location: String): Long {
        val body = get("/v1/admin/stock").body()
        val line = Regex("""\{[^{}]*}""").findAll(body).map { it.value }
            .filter { it.contains("\"sku\":\"$sku\"") && it.contains("\"location\":\"$location\"") }
        return line.sumOf { Regex("\"quantity\":(-?\\d+)").find(it)!!.groupValues[1].toLong() }
    }

    private fun settings(url: String = hubUrl) =
        SyncSettings(url, 2_000uL, 60_000uL, 3_600uL, null, null, 50uL, 200uL)

    private fun receiveTowels(packs: Long, barcode: String = Sample.TOWELS_CS) = device.receive(
        ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, towels(barcode), packs, null, null),
    )

    @Test
    fun `sync_now from a coroutine pushes the work and the observer sees it`() = runBlocking {
        val tokens = AppTokens(null) { null }
        SyncClient(device, settings(), tokens).use { client ->
            val token = client.register("Dock door 1", null)
            assertEquals(device.deviceId(), token.deviceId())
            tokens.current.set(token.token())
            assertTrue(token.token() !in token.toString() && device.deviceId() in token.toString(), token.toString())

            val recorder = Recorder()
            val subscription = client.observe(recorder)
            receiveTowels(4)
            assertEquals(1L, client.status().pending)

            val report = withContext(Dispatchers.IO) { client.syncNow() }
            assertEquals(1uL, report.acknowledged)
            assertEquals(0uL, report.rejected)
            val status = client.status()
            assertEquals(SyncState.IDLE, status.state)
            assertEquals(0L, status.pending)
            assertTrue(status.lastSuccessAt != null, "$status")
            assertTrue(recorder.states.contains(SyncState.SYNCING), "${recorder.states}")
            assertEquals(SyncState.IDLE, recorder.states.last())
            assertEquals(0L, device.outboxCounts().pending)
            assertEquals(96L, hubStock(Sample.TOWELS, Sample.DOCK))

            // Closed, the subscription hears nothing more.
            subscription.close()
            val heard = recorder.states.size
            receiveTowels(4, Sample.TOWELS_EA)
            assertEquals(1uL, client.syncNow().acknowledged)
            assertEquals(heard, recorder.states.size)
            assertEquals(100L, hubStock(Sample.TOWELS, Sample.DOCK))
        }
    }

    @Test
    fun `an expired token is refreshed once through the app`() = runBlocking {
        val real = SyncClient(device, settings(), AppTokens(null) { null }).use { it.register("Aisle 40", null).token() }
        val tokens = AppTokens("not-a-token") { real }
        SyncClient(device, settings(), tokens).use { client ->
            receiveTowels(2)
            assertEquals(1uL, client.syncNow().acknowledged)
            assertEquals(1, tokens.refreshes.get())
            assertEquals(real, tokens.current.get())
        }
        // With no working token the sync fails as unauthorized; the work stays on the device.
        val refused = AppTokens("not-a-token") { null }
        SyncClient(device, settings(), refused).use { client ->
            receiveTowels(1)
            val e = assertThrows<DockhandException.Network> { runBlocking { client.syncNow() } }
            assertEquals("unauthorized", e.code)
            assertEquals(false, e.transient)
            assertEquals(1L, device.outboxCounts().pending)
        }
    }

    @Test
    fun `the status says what is true before and after registering and when the app's tokens fail`() = runBlocking {
        val tokens = AppTokens(null) { null }
        SyncClient(device, settings(), tokens).use { client ->
            receiveTowels(1)
            assertThrows<DockhandException.Network> { runBlocking { client.syncNow() } }
            assertEquals(SyncState.ERROR, client.status().state)
            assertTrue(client.status().lastError!!.contains("register"), "${client.status()}")
            client.register("Dock door 2", null)
            assertEquals(SyncState.IDLE, client.status().state)
            assertEquals(null, client.status().lastError)
        }
        val failing = object : TokenProvider {
            override fun currentToken(): String? = throw DockhandException.Validation("keystore", "the keystore is locked")
            override fun refreshToken(): String? = null
        }
        SyncClient(device, settings(), failing).use { client ->
            assertThrows<DockhandException.Network> { runBlocking { client.syncNow() } }
            val error = client.status().lastError!!
            assertTrue("token provider failed" in error && "keystore is locked" in error, error)
        }
    }

    @Test
    fun `offline the work is kept and the error says the hub cannot be reached`() = runBlocking {
        val closed = "http://127.0.0.1:" + ServerSocket(0).use { it.localPort }
        SyncClient(device, settings(closed), AppTokens("t") { null }).use { client ->
            receiveTowels(3)
            val e = assertThrows<DockhandException.Network> { runBlocking { client.syncNow() } }
            assertEquals("unreachable", e.code)
            assertTrue(e.transient)
            assertTrue(e.reason.contains(closed), e.reason)
            assertEquals(SyncState.OFFLINE, client.status().state)
            assertEquals(1L, client.status().pending)
            client.setConnectivity(false)
            assertEquals(SyncState.OFFLINE, client.status().state)
        }
        val bad = assertThrows<DockhandException.Validation> { SyncClient(device, settings("ftp://hub"), AppTokens("t") { null }) }
        assertTrue(bad.reason.contains("ftp://hub"), bad.reason)
    }

    @Test
    fun `a pick task the hub publishes reaches the device on the next sync`() = runBlocking {
        val task = "SO-" + op().take(8)
        val import = post(
            "/v1/admin/import",
            """{"pick_tasks":[{"task_id":"$task","order_ref":"$task","staging":"STAGE-01",""" +
                """"lines":[{"line_no":1,"sku":"${Sample.TOWELS}","quantity":5}]}]}""",
        )
        assertTrue(import.statusCode() in 200..299, import.body())
        val tokens = AppTokens(null) { null }
        SyncClient(device, settings(), tokens).use { client ->
            tokens.current.set(client.register("Picker 3", null).token())
            val report = client.syncNow()
            assertTrue(report.pulled >= 1uL, "$report")
            assertTrue(device.openPickTasks().any { it.id == task }, "${device.openPickTasks()}")
            assertEquals(5L, device.pickTask(task).lines.single().quantity)
        }
    }

    @Test
    fun `a claimed task shows its holder on another handheld, which cannot claim it`() = runBlocking {
        val task = "SO-" + op().take(8)
        val import = post(
            "/v1/admin/import",
            """{"operators":[{"id":"alice","name":"Alice Moreau","role":"operator","active":true}],""" +
                """"pick_tasks":[{"task_id":"$task","order_ref":"$task","staging":"STAGE-01",""" +
                """"lines":[{"line_no":1,"sku":"${Sample.TOWELS}","quantity":5}]}]}""",
        )
        assertTrue(import.statusCode() in 200..299, import.body())
        val otherDir = Files.createTempDirectory("dockhand-kt-other")
        val other = Device.open(otherDir.resolve("device.db").toString(), "HH-KT-" + op().take(8), generateDatabaseKey())
        try {
            other.loadSampleWarehouse()
            val mine = AppTokens(null) { null }
            val theirs = AppTokens(null) { null }
            SyncClient(device, settings(), mine).use { client ->
                SyncClient(other, settings(), theirs).use { otherClient ->
                    mine.current.set(client.register("Picker 1", null).token())
                    theirs.current.set(otherClient.register("Picker 2", null).token())
                    client.syncNow()
                    assertTrue(device.myTasks().any { it.taskId == task && it.holder == null }, "${device.myTasks()}")
                    val claim = client.claimTask(TaskKind.PICK, task, "alice")
                    assertEquals("Alice Moreau", claim.operatorName)
                    assertEquals(ClaimHow.CLAIMED, claim.how)
                    val first = device.myTasks().first()
                    assertEquals(task, first.taskId)
                    assertTrue(first.mine)
                    val refused = assertThrows<DockhandException.Network> {
                        runBlocking { otherClient.claimTask(TaskKind.PICK, task, null) }
                    }
                    assertTrue(refused.reason.contains("is claimed by ${device.deviceId()} (Alice Moreau)"), refused.reason)
                    otherClient.syncNow()
                    val seen = other.taskBoard().single { it.taskId == task }
                    assertEquals("${device.deviceId()} (Alice Moreau)", seen.holder)
                    assertTrue(other.myTasks().none { it.taskId == task }, "${other.myTasks()}")
                }
            }
        } finally {
            other.close()
            otherDir.toFile().deleteRecursively()
        }
    }
}
