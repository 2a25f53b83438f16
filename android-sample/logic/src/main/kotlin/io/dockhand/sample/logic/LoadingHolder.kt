package io.dockhand.sample.logic

import io.dockhand.ffi.ScanResult
import io.dockhand.ffi.ShipmentDone
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

data class LoadingUi(
    /** The order being loaded. */
    val order: String? = null,
    /** The dock door, and what its label read (the proof of presence every load carries). */
    val door: String? = null,
    val doorScan: String? = null,
    /** Cartons and pallets loaded from this screen, in the order scanned (a pallet's cartons after it). */
    val loaded: List<String> = emptyList(),
    /** The order's shipment, once closed. */
    val shipped: ShipmentDone? = null,
    val message: Message? = null,
) : Shows<LoadingUi> {
    /** What the operator does next, in a few words. */
    val prompt: String
        get() = when {
            order == null -> "Choose the order to load"
            shipped != null -> "Order $order has shipped"
            door == null -> "Order $order: scan the dock door's label"
            else -> "Order $order at $door: scan each carton and pallet, then ship"
        }

    override fun showing(message: Message) = copy(message = message)

    /** The prompt as the message: nothing happened yet, here is what to do. */
    fun prompting() = copy(message = Message.ok(prompt))
}

/**
 * The dock door: choose the order, scan the door's label, then each carton and pallet as it goes
 * onto the truck; ship closes the order's shipment. Whether a unit belongs to the order, whether
 * everything is loaded, and what leaves inventory are the core's; the screen shows its sentences.
 */
class LoadingHolder(private val session: Session) {
    private val _state = MutableStateFlow(LoadingUi())
    val state: StateFlow<LoadingUi> = _state.asStateFlow()

    /** Starts loading [orderRef] (from the loading list, or typed). */
    fun open(orderRef: String) {
        val order = orderRef.trim().ifEmpty { return _state.show(Message.warning("Type or choose the order to load")) }
        _state.update { LoadingUi(order = order).prompting() }
    }

    suspend fun onScan(raw: String) {
        val ui = _state.value
        val order = ui.order ?: return _state.show(Message.warning("Choose the order to load first"))
        if (ui.shipped != null) return _state.show(Message.warning("Order $order has shipped: choose the next order"))
        // A unit's label that is no barcode the catalog reads (a tote's) still goes to the core.
        val scan = (session.run { it.resolveScan(raw) } as? Outcome.Done)?.value
        when {
            scan is ScanResult.Location -> _state.update { it.copy(door = scan.code, doorScan = raw).prompting() }
            ui.door == null -> _state.show(Message.error("Scan the dock door's label first"))
            scan is ScanResult.Goods -> _state.show(Message.error("That is ${scan.sku}: scan the label of its carton or pallet"))
            else -> load(order, ui.door, ui.doorScan ?: return, raw)
        }
    }

    /** Closes the order's shipment with what was loaded at the door. */
    suspend fun ship() {
        val ui = _state.value
        val order = ui.order ?: return _state.show(Message.warning("Choose the order to ship"))
        val door = ui.door ?: return _state.show(Message.warning("Scan the dock door's label first"))
        val doorScan = ui.doorScan ?: return
        session.into(_state, { it.shipOrder(session.opId(), session.operator, order, door, doorScan) }) { now, done ->
            val units = if (done.units.size == 1) "1 unit" else "${done.units.size} units"
            now.copy(shipped = done, message = Message.ok("Order ${done.orderRef} shipped from ${done.door}: $units, ${done.lines.shown()}"))
        }
    }

    private suspend fun load(order: String, door: String, doorScan: String, raw: String) =
        session.into(_state, { it.loadUnit(session.opId(), session.operator, order, door, doorScan, raw) }) { now, done ->
            val cartons = when (done.cartons.size) {
                0 -> ""
                1 -> " with 1 carton"
                else -> " with ${done.cartons.size} cartons"
            }
            now.copy(
                loaded = now.loaded + done.unit.lpn + done.cartons,
                message = Message.ok("Loaded ${done.unit.shown()}$cartons (${done.lines.shown()}) at ${done.unit.location}"),
            )
        }
}
