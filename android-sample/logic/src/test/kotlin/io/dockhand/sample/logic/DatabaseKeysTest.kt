package io.dockhand.sample.logic

import io.dockhand.ffi.Device
import io.dockhand.ffi.DockhandException
import io.dockhand.ffi.ReceiveRequest
import java.nio.file.Files
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import io.dockhand.ffi.Goods
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_CS
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** AES-GCM with a software key: the JVM's stand-in for the Android Keystore's sealing key. */
private class SoftwareSealer(private val key: SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()) : KeySealer {
    override fun seal(plain: ByteArray): Sealed {
        val cipher = Cipher.getInstance("AES/GCM/NoPadding").apply { init(Cipher.ENCRYPT_MODE, key) }
        return Sealed(cipher.iv, cipher.doFinal(plain))
    }

    override fun open(sealed: Sealed): ByteArray =
        Cipher.getInstance("AES/GCM/NoPadding").apply { init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, sealed.iv)) }
            .doFinal(sealed.ciphertext)
}

private class MemoryStore : SealedKeyStore {
    var sealed: Sealed? = null
    override fun load() = sealed
    override fun save(sealed: Sealed) { this.sealed = sealed }
}

class DatabaseKeysTest {
    private val dir = Files.createTempDirectory("dockhand-keys")
    private val path = dir.resolve("dockhand.db").toString()

    private fun receiveTowels(device: Device, units: Long) =
        device.also { it.signIn("BADGE-0001", "111111") }.receive(ReceiveRequest(java.util.UUID.randomUUID().toString(), "alice", "ASN-1001", "DOCK-01", Goods(TOWELS_CS, null, null, null), units, null, null))

    private fun onDock(device: Device) = device.balancesAtLocation("DOCK-01").sumOf { it.quantity }

    @Test
    fun `the key is made once, kept only sealed, and opens the database on every start`() {
        val sealer = SoftwareSealer()
        val store = MemoryStore()
        DatabaseKeys(sealer, store).openDevice(path, "HH-KEYS").use { d ->
            d.loadSampleWarehouse()
            receiveTowels(d, 1)
        }
        val sealed = store.sealed!!
        val key = String(sealer.open(sealed), Charsets.US_ASCII)
        assertEquals(64, key.length)
        assertFalse(String(sealed.ciphertext, Charsets.ISO_8859_1).contains(key), "the stored key is sealed")
        assertFalse(isPlainSqlite(java.io.File(path)))
        // Next start: the same sealed key opens the database; nothing new is stored.
        DatabaseKeys(sealer, store).openDevice(path, "HH-KEYS").use { d -> assertEquals(24L, onDock(d)) }
        assertTrue(store.sealed === sealed)
        // Another keystore (a new handheld, a factory reset) cannot open the sealed key.
        assertThrows<javax.crypto.AEADBadTagException> { DatabaseKeys(SoftwareSealer(), store).openDevice(path, "HH-KEYS") }
    }

    @Test
    fun `a plain database from an earlier app version is encrypted on the first start`() {
        Device.openUnencryptedForDevelopment(path, "HH-KEYS").use { d ->
            d.loadSampleWarehouse()
            receiveTowels(d, 2)
        }
        assertTrue(isPlainSqlite(java.io.File(path)))
        val keys = DatabaseKeys(SoftwareSealer(), MemoryStore())
        keys.openDevice(path, "HH-KEYS").use { d ->
            assertEquals(48L, onDock(d))
            assertEquals(1L, d.outboxCounts().pending)
        }
        assertFalse(isPlainSqlite(java.io.File(path)))
        assertThrows<DockhandException.Storage> { Device.openUnencryptedForDevelopment(path, "HH-KEYS") }
    }
}
