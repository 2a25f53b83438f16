package io.dockhand.sample.logic

import io.dockhand.ffi.Device
import io.dockhand.ffi.EventSigner
import io.dockhand.ffi.changeDatabaseKey
import io.dockhand.ffi.generateDatabaseKey
import java.io.File

/** A secret sealed by a key that never leaves the platform keystore, with the IV it needs. */
class Sealed(val iv: ByteArray, val ciphertext: ByteArray)

/** Seals and opens bytes with a non-exportable keystore key (the Android Keystore on a device). */
interface KeySealer {
    fun seal(plain: ByteArray): Sealed
    fun open(sealed: Sealed): ByteArray
}

/** Where the sealed database key lives between starts (the app's private preferences). */
interface SealedKeyStore {
    fun load(): Sealed?
    fun save(sealed: Sealed)
}

/**
 * The device database's key: a random 256-bit key made on first start, kept only sealed by the
 * keystore, and opened in memory when the app starts. Losing the keystore key (a factory reset,
 * a new handheld) loses the database: unsynced work must be synced before that.
 */
class DatabaseKeys(private val sealer: KeySealer, private val store: SealedKeyStore) {
    fun databaseKey(): String {
        store.load()?.let { return String(sealer.open(it), Charsets.US_ASCII) }
        val key = generateDatabaseKey()
        store.save(sealer.seal(key.toByteArray(Charsets.US_ASCII)))
        return key
    }

    /**
     * Opens the device database encrypted with this app's key. A plain file left by an earlier
     * version of the app is encrypted first (in place; replaced only once the copy is whole).
     */
    fun openDevice(path: String, deviceId: String, signer: EventSigner? = null): Device {
        val key = databaseKey()
        if (isPlainSqlite(File(path))) changeDatabaseKey(path, null, key)
        return Device.open(path, deviceId, key, signer)
    }
}

/** A plain SQLite file starts with this header; an encrypted one is random bytes throughout. */
internal fun isPlainSqlite(file: File): Boolean {
    if (!file.isFile || file.length() < 16) return false
    val header = ByteArray(16)
    file.inputStream().use { it.read(header) }
    return header.contentEquals("SQLite format 3\u0000".toByteArray(Charsets.US_ASCII))
}
