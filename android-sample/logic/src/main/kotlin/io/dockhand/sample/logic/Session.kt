package io.dockhand.sample.logic

import io.dockhand.ffi.Device
import io.dockhand.ffi.DockhandException
import io.dockhand.ffi.ScanResult
import java.util.UUID
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.withContext

/**
 * The signed-in operator on one handheld. Every dockhand call goes through [run]: off the main
 * thread (the calls are fast but synchronous SQLite transactions), and with its typed error turned
 * into a [Message] for the screen.
 */
class Session(
    val device: Device,
    val operator: String,
    private val io: CoroutineDispatcher = Dispatchers.IO,
    private val newOpId: () -> String = { UUID.randomUUID().toString() },
) {
    /** The same handheld, calls in [operator]'s name (after they signed in). */
    fun forOperator(operator: String) = Session(device, operator, io, newOpId)

    /** A new operation id per operator action; a retry of the same action reuses its id. */
    fun opId(): String = newOpId()

    /** Runs [call] on the IO dispatcher: its value, or the refusal as a message. */
    suspend fun <T> run(call: (Device) -> T): Outcome<T> = withContext(io) {
        try {
            Outcome.Done(call(device))
        } catch (e: DockhandException) {
            Outcome.Refused(e, e.toMessage())
        }
    }

    /**
     * Runs [call] for a screen: [done] folds its value into the screen's state; a refusal shows
     * its message and leaves everything else as it was.
     */
    suspend fun <S : Shows<S>, T> into(state: MutableStateFlow<S>, call: (Device) -> T, done: (S, T) -> S) {
        when (val r = run(call)) {
            is Outcome.Done -> state.update { done(it, r.value) }
            is Outcome.Refused -> state.update { it.showing(r.message) }
        }
    }

    /** What a scan means, or none after showing why it means nothing here. */
    suspend fun <S : Shows<S>> resolve(raw: String, state: MutableStateFlow<S>): ScanResult? =
        when (val r = run { it.resolveScan(raw) }) {
            is Outcome.Done -> r.value
            is Outcome.Refused -> null.also { state.update { it.showing(r.message) } }
        }
}

/** A screen's state that can show a message to the operator. */
interface Shows<S> {
    fun showing(message: Message): S
}

/** Shows [message] on the screen, changing nothing else. */
fun <S : Shows<S>> MutableStateFlow<S>.show(message: Message) = update { it.showing(message) }

/** A command's result as a screen handles it. */
sealed interface Outcome<out T> {
    data class Done<T>(val value: T) : Outcome<T>
    data class Refused(val error: DockhandException, val message: Message) : Outcome<Nothing>
}

/** What a scan is, in the words of a message ([raw] when it names nothing more telling). */
fun ScanResult.shown(raw: String): String = when (this) {
    is ScanResult.Goods -> sku
    is ScanResult.Location -> code
    is ScanResult.Pallet -> "pallet $sscc"
}.ifEmpty { raw }
