package io.dockhand.sample.logic

import java.io.IOException
import java.net.InetSocketAddress
import java.net.Socket

/**
 * A Zebra printer as the handheld reaches it: the label's ZPL goes in as bytes and nothing comes
 * back (a printer's raw port answers nothing). The label itself is the core's (`unitLabel`); this
 * only carries its bytes. The app adds a Bluetooth printer (`app/.../print/BluetoothLabelPrinter.kt`).
 */
interface LabelPrinter {
    /** The printer in the words of a message: "10.0.0.7:9100", "ZQ520 (Bluetooth)". */
    val name: String

    /** Sends [zpl] whole; an [IOException] says why the printer did not take it. */
    @Throws(IOException::class)
    fun send(zpl: ByteArray)
}

/** A printer on the network: raw ZPL to its TCP port (9100 on every Zebra). */
class NetworkLabelPrinter(
    private val host: String,
    private val port: Int = 9100,
    private val timeoutMillis: Int = 5_000,
) : LabelPrinter {
    override val name: String get() = "$host:$port"

    override fun send(zpl: ByteArray) {
        Socket().use { socket ->
            socket.soTimeout = timeoutMillis
            socket.connect(InetSocketAddress(host, port), timeoutMillis)
            socket.getOutputStream().apply {
                write(zpl)
                flush()
            }
            // Closing after a half-close lets the printer read to the end before the reset.
            socket.shutdownOutput()
        }
    }
}
