package io.dockhand.sample.logic

import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * A real hub (target/debug/dockhand-hub) on loopback, started once for the test JVM and stopped
 * with it. Packing needs it: a handheld mints SSCCs only from the serial references a hub gave it
 * in a sync, under the site's GS1 Company Prefix (4012345, extension digit 3).
 */
object LoopbackHub {
    val url: String by lazy { start() }

    private fun start(): String {
        val binary = System.getProperty("dockhand.hub") ?: System.getenv("DOCKHAND_HUB")
            ?: error("-Ddockhand.hub=path/to/dockhand-hub is not set")
        val dir = Files.createTempDirectory("dockhand-hub-sample")
        val database = dir.resolve("hub.db").toString()
        val port = ServerSocket(0).use { it.localPort }
        val url = "http://127.0.0.1:$port"
        val log = dir.resolve("hub.log")
        val hub = ProcessBuilder(binary, "serve", "--listen", "127.0.0.1:$port", "--database", database)
            .redirectErrorStream(true).redirectOutput(log.toFile()).start()
        Runtime.getRuntime().addShutdownHook(
            Thread {
                hub.destroy()
                hub.waitFor(10, TimeUnit.SECONDS)
                dir.toFile().deleteRecursively()
            },
        )
        val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
        val health = HttpRequest.newBuilder(URI.create("$url/health")).GET().build()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (runCatching { http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() }.getOrNull() != 200) {
            check(hub.isAlive) { "the hub exited: " + Files.readString(log) }
            check(System.nanoTime() < deadline) { "the hub did not answer /health within 30 s" }
            Thread.sleep(100)
        }
        val prefix = ProcessBuilder(binary, "site", "prefix", "main", "4012345", "--extension", "3", "--database", database)
            .redirectErrorStream(true).start()
        val said = prefix.inputStream.readAllBytes().decodeToString()
        check(prefix.waitFor() == 0) { "the hub refused the company prefix: $said" }
        return url
    }
}

/** A handheld of its own on the [LoopbackHub], holding SSCC serial references (see [Fixture.ssccsFromHub]). */
fun packingBench(): Fixture = Fixture("HH-PACK-" + java.util.UUID.randomUUID().toString().take(8)).apply { ssccsFromHub() }

/** An SSCC of the sample site's prefix with its check digit: a label no handheld built. */
fun ssccNobodyBuilt(serial: Long = 999_999L): String {
    val body = "34012345" + "%09d".format(serial)
    val sum = body.reversed().mapIndexed { i, c -> (c - '0') * if (i % 2 == 0) 3 else 1 }.sum()
    return body + (10 - sum % 10) % 10
}
