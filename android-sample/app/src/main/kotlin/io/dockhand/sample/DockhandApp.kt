package io.dockhand.sample

import android.app.Application
import android.content.Context
import android.net.ConnectivityManager
import android.net.Network
import android.net.NetworkCapabilities
import android.net.NetworkRequest
import io.dockhand.ffi.Device
import io.dockhand.ffi.DockhandException
import io.dockhand.ffi.SyncClient
import io.dockhand.ffi.SyncSettings
import io.dockhand.ffi.TokenProvider
import io.dockhand.sample.keys.KeystoreSealer
import io.dockhand.sample.keys.PrefsSealedKeyStore
import io.dockhand.sample.logic.DatabaseKeys
import io.dockhand.sample.logic.Session
import io.dockhand.sample.logic.SyncBarHolder
import io.dockhand.sample.logic.toMessage
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.launch

/**
 * One device database and one sync client for the whole app. The database opens on first start
 * (the sample warehouse is loaded so the screens have something to work on); sync runs in the
 * background and is told about connectivity by the system.
 */
class DockhandApp : Application() {
    val appScope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    lateinit var device: Device
        private set
    lateinit var sync: SyncClient
        private set
    lateinit var syncBar: SyncBarHolder
        private set

    /** Why dockhand could not start (a file made for another device, a full disk); the activity shows it. */
    var startupError: String? = null
        private set

    override fun onCreate() {
        super.onCreate()
        val prefs = getSharedPreferences("dockhand", Context.MODE_PRIVATE)
        val deviceId = prefs.getString("device_id", null)
            ?: ("HH-" + java.util.UUID.randomUUID().toString().take(8)).also { prefs.edit().putString("device_id", it).apply() }
        val tokens = PrefsTokens(prefs)
        try {
            // Encrypted at rest: the key is sealed by the Android Keystore (sample/keys/KeystoreKeys.kt).
            val keys = DatabaseKeys(KeystoreSealer(), PrefsSealedKeyStore(prefs))
            device = keys.openDevice(getDatabasePath("dockhand.db").apply { parentFile?.mkdirs() }.path, deviceId)
            if (device.openReceipts().isEmpty() && runCatching { device.item("TOWEL-2P") }.isFailure) {
                device.loadSampleWarehouse()
            }
            sync = SyncClient(device, SyncSettings(BuildConfig.HUB_URL, null, null, null, null, null, null, null), tokens)
        } catch (e: DockhandException) {
            startupError = e.toMessage().text
            return
        } catch (e: java.security.GeneralSecurityException) {
            // The Keystore lost its key (factory reset, new handheld): the database cannot be read.
            startupError = "The database key could not be unsealed by the Android Keystore: ${e.message}"
            return
        }
        syncBar = SyncBarHolder(session("system"), sync)
        appScope.launch {
            // Enrol once (a development hub admits any device; production wants a secret from MDM).
            if (tokens.currentToken() == null) runCatching { tokens.save(sync.register(deviceId, null).token()) }
            sync.start()
        }
        watchConnectivity()
    }

    /** A session for the signed-in operator; screens run their calls on Dispatchers.IO. */
    fun session(operator: String) = Session(device, operator)

    private fun watchConnectivity() {
        val cm = getSystemService(ConnectivityManager::class.java)
        val request = NetworkRequest.Builder().addCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET).build()
        cm.registerNetworkCallback(request, object : ConnectivityManager.NetworkCallback() {
            override fun onAvailable(network: Network) = sync.setConnectivity(true)
            override fun onLost(network: Network) = sync.setConnectivity(cm.activeNetwork != null)
        })
    }
}

/** The device token, kept in the app's private preferences (use EncryptedSharedPreferences or the Keystore in production). */
private class PrefsTokens(private val prefs: android.content.SharedPreferences) : TokenProvider {
    override fun currentToken(): String? = prefs.getString("token", null)

    // A real app asks its backend or MDM here (this runs on a background thread and may block).
    override fun refreshToken(): String? = null

    fun save(token: String) = prefs.edit().putString("token", token).apply()
}
