package io.dockhand.sample.logic

import io.dockhand.ffi.ScanResult
import io.dockhand.ffi.Approval
import io.dockhand.ffi.DockhandException
import io.dockhand.ffi.Goods
import io.dockhand.ffi.LocationKind
import io.dockhand.ffi.ReceiptLine
import io.dockhand.ffi.ReceiveRequest
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/** The receiving screen: a receipt at a dock, scans of goods, a quantity of packs. */
data class ReceivingUi(
    val receiptId: String,
    val dock: String,
    val lines: List<ReceiptLine> = emptyList(),
    val packs: Long = 1,
    val message: Message? = null,
    /** A receive that needs a supervisor (over-receipt, short-dated lot), kept to retry as is. */
    val awaitingApproval: ReceiveRequest? = null,
) : Shows<ReceivingUi> {
    override fun showing(message: Message) = copy(message = message)
}

class ReceivingHolder(private val session: Session, receiptId: String, dock: String) {
    private val _state = MutableStateFlow(ReceivingUi(receiptId, dock))
    val state: StateFlow<ReceivingUi> = _state.asStateFlow()

    suspend fun load() = session.into(_state, { it.receipt(_state.value.receiptId) }) { ui, r -> ui.copy(lines = r.lines) }

    fun setPacks(packs: Long) {
        if (packs >= 1) _state.update { it.copy(packs = packs) }
    }

    /** A scan: goods are received; a dock location switches the dock; anything else is explained. */
    suspend fun onScan(raw: String) {
        val scan = session.resolve(raw, _state) ?: return
        when (scan) {
            is ScanResult.Location -> {
                val code = scan.code
                session.into(_state, { it.location(code).kind }) { ui, kind ->
                    if (kind == LocationKind.DOCK) ui.copy(dock = code, message = Message.ok("Receiving at $code"))
                    else ui.showing(Message.error("$code is not a dock: scan the goods, or a dock to receive at"))
                }
            }
            is ScanResult.Pallet -> _state.show(Message.warning("Pallet ${scan.sscc}: scan the goods label on it"))
            is ScanResult.Goods -> {
                val ui = _state.value
                val goods = Goods(raw, null, null, null)
                receive(ReceiveRequest(session.opId(), session.operator, ui.receiptId, ui.dock, goods, ui.packs, null, null))
            }
        }
    }

    /**
     * A supervisor approves the receive that was waiting with their badge and PIN (same operation
     * id: recorded once). A wrong PIN leaves it waiting.
     */
    suspend fun approve(badge: String, pin: String) {
        val pending = _state.value.awaitingApproval ?: return
        receive(pending.copy(approval = Approval(badge, pin)))
    }

    private suspend fun receive(request: ReceiveRequest) {
        when (val r = session.run { it.receive(request) to it.receipt(request.receiptId).lines }) {
            is Outcome.Done -> {
                val (got, lines) = r.value
                val held = got.quarantineReason?.let { " — held: $it" }.orEmpty()
                val text = "Received ${got.baseQuantity} ${got.sku} (line ${got.lineNo}: ${got.lineReceived} of ${got.lineExpected})$held"
                _state.update { it.copy(lines = lines, packs = 1, awaitingApproval = null, message = Message.ok(text)) }
            }
            is Outcome.Refused -> _state.update {
                // Still waiting after a refused approval (wrong PIN, not a supervisor); the PIN is not kept.
                val waiting = r.error is DockhandException.NeedsSupervisor || request.approval != null
                it.copy(message = r.message, awaitingApproval = request.copy(approval = null).takeIf { waiting })
            }
        }
    }
}
