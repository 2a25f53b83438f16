package io.dockhand.sample.logic

import io.dockhand.ffi.DockhandException
import io.dockhand.ffi.OutboxEvent
import io.dockhand.ffi.SyncClient
import io.dockhand.ffi.SyncObserver
import io.dockhand.ffi.SyncState
import io.dockhand.ffi.SyncStatus
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** The sync bar on every screen. */
data class SyncBar(val tone: Tone, val text: String, val pending: Long, val exceptions: Long)

/** What the bar says for a status: what an operator needs, in a few words. */
fun describe(status: SyncStatus): SyncBar {
    val pending = if (status.pending == 1L) "1 scan to send" else "${status.pending} scans to send"
    val (tone, text) = when {
        status.rejected > 0 -> Tone.ERROR to "${status.rejected} refused by the hub — see Exceptions"
        status.state == SyncState.SYNCING -> Tone.OK to "Sending… $pending"
        status.state == SyncState.OFFLINE -> Tone.WARNING to "Offline — $pending, kept on this handheld"
        status.state == SyncState.ERROR -> Tone.ERROR to (status.lastError ?: "Sync stopped")
        status.pending > 0 -> Tone.WARNING to pending.replaceFirstChar { it.uppercase() }
        else -> Tone.OK to "All sent"
    }
    return SyncBar(tone, text, status.pending, status.rejected)
}

/**
 * Holds the sync bar and the exceptions list. It observes the client (the observer is called on a
 * background thread; StateFlow is safe to set from any thread) and stops observing on [close].
 */
class SyncBarHolder(private val session: Session, private val client: SyncClient) : SyncObserver, AutoCloseable {
    private val _bar = MutableStateFlow(describe(client.status()))
    val bar: StateFlow<SyncBar> = _bar.asStateFlow()
    private val _exceptions = MutableStateFlow<List<OutboxEvent>>(emptyList())
    val exceptions: StateFlow<List<OutboxEvent>> = _exceptions.asStateFlow()
    private val subscription = client.observe(this)

    override fun onStatus(status: SyncStatus) {
        _bar.value = describe(status)
    }

    /** "Sync now" on the sync screen. */
    suspend fun syncNow(): Message = try {
        val report = client.syncNow()
        refreshExceptions()
        Message.ok("Sent ${report.acknowledged}, received ${report.pulled} updates")
    } catch (e: DockhandException) {
        e.toMessage()
    }

    suspend fun refreshExceptions() {
        (session.run { it.exceptions() } as? Outcome.Done)?.let { _exceptions.value = it.value }
    }

    override fun close() = subscription.close()
}
