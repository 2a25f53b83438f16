package io.dockhand.sample.logic

import io.dockhand.ffi.ScanResult
import io.dockhand.ffi.CountOutcome
import io.dockhand.ffi.CountTask
import io.dockhand.ffi.CountTaskStatus
import io.dockhand.ffi.CountedGoods
import io.dockhand.ffi.Goods
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

data class CountingUi(
    val tasks: List<CountTask> = emptyList(),
    val taskId: String? = null,
    /** Locations to count (never the quantities expected: the count is blind). */
    val locations: List<String> = emptyList(),
    val location: String? = null,
    val lines: List<CountedGoods> = emptyList(),
    val message: Message? = null,
) : Shows<CountingUi> {
    override fun showing(message: Message) = copy(message = message)
}

/** The counting screen: scan a location, then each pack found there; submit. */
class CountingHolder(private val session: Session) {
    private val _state = MutableStateFlow(CountingUi())
    val state: StateFlow<CountingUi> = _state.asStateFlow()

    suspend fun loadTasks() = session.into(_state, { it.openCountTasks() }) { ui, tasks -> ui.copy(tasks = tasks) }

    suspend fun open(taskId: String) = session.into(_state, { device ->
        // A recount is counted again on the same sheet; anything else starts here.
        if (device.countTask(taskId).status == CountTaskStatus.RECOUNT) device.countSheet(taskId)
        else device.startCount(session.opId(), session.operator, taskId)
    }) { ui, sheet ->
        CountingUi(tasks = ui.tasks, taskId = taskId, locations = sheet.locations, message = Message.ok("Count ${sheet.locations.joinToString()}"))
    }

    suspend fun onScan(raw: String) {
        val ui = _state.value
        if (ui.taskId == null) return _state.show(Message.warning("Choose a count task first"))
        val scan = session.resolve(raw, _state) ?: return
        when {
            scan is ScanResult.Location && scan.code in ui.locations ->
                _state.update { it.copy(location = scan.code, message = Message.ok("Counting ${scan.code}")) }
            scan is ScanResult.Location ->
                _state.show(Message.error("${scan.code} is not on this count: count ${ui.locations.joinToString()}"))
            ui.location == null -> _state.show(Message.error("Scan the location label first"))
            scan !is ScanResult.Goods -> _state.show(Message.error("Scan the goods on ${ui.location}"))
            else -> _state.update {
                val line = CountedGoods(ui.location, Goods(raw, null, null, null), 1L, null)
                val same = it.lines.count { l -> l.goods.barcode == raw } + 1
                it.copy(lines = it.lines + line, message = Message.ok("${scan.sku}: $same counted"))
            }
        }
    }

    /** Sets the packs counted for the last scanned goods (typed instead of scanning each pack). */
    fun setLastQuantity(packs: Long) {
        if (packs < 0) return
        _state.update { ui -> ui.lines.lastOrNull()?.let { ui.copy(lines = ui.lines.dropLast(1) + it.copy(quantity = packs)) } ?: ui }
    }

    suspend fun submit() {
        val ui = _state.value
        val taskId = ui.taskId ?: return
        // Scans of the same goods at the same location add up into one line.
        val lines = ui.lines.groupBy { it.location to it.goods.barcode }.values
            .map { same -> same.first().copy(quantity = same.sumOf { it.quantity }) }
        session.into(_state, { it.submitCount(session.opId(), session.operator, taskId, lines) }) { now, submitted ->
            now.copy(
                lines = emptyList(),
                location = null,
                message = when (submitted.outcome) {
                    CountOutcome.NO_VARIANCE -> Message.ok("Count matches. Thank you")
                    CountOutcome.ADJUSTED -> Message.ok("Counted; small differences adjusted")
                    CountOutcome.RECOUNT_REQUIRED -> Message.warning("Different from the books: another person will recount")
                    CountOutcome.APPROVAL_REQUIRED -> Message.warning("Confirmed difference: a supervisor must approve it")
                },
            )
        }
    }
}
