package io.dockhand.sample.logic

import io.dockhand.ffi.Approval
import io.dockhand.ffi.Goods
import io.dockhand.ffi.InspectionOutcome
import io.dockhand.ffi.ReleaseRequest
import io.dockhand.ffi.ScanResult
import io.dockhand.ffi.StockReleased
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/** The decision on held goods, as gathered so far. */
data class Decision(
    val location: String,
    val locationScan: String,
    val goods: Goods,
    val sku: String,
    /** The pallet the held goods are on, when they are on one. */
    val pallet: String? = null,
    val outcome: InspectionOutcome? = null,
    val packs: Long = 1,
    val reasonCode: String = "",
    val to: String? = null,
    val toScan: String? = null,
)

/** Where the release screen is. */
sealed interface ReleaseStep {
    /** Scan the label of the quarantine (or damaged) location. */
    data object ScanLocation : ReleaseStep

    /** Scan the held goods there (their pallet's label first, when they are on one). */
    data class ScanGoods(val location: String, val locationScan: String, val pallet: String? = null) : ReleaseStep

    /** Choose the outcome, packs and reason. */
    data class Decide(val decision: Decision) : ReleaseStep

    /** Take the goods to their new place and scan its label. */
    data class ScanDestination(val decision: Decision) : ReleaseStep

    /** A supervisor approves with badge and PIN. */
    data class Approve(val decision: Decision) : ReleaseStep

    /** Done; the next location label starts again. */
    data class Done(val released: StockReleased) : ReleaseStep
}

data class ReleaseUi(val step: ReleaseStep = ReleaseStep.ScanLocation, val message: Message? = null) : Shows<ReleaseUi> {
    override fun showing(message: Message) = copy(message = message)
}

/**
 * A supervisor's decision on quarantined or damaged goods. The screen gathers scans, the choice
 * and the badge and PIN; the core decides whether it stands (a supervisor, a reason, a fitting
 * destination, a lot not expired).
 */
class ReleaseHolder(private val session: Session) {
    private val _state = MutableStateFlow(ReleaseUi())
    val state: StateFlow<ReleaseUi> = _state.asStateFlow()

    suspend fun onScan(raw: String) {
        val scan = session.resolve(raw, _state) ?: return
        when (val step = _state.value.step) {
            is ReleaseStep.ScanLocation, is ReleaseStep.Done -> {
                if (scan !is ScanResult.Location) return _state.show(Message.error("Scan the label of the location holding the goods"))
                _state.update { ReleaseUi(ReleaseStep.ScanGoods(scan.code, raw), Message.ok("At ${scan.code}: scan the held goods")) }
            }
            is ReleaseStep.ScanGoods -> when (scan) {
                is ScanResult.Pallet -> _state.update {
                    it.copy(step = step.copy(pallet = scan.sscc), message = Message.ok("Pallet ${scan.sscc}: scan the held goods on it"))
                }
                is ScanResult.Goods -> {
                    val decision = Decision(
                        step.location, step.locationScan, Goods(raw, null, null, null), scan.sku, step.pallet ?: scan.sscc,
                    )
                    _state.update { ReleaseUi(ReleaseStep.Decide(decision), Message.ok("${scan.sku}: choose what happens to it")) }
                }
                is ScanResult.Location -> _state.show(Message.error("Scan the held goods at ${step.location}"))
            }
            is ReleaseStep.ScanDestination -> {
                if (scan !is ScanResult.Location) return _state.show(Message.error("Scan the label of the destination"))
                val decision = step.decision.copy(to = scan.code, toScan = raw)
                _state.update { ReleaseUi(ReleaseStep.Approve(decision), Message.ok("A supervisor approves: badge and PIN")) }
            }
            // A refused destination (full, wrong kind) is replaced by scanning another.
            is ReleaseStep.Approve -> {
                if (scan !is ScanResult.Location || step.decision.to == null) {
                    return _state.show(Message.warning("Approve, or start again"))
                }
                val decision = step.decision.copy(to = scan.code, toScan = raw)
                _state.update { ReleaseUi(ReleaseStep.Approve(decision), Message.ok("Destination ${scan.code}: a supervisor approves")) }
            }
            is ReleaseStep.Decide -> _state.show(Message.warning("Choose the decision first"))
        }
    }

    /** Back to the first scan (the decision was wrong, or its goods are elsewhere). */
    fun restart() = _state.update { ReleaseUi(message = Message.ok("Scan the location holding the goods")) }

    /** The decision: what happens, how many packs, why. */
    fun decide(outcome: InspectionOutcome, packs: Long, reasonCode: String) {
        val step = _state.value.step as? ReleaseStep.Decide ?: return
        val decision = step.decision.copy(outcome = outcome, packs = packs, reasonCode = reasonCode.trim())
        val leaves = outcome == InspectionOutcome.SCRAP || outcome == InspectionOutcome.RETURN_TO_VENDOR
        _state.update {
            if (leaves) {
                ReleaseUi(ReleaseStep.Approve(decision), Message.ok("A supervisor approves: badge and PIN"))
            } else {
                ReleaseUi(ReleaseStep.ScanDestination(decision), Message.ok("Take the goods to their place and scan its label"))
            }
        }
    }

    /** The supervisor's badge and PIN; the PIN is not kept after the call. */
    suspend fun approve(badge: String, pin: String) {
        val step = _state.value.step as? ReleaseStep.Approve ?: return
        val d = step.decision
        val outcome = d.outcome ?: return
        session.into(_state, { device ->
            device.releaseStock(
                ReleaseRequest(
                    session.opId(), session.operator, d.location, d.locationScan, d.goods, d.pallet, d.packs, outcome,
                    d.to, d.toScan, d.reasonCode, null, Approval(badge, pin),
                ),
            )
        }) { ui, done ->
            ui.copy(
                step = ReleaseStep.Done(done),
                message = Message.ok(
                    "${done.baseQuantity} ${done.sku}: ${done.to?.let { "to $it" } ?: "left inventory"} (approved by ${done.approvedBy})",
                ),
            )
        }
    }
}
