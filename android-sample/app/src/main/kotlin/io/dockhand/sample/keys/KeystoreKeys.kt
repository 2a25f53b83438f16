package io.dockhand.sample.keys

import android.content.SharedPreferences
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import io.dockhand.sample.logic.KeySealer
import io.dockhand.sample.logic.Sealed
import io.dockhand.sample.logic.SealedKeyStore
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Seals the database key with an AES-256-GCM key made inside the Android Keystore (hardware-backed
 * where the handheld has it; never exportable). No user authentication: a scanner is shared by a
 * shift and must open its database at boot, before anyone signs in.
 */
class KeystoreSealer(private val alias: String = "dockhand-database-key") : KeySealer {
    private fun key(): SecretKey {
        val keystore = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        (keystore.getKey(alias, null) as? SecretKey)?.let { return it }
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .build()
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore").apply { init(spec) }.generateKey()
    }

    override fun seal(plain: ByteArray): Sealed {
        val cipher = Cipher.getInstance("AES/GCM/NoPadding").apply { init(Cipher.ENCRYPT_MODE, key()) }
        return Sealed(cipher.iv, cipher.doFinal(plain))
    }

    override fun open(sealed: Sealed): ByteArray =
        Cipher.getInstance("AES/GCM/NoPadding")
            .apply { init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(128, sealed.iv)) }
            .doFinal(sealed.ciphertext)
}

/** The sealed key in the app's private preferences (useless without the Keystore key). */
class PrefsSealedKeyStore(private val prefs: SharedPreferences) : SealedKeyStore {
    override fun load(): Sealed? {
        val iv = prefs.getString("db_key_iv", null) ?: return null
        val ciphertext = prefs.getString("db_key_sealed", null) ?: return null
        return Sealed(Base64.decode(iv, Base64.NO_WRAP), Base64.decode(ciphertext, Base64.NO_WRAP))
    }

    override fun save(sealed: Sealed) {
        // commit(), not apply(): the key must be on flash before the database is encrypted with it.
        prefs.edit()
            .putString("db_key_iv", Base64.encodeToString(sealed.iv, Base64.NO_WRAP))
            .putString("db_key_sealed", Base64.encodeToString(sealed.ciphertext, Base64.NO_WRAP))
            .commit()
    }
}
