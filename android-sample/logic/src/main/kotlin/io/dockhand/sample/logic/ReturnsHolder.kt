package io.dockhand.sample.logic

import io.dockhand.ffi.ScanResult
import io.dockhand.ffi.Goods
import io.dockhand.ffi.InspectionOutcome
import io.dockhand.ffi.InspectionRequest
import io.dockhand.ffi.Return
import io.dockhand.ffi.ReturnRequest
import io.dockhand.ffi.ReturnedGoods
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

data class ReturnsUi(
    val returnId: String,
    val scanned: List<ReturnedGoods> = emptyList(),
    val received: Return? = null,
    val message: Message? = null,
) : Shows<ReturnsUi> {
    override fun showing(message: Message) = copy(message = message)
}

/** The returns desk: scan what came back, receive it, then inspect each line. */
class ReturnsHolder(private val session: Session, returnId: String, private val location: String) {
    private val _state = MutableStateFlow(ReturnsUi(returnId))
    val state: StateFlow<ReturnsUi> = _state.asStateFlow()

    suspend fun onScan(raw: String) {
        if (_state.value.received != null) return _state.show(Message.warning("Received already: inspect the lines"))
        val scan = session.resolve(raw, _state) ?: return
        if (scan !is ScanResult.Goods) return _state.show(Message.error("Scan the returned goods"))
        _state.update {
            val line = ReturnedGoods(it.scanned.size + 1L, Goods(raw, null, null, null), 1L)
            it.copy(scanned = it.scanned + line, message = Message.ok("Line ${line.lineNo}: ${scan.sku}"))
        }
    }

    suspend fun receive(reference: String, customer: String) {
        val ui = _state.value
        val request = ReturnRequest(session.opId(), session.operator, ui.returnId, reference, customer, location, ui.scanned)
        session.into(_state, { it.receiveReturn(request) }) { now, received ->
            now.copy(received = received, message = Message.ok("Return ${received.id} received: inspect ${received.lines.size} lines"))
        }
    }

    suspend fun inspect(lineNo: Long, outcome: InspectionOutcome, reasonCode: String) {
        val returnId = _state.value.returnId
        session.into(_state, { device ->
            val request = InspectionRequest(session.opId(), session.operator, returnId, lineNo, outcome, reasonCode, null)
            device.inspectReturn(request) to device.customerReturn(returnId)
        }) { ui, (done, after) ->
            val where = done.putaway?.let { " → put away in ${it.location}" }.orEmpty()
            ui.copy(received = after, message = Message.ok("Line $lineNo: ${done.outcome.name.lowercase().replace('_', ' ')}$where"))
        }
    }
}
