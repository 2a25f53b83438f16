package io.dockhand.sample.logic

import io.dockhand.ffi.ScanResult
import io.dockhand.ffi.Goods
import io.dockhand.ffi.PutawayConfirmed
import io.dockhand.ffi.PutawayRequest
import io.dockhand.ffi.PutawayTask
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/** Where the putaway screen is. */
sealed interface PutawayStep {
    /** Scan goods waiting on the dock. */
    data object ScanGoods : PutawayStep

    /** Take them to the suggested location and scan it. */
    data class ScanLocation(val task: PutawayTask, val goods: Goods) : PutawayStep

    /** Put away; scan the next goods. */
    data class Done(val confirmed: PutawayConfirmed) : PutawayStep
}

data class PutawayUi(
    val dock: String,
    val step: PutawayStep = PutawayStep.ScanGoods,
    val message: Message? = null,
    /** Why the operator uses another location than suggested (set before scanning it). */
    val overrideReason: String? = null,
) : Shows<PutawayUi> {
    override fun showing(message: Message) = copy(message = message)
}

class PutawayHolder(private val session: Session, dock: String) {
    private val _state = MutableStateFlow(PutawayUi(dock))
    val state: StateFlow<PutawayUi> = _state.asStateFlow()

    /** The operator chooses another location than the suggested one, and says why. */
    fun overrideSuggestion(reason: String) = _state.update { it.copy(overrideReason = reason.trim().ifEmpty { null }) }

    suspend fun onScan(raw: String) {
        val scan = session.resolve(raw, _state) ?: return
        when (val step = _state.value.step) {
            is PutawayStep.ScanGoods, is PutawayStep.Done -> {
                if (scan !is ScanResult.Goods) return _state.show(Message.error("Scan the goods on ${_state.value.dock} first"))
                val goods = Goods(raw, null, null, null)
                session.into(_state, { it.suggestPutaway(_state.value.dock, goods, null) }) { ui, task ->
                    ui.copy(
                        step = PutawayStep.ScanLocation(task, goods),
                        overrideReason = null,
                        message = Message.ok("${task.onDock} ${task.sku} → ${task.suggestion.location}"),
                    )
                }
            }
            is PutawayStep.ScanLocation -> {
                val suggested = step.task.suggestion.location
                if (scan !is ScanResult.Location) return _state.show(Message.error("Scan the location label of $suggested"))
                val code = scan.code
                val reason = _state.value.overrideReason
                if (code != suggested && reason == null) {
                    return _state.show(Message.error("Wrong location $code: put these goods in $suggested (or choose another location and say why)"))
                }
                // What the scanner read on the label goes to the core as it was read: the proof of
                // presence is the scan, never something the app looks up.
                confirm(step, code, raw, reason)
            }
        }
    }

    private suspend fun confirm(step: PutawayStep.ScanLocation, code: String, locationScan: String, reason: String?) {
        val dock = _state.value.dock
        session.into(_state, { device ->
            val lpn = step.task.lpn.ifEmpty { null }
            val packs = step.task.onDock / step.task.basePerScan
            device.confirmPutaway(
                PutawayRequest(session.opId(), session.operator, dock, step.goods, lpn, packs, code, locationScan, reason),
            )
        }) { ui, done ->
            ui.copy(
                step = PutawayStep.Done(done),
                overrideReason = null,
                message = Message.ok("Put away ${done.baseQuantity} ${done.sku} in ${done.to}"),
            )
        }
    }
}
