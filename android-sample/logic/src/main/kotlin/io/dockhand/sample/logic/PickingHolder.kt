package io.dockhand.sample.logic

import io.dockhand.ffi.ScanResult
import io.dockhand.ffi.Goods
import io.dockhand.ffi.PickInstruction
import io.dockhand.ffi.PickRequest
import io.dockhand.ffi.PickTaskStatus
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

data class PickingUi(
    val taskId: String? = null,
    val tasks: List<String> = emptyList(),
    /** The pick to do now; none when the task is complete. */
    val pick: PickInstruction? = null,
    /** What the scanner read on the location's label (the proof of presence): now the goods. */
    val locationScan: String? = null,
    /** The shelf is short: packs found, confirmed by the next scan of the goods. */
    val shortFound: Long? = null,
    val message: Message? = null,
) : Shows<PickingUi> {
    /** The location's label was scanned: now the goods. */
    val atLocation: Boolean get() = locationScan != null

    override fun showing(message: Message) = copy(message = message)
}

/** The picking screen: go to the location, scan it, scan the goods; report short when the shelf is short. */
class PickingHolder(private val session: Session) {
    private val _state = MutableStateFlow(PickingUi())
    val state: StateFlow<PickingUi> = _state.asStateFlow()

    suspend fun loadTasks() = session.into(_state, { it.openPickTasks().map { t -> t.id } }) { ui, tasks -> ui.copy(tasks = tasks) }

    suspend fun open(taskId: String) = session.into(_state, { device ->
        if (device.pickTask(taskId).status == PickTaskStatus.OPEN) device.startPickTask(session.opId(), session.operator, taskId)
        device.nextPick(taskId)
    }) { ui, pick ->
        ui.copy(taskId = taskId, pick = pick, locationScan = null, message = pick?.let { Message.ok("Go to ${it.location}") })
    }

    suspend fun onScan(raw: String) {
        val ui = _state.value
        val pick = ui.pick ?: return _state.show(Message.warning("Nothing to pick: choose a task"))
        val scan = session.resolve(raw, _state) ?: return
        val locationScan = ui.locationScan
        if (locationScan == null) {
            if (scan !is ScanResult.Location || scan.code != pick.location) {
                return _state.show(Message.error("That is ${scan.shown(raw)}: go to ${pick.location} and scan its label"))
            }
            return _state.update { it.copy(locationScan = raw, message = Message.ok("Take ${pick.quantity} ${pick.unit} ${pick.sku} ${pick.lot}".trim())) }
        }
        if (scan !is ScanResult.Goods || scan.sku != pick.sku) {
            return _state.show(Message.error("That is ${scan.shown(raw)}, not ${pick.sku}: nothing was picked"))
        }
        val found = ui.shortFound
        val packs = found ?: (pick.quantity / scan.basePerScan)
        confirm(pick, locationScan, Goods(raw, null, null, null), packs, short = found != null)
    }

    /**
     * The shelf holds less than asked: [foundPacks] (0 allowed) are taken and the rest reported
     * short when the goods are scanned next.
     */
    fun reportShort(foundPacks: Long) {
        val ui = _state.value
        if (ui.pick == null || ui.locationScan == null || foundPacks < 0) return _state.show(Message.warning("Scan the location first"))
        _state.update { it.copy(shortFound = foundPacks, message = Message.warning("Short: scan the goods to confirm $foundPacks found")) }
    }

    private suspend fun confirm(pick: PickInstruction, locationScan: String, goods: Goods, packs: Long, short: Boolean) {
        val taskId = _state.value.taskId ?: return
        session.into(_state, { device ->
            val request = PickRequest(session.opId(), session.operator, taskId, pick.allocationId, locationScan, goods, packs, null, short)
            device.confirmPick(request) to device.nextPick(taskId)
        }) { ui, (done, next) ->
            val text = buildString {
                append("Picked ${done.picked} ${done.sku}")
                if (done.short > 0) append(", ${done.short} short — ${done.countTaskId?.let { "count $it raised" } ?: "reported"}")
                append(if (next == null) ". Task complete: take it to ${done.staging}" else ". Next: ${next.location}")
            }
            ui.copy(pick = next, locationScan = null, shortFound = null, message = Message.ok(text))
        }
    }
}
