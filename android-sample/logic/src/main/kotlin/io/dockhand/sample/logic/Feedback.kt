package io.dockhand.sample.logic

import io.dockhand.ffi.DockhandException

/** How a message should look and sound on a handheld (green beep, amber, red buzz). */
enum class Tone { OK, WARNING, ERROR }

/** One line for the operator. */
data class Message(val tone: Tone, val text: String) {
    companion object {
        fun ok(text: String) = Message(Tone.OK, text)
        fun warning(text: String) = Message(Tone.WARNING, text)
        fun error(text: String) = Message(Tone.ERROR, text)
    }
}

/**
 * What the operator reads after a refused command. The core's sentence already names the values
 * ("location A-01-05 is blocked"); this adds what to do next. Nothing was recorded in any case.
 */
fun DockhandException.toMessage(): Message = when (this) {
    is DockhandException.Validation -> Message.error(reason)
    is DockhandException.NotFound -> Message.error(reason)
    is DockhandException.Conflict -> Message.warning(reason)
    is DockhandException.NeedsSupervisor -> Message.warning("$reason. Ask a supervisor to approve.")
    is DockhandException.Storage -> Message.error("The handheld could not save: $reason. Nothing was recorded; try again.")
    is DockhandException.Network -> Message.warning(
        if (transient) "No connection to the hub. Your work is kept and will be sent later." else reason,
    )
}
