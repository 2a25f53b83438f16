package io.dockhand.sample.print

import android.annotation.SuppressLint
import android.bluetooth.BluetoothManager
import android.content.Context
import io.dockhand.sample.logic.LabelPrinter
import io.dockhand.sample.logic.NetworkLabelPrinter
import java.io.IOException
import java.util.UUID

/**
 * A Zebra paired over Bluetooth Classic: raw ZPL on its serial port profile (RFCOMM). Android 12+
 * wants BLUETOOTH_CONNECT granted first (the pack screen asks); a refusal arrives as an
 * [IOException] the screen turns into a message.
 */
class BluetoothLabelPrinter(context: Context, private val address: String) : LabelPrinter {
    private val adapter = context.getSystemService(BluetoothManager::class.java)?.adapter

    override val name: String get() = "$address (Bluetooth)"

    @SuppressLint("MissingPermission")
    override fun send(zpl: ByteArray) {
        val adapter = adapter ?: throw IOException("this handheld has no Bluetooth")
        try {
            adapter.getRemoteDevice(address).createRfcommSocketToServiceRecord(SERIAL_PORT).use { socket ->
                socket.connect()
                socket.outputStream.apply {
                    write(zpl)
                    flush()
                }
                // A mobile Zebra drops what is still in flight when the link closes at once.
                Thread.sleep(LINGER_MILLIS)
            }
        } catch (e: SecurityException) {
            throw IOException("Bluetooth is not allowed for this app", e)
        } catch (e: IllegalArgumentException) {
            throw IOException("$address is not a Bluetooth address", e)
        }
    }

    companion object {
        /** The serial port profile: Zebra printers take raw ZPL on it. */
        private val SERIAL_PORT: UUID = UUID.fromString("00001101-0000-1000-8000-00805F9B34FB")
        private const val LINGER_MILLIS = 500L
        private val MAC = Regex("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")

        /** Whether [address] names a Bluetooth printer (its MAC address) rather than a host. */
        fun isBluetooth(address: String): Boolean = MAC.matches(address.trim())
    }
}

/** The printer the operator typed: a Bluetooth MAC address, or a host with an optional port (9100). */
fun labelPrinter(context: Context, address: String): LabelPrinter {
    val typed = address.trim()
    if (BluetoothLabelPrinter.isBluetooth(typed)) return BluetoothLabelPrinter(context, typed.uppercase())
    val host = typed.substringBeforeLast(':', typed)
    val port = typed.substringAfterLast(':', "").toIntOrNull() ?: 9100
    return NetworkLabelPrinter(host, port)
}
