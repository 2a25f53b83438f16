package io.dockhand.sample.logic

import io.dockhand.ffi.Goods
import io.dockhand.ffi.MoveConfirmed
import io.dockhand.ffi.MoveRequest
import io.dockhand.ffi.ScanResult
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/** Where the move screen is: source label, then what moves, then the destination label. */
sealed interface MoveStep {
    /** Scan the label of the location the goods are taken from. */
    data object ScanSource : MoveStep

    /**
     * At [source]: scan goods (loose), or a pallet label. After a pallet, scanning goods takes
     * them off it; scanning the destination moves the pallet whole.
     */
    data class ScanWhat(val source: String, val sourceScan: String, val pallet: String? = null) : MoveStep

    /** Take [goods] (or the whole [pallet] when there are none) to the destination and scan it. */
    data class ScanDestination(
        val source: String,
        val sourceScan: String,
        val pallet: String?,
        val goods: Goods?,
        val what: String,
    ) : MoveStep

    /** Moved; the next location label starts another move. */
    data class Done(val confirmed: MoveConfirmed) : MoveStep
}

data class MoveUi(
    val step: MoveStep = MoveStep.ScanSource,
    /** Packs of the scanned goods to move (typed before scanning the destination). */
    val packs: Long = 1,
    val message: Message? = null,
) : Shows<MoveUi> {
    override fun showing(message: Message) = copy(message = message)
}

/**
 * Moves stock inside the warehouse, driven by scans. Every rule (what may go where, full
 * locations, the plate not being here) is the core's; the screen only gathers the three scans.
 */
class MoveHolder(private val session: Session) {
    private val _state = MutableStateFlow(MoveUi())
    val state: StateFlow<MoveUi> = _state.asStateFlow()

    /** How many packs of the scanned goods move. */
    fun setPacks(packs: Long) = _state.update { it.copy(packs = packs.coerceAtLeast(1)) }

    /** Back to the first scan (the operator changed their mind). */
    fun restart() = _state.update { MoveUi(message = Message.ok("Scan the location to take goods from")) }

    suspend fun onScan(raw: String) {
        val scan = session.resolve(raw, _state) ?: return
        when (val step = _state.value.step) {
            is MoveStep.ScanSource, is MoveStep.Done -> {
                if (scan !is ScanResult.Location) return _state.show(Message.error("Scan the label of the location to take goods from"))
                _state.update {
                    it.copy(
                        step = MoveStep.ScanWhat(scan.code, raw),
                        packs = 1,
                        message = Message.ok("At ${scan.code}: scan the goods, or a pallet to move it whole"),
                    )
                }
            }
            is MoveStep.ScanWhat -> when (scan) {
                is ScanResult.Pallet -> _state.update {
                    it.copy(
                        step = step.copy(pallet = scan.sscc),
                        message = Message.ok("Pallet ${scan.sscc}: scan goods to take some off, or the destination to move it whole"),
                    )
                }
                // A GS1 label naming the pallet too (AI 00 beside 01) takes the goods off it.
                is ScanResult.Goods -> _state.update {
                    it.copy(
                        step = MoveStep.ScanDestination(
                            step.source, step.sourceScan, step.pallet ?: scan.sscc,
                            Goods(raw, null, null, null), scan.sku,
                        ),
                        message = Message.ok("${scan.sku}: scan the destination"),
                    )
                }
                is ScanResult.Location -> {
                    val pallet = step.pallet
                        ?: return _state.show(Message.error("Scan the goods (or a pallet) at ${step.source} first"))
                    confirm(MoveStep.ScanDestination(step.source, step.sourceScan, pallet, null, "pallet $pallet"), scan.code, raw)
                }
            }
            is MoveStep.ScanDestination -> {
                if (scan !is ScanResult.Location) return _state.show(Message.error("Scan the label of the destination for ${step.what}"))
                confirm(step, scan.code, raw)
            }
        }
    }

    private suspend fun confirm(step: MoveStep.ScanDestination, to: String, toScan: String) {
        val packs = _state.value.packs
        session.into(_state, { device ->
            device.confirmMove(
                MoveRequest(
                    session.opId(), session.operator, step.source, step.sourceScan, step.goods, step.pallet,
                    if (step.goods == null) 0L else packs, to, toScan, null,
                ),
            )
        }) { ui, done ->
            ui.copy(
                step = MoveStep.Done(done),
                packs = 1,
                message = Message.ok("Moved ${done.baseQuantity} (${step.what}) from ${done.from} to ${done.to}"),
            )
        }
    }
}
