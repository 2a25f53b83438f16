package io.dockhand.ffi

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
 * A real hub (`-Ddockhand.hub`, target/debug/dockhand-hub) serving on a free loopback port, with
 * its own database in a temporary directory; [close] stops it and removes the directory.
 */
internal class LoopbackHub private constructor(private val binary: String, private val dir: Path, private val process: Process, val url: String) :
    AutoCloseable {
    private val database = dir.resolve("hub.db").toString()

    /** Runs `dockhand-hub <args> --database <this hub's>` (an administrator's command) to its end. */
    fun admin(vararg args: String) {
        val command = ProcessBuilder(binary, *args, "--database", database).redirectErrorStream(true).start()
        val said = command.inputStream.readAllBytes().decodeToString()
        check(command.waitFor() == 0) { "dockhand-hub ${args.joinToString(" ")} failed: $said" }
    }

    override fun close() {
        process.destroy()
        process.waitFor(10, TimeUnit.SECONDS)
        dir.toFile().deleteRecursively()
    }

    companion object {
        fun start(): LoopbackHub {
            val binary = System.getProperty("dockhand.hub") ?: error("-Ddockhand.hub=path/to/dockhand-hub is not set")
            val dir = Files.createTempDirectory("dockhand-hub-kt")
            val port = ServerSocket(0).use { it.localPort }
            val url = "http://127.0.0.1:$port"
            val process = ProcessBuilder(binary, "serve", "--listen", "127.0.0.1:$port", "--database", dir.resolve("hub.db").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("hub.log").toFile())
                .start()
            val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
            val health = HttpRequest.newBuilder(URI.create("$url/health")).GET().build()
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
            while (runCatching { http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() }.getOrNull() != 200) {
                check(process.isAlive) { "the hub exited: " + Files.readString(dir.resolve("hub.log")) }
                check(System.nanoTime() < deadline) { "the hub did not answer /health within 30 s" }
                Thread.sleep(100)
            }
            return LoopbackHub(binary, dir, process, url)
        }
    }
}
