package io.dockhand.sample.logic

import io.dockhand.ffi.Device
import io.dockhand.ffi.Operator
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/** The sign-in screen: a badge scanned, a PIN typed; who is signed in. */
data class SignInUi(
    val badge: String = "",
    val signedIn: Operator? = null,
    val message: Message? = null,
) : Shows<SignInUi> {
    override fun showing(message: Message) = copy(message = message)
}

/**
 * Badge scan + PIN before any work (the core refuses commands in anyone else's name once the hub
 * has sent badges). The PIN is passed through once and never kept; wrong PINs and the lock after
 * too many are the core's rules, shown as its sentence.
 */
class SignInHolder(private val device: Device, private val run: Session) {
    private val _state = MutableStateFlow(SignInUi())
    val state: StateFlow<SignInUi> = _state.asStateFlow()

    /** Whoever is signed in already (the handheld restarted). */
    suspend fun load() = run.into(_state, { it.signedIn() }) { ui, who -> ui.copy(signedIn = who) }

    /** A scan on this screen is the badge. */
    fun onScan(raw: String) = _state.update { it.copy(badge = raw.trim(), message = Message.ok("Badge ${raw.trim()}: type your PIN")) }

    suspend fun signIn(pin: String) {
        val badge = _state.value.badge
        if (badge.isEmpty()) return _state.show(Message.warning("Scan your badge first"))
        run.into(_state, { it.signIn(badge, pin) }) { ui, who ->
            ui.copy(signedIn = who, badge = "", message = Message.ok("Signed in: ${who.name}"))
        }
    }

    suspend fun signOut() = run.into(_state, { it.signOut() }) { ui, _ ->
        ui.copy(signedIn = null, message = Message.ok("Signed out"))
    }

    /** The session of the person signed in, for the work screens. */
    fun session(): Session? = _state.value.signedIn?.let { run.forOperator(it.id) }
}
