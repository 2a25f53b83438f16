package io.dockhand.sample.logic

import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * Real hubs (target/debug/dockhand-hub) on loopback, each started once for the test JVM and
 * stopped with it, set up by one of the hub's own commands once it answers.
 */
object LoopbackHub {
    /**
     * Packing needs it: a handheld mints SSCCs only from the serial references a hub gave it in a
     * sync, under the site's GS1 Company Prefix (4012345, extension digit 3).
     */
    val url: String by lazy { start { listOf("site", "prefix", "main", "4012345", "--extension", "3") } }

    /**
     * A hub of its own whose master data keeps pick face P-01-01 stocked with towels between 40
     * and 72, as the demo's ERP sends it (cli/src/demo/mod.rs): a handheld learns a face's levels
     * only from its hub. Kept apart so no other test's handheld gets them.
     */
    val replenishing: String by lazy {
        start { dir ->
            val levels = dir.resolve("face-levels.json")
            Files.writeString(
                levels,
                """
                {"locations": [{"code": "P-01-01", "zone": "A", "kind": "pick_face", "status": "active", "pickable": true,
                  "pick_sequence": 5, "check_string": "71", "replenish": {"sku": "TOWEL-2P", "min_units": 40, "max_units": 72}}]}
                """.trimIndent(),
            )
            listOf("import", levels.toString())
        }
    }

    /** Starts a hub in a temporary directory, then runs the command [setUp] gives on its database. */
    private fun start(setUp: (Path) -> List<String>): String {
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
        val command = setUp(dir)
        val run = ProcessBuilder(listOf(binary) + command + listOf("--database", database))
            .redirectErrorStream(true).start()
        val said = run.inputStream.readAllBytes().decodeToString()
        check(run.waitFor() == 0) { "the hub refused `${command.joinToString(" ")}`: $said" }
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
