package io.dockhand.sample.logic

import io.dockhand.ffi.Goods
import io.dockhand.ffi.MoveRequest
import io.dockhand.ffi.ReplenishInstruction
import io.dockhand.ffi.ReplenishmentTask
import io.dockhand.ffi.ScanResult
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/** Where the replenishment screen is: a task chosen, then one trip from reserve to its face. */
sealed interface ReplenishStep {
    /** Choose an open task from the list. */
    data object ChooseTask : ReplenishStep

    /** Go to the reserve location [next] names and scan its label. */
    data class ScanReserve(val next: ReplenishInstruction) : ReplenishStep

    /** At [from]: scan the goods (their pallet's label first, when they are on one). */
    data class ScanGoods(
        val next: ReplenishInstruction,
        val from: String,
        val fromScan: String,
        val pallet: String? = null,
    ) : ReplenishStep

    /** Take [goods] to the pick face and scan its label. */
    data class ScanFace(
        val next: ReplenishInstruction,
        val from: String,
        val fromScan: String,
        val pallet: String?,
        val goods: Goods,
        val sku: String,
    ) : ReplenishStep

    /** The face has what its task asked; another task can be chosen. */
    data class Done(val task: ReplenishmentTask) : ReplenishStep
}

data class ReplenishUi(
    /** Open tasks, oldest first, as last listed. */
    val tasks: List<ReplenishmentTask> = emptyList(),
    /** The task being worked, as it stood after the last trip. */
    val task: ReplenishmentTask? = null,
    val step: ReplenishStep = ReplenishStep.ChooseTask,
    /** Packs of the scanned goods to bring (typed before scanning the face). */
    val packs: Long = 1,
    val message: Message? = null,
) : Shows<ReplenishUi> {
    /** Base units the task still asks for. */
    val remaining: Long? get() = task?.let { it.quantity - it.moved }

    override fun showing(message: Message) = copy(message = message)
}

/**
 * Brings pick faces back up from reserve, driven by scans: the task list, then trips of a reserve
 * label, goods and the face's label, each a move carrying the task's id. Where to take from
 * (first expiring lot first), which reserve may be used and what counts as the task's goods and
 * face are the core's; the screen only gathers the scans and shows the refusals' sentences.
 */
class ReplenishHolder(private val session: Session) {
    private val _state = MutableStateFlow(ReplenishUi())
    val state: StateFlow<ReplenishUi> = _state.asStateFlow()

    /** Lists the open tasks; the last message stays (a task just done), unless it said there were none. */
    suspend fun loadTasks() = session.into(_state, { it.openReplenishments() }) { ui, tasks ->
        val message = when {
            tasks.isEmpty() -> ui.message ?: NOTHING_OPEN
            ui.message == NOTHING_OPEN -> null
            else -> ui.message
        }
        ui.copy(tasks = tasks, message = message)
    }

    /** Works [taskId]: the first trip to make, or why there is none (an empty reserve). */
    suspend fun open(taskId: String) = session.into(_state, { device ->
        device.replenishmentTask(taskId) to device.nextReplenishment(taskId)
    }) { ui, (task, next) ->
        ui.copy(task = task, step = ReplenishStep.ScanReserve(next), packs = 1, message = Message.ok(goTo(next)))
    }

    /** How many packs of the scanned goods to bring. */
    fun setPacks(packs: Long) = _state.update { it.copy(packs = packs.coerceAtLeast(1)) }

    /** Back to the reserve's label for the same trip (the goods were elsewhere). */
    fun restart() = _state.update { ui ->
        when (val step = ui.step) {
            is ReplenishStep.ScanGoods -> ui.copy(step = ReplenishStep.ScanReserve(step.next), packs = 1, message = Message.ok(goTo(step.next)))
            is ReplenishStep.ScanFace -> ui.copy(step = ReplenishStep.ScanReserve(step.next), packs = 1, message = Message.ok(goTo(step.next)))
            else -> ui
        }
    }

    /** Back to the task list, the task left open for later. */
    suspend fun close() {
        _state.update { it.copy(task = null, step = ReplenishStep.ChooseTask, packs = 1, message = null) }
        loadTasks()
    }

    suspend fun onScan(raw: String) {
        val ui = _state.value
        if (ui.step is ReplenishStep.ChooseTask || ui.step is ReplenishStep.Done) {
            return _state.show(Message.warning("Choose a task first"))
        }
        val scan = session.resolve(raw, _state) ?: return
        when (val step = ui.step) {
            is ReplenishStep.ScanReserve -> {
                if (scan !is ScanResult.Location) {
                    return _state.show(Message.error("That is ${scan.shown(raw)}: go to ${step.next.from} and scan its label"))
                }
                // Another reserve location is the operator's choice: the core judges it with the move.
                _state.update {
                    it.copy(
                        step = ReplenishStep.ScanGoods(step.next, scan.code, raw),
                        message = Message.ok("At ${scan.code}: scan the ${step.next.sku}${onPallet(step.next)}"),
                    )
                }
            }
            is ReplenishStep.ScanGoods -> when (scan) {
                is ScanResult.Pallet -> _state.update {
                    it.copy(step = step.copy(pallet = scan.sscc), message = Message.ok("Pallet ${scan.sscc}: scan the goods to take off it"))
                }
                // A GS1 label naming the pallet too (AI 00 beside 01) takes the goods off it.
                is ScanResult.Goods -> _state.update {
                    it.copy(
                        step = ReplenishStep.ScanFace(
                            step.next, step.from, step.fromScan, step.pallet ?: scan.sscc, Goods(raw, null, null, null), scan.sku,
                        ),
                        packs = (step.next.quantity / scan.basePerScan).coerceAtLeast(1),
                        message = Message.ok("Take ${scan.sku} to ${step.next.face} and scan its label"),
                    )
                }
                is ScanResult.Location -> _state.show(Message.error("Scan the ${step.next.sku} at ${step.from}"))
            }
            is ReplenishStep.ScanFace -> {
                if (scan !is ScanResult.Location) {
                    return _state.show(Message.error("That is ${scan.shown(raw)}: scan the label of ${step.next.face}"))
                }
                confirm(step, scan.code, raw)
            }
            is ReplenishStep.ChooseTask, is ReplenishStep.Done -> Unit
        }
    }

    /** The trip as a move working the task; then the next trip, or the task done. */
    private suspend fun confirm(step: ReplenishStep.ScanFace, to: String, toScan: String) {
        val packs = _state.value.packs
        val request = MoveRequest(
            session.opId(), session.operator, step.from, step.fromScan, step.goods, step.pallet, packs, to, toScan, null,
            step.next.taskId,
        )
        val moved = when (val r = session.run { it.confirmMove(request) }) {
            is Outcome.Done -> r.value
            is Outcome.Refused -> return _state.show(r.message)
        }
        val brought = "Brought ${moved.baseQuantity} ${step.sku} from ${moved.from} to ${moved.to}"
        val task = moved.task ?: return _state.update { ReplenishUi(message = Message.ok(brought)) }
        if (task.status == "done") {
            _state.update { ReplenishUi(task = task, step = ReplenishStep.Done(task), message = Message.ok("$brought: task ${task.id} done")) }
            return loadTasks()
        }
        val progress = "$brought (${task.moved} of ${task.quantity})"
        // The move stands even when no next trip can be shown (the reserve ran out meanwhile).
        when (val next = session.run { it.nextReplenishment(task.id) }) {
            is Outcome.Done -> _state.update {
                it.copy(task = task, step = ReplenishStep.ScanReserve(next.value), packs = 1, message = Message.ok("$progress. ${goTo(next.value)}"))
            }
            is Outcome.Refused -> _state.update {
                it.copy(task = task, step = ReplenishStep.ChooseTask, packs = 1, message = next.message.copy(text = "$progress. ${next.message.text}"))
            }
        }
    }

    private fun goTo(next: ReplenishInstruction): String {
        val lot = if (next.lot.isEmpty()) "" else " lot ${next.lot}"
        return "Go to ${next.from} for ${next.quantity} ${next.sku}$lot and scan its label"
    }

    private fun onPallet(next: ReplenishInstruction) =
        if (next.lpn.isEmpty()) "" else " (on pallet ${next.lpn}: its label first)"

    private companion object {
        val NOTHING_OPEN = Message.ok("No pick face needs replenishing")
    }
}
