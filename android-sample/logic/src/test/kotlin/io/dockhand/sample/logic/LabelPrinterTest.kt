package io.dockhand.sample.logic

import io.dockhand.ffi.UnitKind
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_EA
import java.net.InetAddress
import java.net.ServerSocket
import java.net.SocketTimeoutException
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Labels reach a printer as the core wrote them: a local socket on loopback stands in for a Zebra's port 9100. */
class LabelPrinterTest {
    private val shipFrom = listOf("dockhand DC", "Dock 3")

    /** A printer's raw port: accepts one connection and keeps every byte until the sender closes. */
    private fun printerPort(server: ServerSocket): CompletableFuture<ByteArray> = CompletableFuture.supplyAsync {
        server.accept().use { it.getInputStream().readAllBytes() }
    }

    @Test
    fun `a pallet's label arrives at the printer byte for byte as the core's ZPL`() = runBlocking {
        packingBench().use { f ->
            f.picked("SO-1", 12, tote = "TOTE-1")
            val holder = PackingHolder(f.session(), shipFrom) { order -> listOf("Kiosk Nord ($order)", "Hafenstr. 1") }
            holder.onScan("TOTE-1")
            holder.build(UnitKind.CARTON)
            val carton = requireNotNull(holder.state.value.unit).lpn
            holder.setPacks(12)
            holder.onScan(TOWELS_EA)
            holder.build(UnitKind.PALLET)
            val pallet = requireNotNull(holder.state.value.unit).lpn
            holder.onScan(carton)

            ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { server ->
                val received = printerPort(server)
                val printer = NetworkLabelPrinter("127.0.0.1", server.localPort)
                holder.printLabel(printer)
                assertEquals(Message.ok("Label of pallet $pallet sent to printer 127.0.0.1:${server.localPort}"), holder.state.value.message)
                val bytes = received.get(10, TimeUnit.SECONDS)
                val expected = f.device.unitLabel(pallet, shipFrom, listOf("Kiosk Nord (SO-1)", "Hafenstr. 1"))
                assertArrayEquals(expected.zpl.toByteArray(Charsets.UTF_8), bytes)
                val zpl = bytes.decodeToString()
                assertTrue(zpl.startsWith("^XA") && zpl.trimEnd().endsWith("^XZ"), zpl)
                assertTrue("Kiosk Nord (SO-1)" in zpl && "dockhand DC" in zpl && "SO-1" in zpl, zpl)
                // What a scanner reads off it: the content (12 towels) and the pallet's SSCC.
                assertEquals(listOf("(02)04012345000030(37)12", "(00)$pallet"), expected.barcodes.map { it.data })
            }
        }
    }

    @Test
    fun `with no unit in hand, or a printer out of reach, nothing is printed and the screen says why`() = runBlocking {
        packingBench().use { f ->
            f.picked("SO-1", 12, tote = "TOTE-1")
            val holder = PackingHolder(f.session(), shipFrom)
            holder.onScan("TOTE-1")
            ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { server ->
                server.soTimeout = 300
                holder.printLabel(NetworkLabelPrinter("127.0.0.1", server.localPort))
                assertEquals(Message.warning("Scan the carton or pallet whose label to print"), holder.state.value.message)
                assertThrows<SocketTimeoutException> { server.accept() }
            }

            holder.build(UnitKind.CARTON)
            val carton = requireNotNull(holder.state.value.unit).lpn
            val closed = ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { it.localPort }
            holder.printLabel(NetworkLabelPrinter("127.0.0.1", closed, timeoutMillis = 2_000))
            val message = holder.state.value.message!!
            assertEquals(Tone.ERROR, message.tone)
            assertTrue(message.text.startsWith("Printer 127.0.0.1:$closed did not take the label of carton $carton ("), message.text)
            assertTrue(message.text.endsWith("): nothing was printed. Check it is on and in reach, then print again"), message.text)
            // The carton is as it was: still in hand, to print again.
            assertEquals(carton, holder.state.value.unit?.lpn)
        }
    }
}
