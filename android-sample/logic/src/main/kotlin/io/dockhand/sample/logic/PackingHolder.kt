package io.dockhand.sample.logic

import io.dockhand.ffi.DockhandException
import io.dockhand.ffi.Goods
import io.dockhand.ffi.HandlingUnit
import io.dockhand.ffi.MovedLine
import io.dockhand.ffi.PackRequest
import io.dockhand.ffi.PackingDone
import io.dockhand.ffi.ScanResult
import io.dockhand.ffi.UnitKind
import io.dockhand.ffi.UnitStatus
import java.io.IOException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/** What the next scan does with the unit in hand. */
enum class PackMode {
    /** Goods scanned go in; a carton scanned with a pallet in hand goes onto it. */
    PACK,

    /** Goods scanned come out, loose at staging. */
    TAKE_OUT,

    /** The next carton or pallet scanned takes everything the unit in hand holds. */
    CONSOLIDATE,
}

data class PackingUi(
    /** The staging location the operator packs at. */
    val staging: String? = null,
    /** The order in hand: a scanned tote's or unit's, or typed for loose goods. */
    val order: String? = null,
    /** The tote goods are taken out of; none: loose goods at staging. */
    val tote: String? = null,
    /** The carton or pallet in hand. */
    val unit: HandlingUnit? = null,
    val mode: PackMode = PackMode.PACK,
    /** Packs of the next goods scanned. */
    val packs: Long = 1,
    val message: Message? = null,
) : Shows<PackingUi> {
    /** What the operator does next, in a few words. */
    val prompt: String
        get() {
            val unit = unit ?: return when (staging) {
                null -> "Scan the staging location's label, a tote, or a carton or pallet"
                else -> "At $staging: scan a tote, a carton or pallet, or build one" + (order?.let { " for $it" } ?: "")
            }
            val held = unit.shown().cap() + unit.forOrder()
            return when (mode) {
                PackMode.TAKE_OUT -> "Scan the goods to take out of ${unit.shown()}"
                PackMode.CONSOLIDATE -> "Scan the ${unit.kind.word()} to empty ${unit.shown()} into"
                PackMode.PACK -> when {
                    unit.status != UnitStatus.OPEN -> "$held is ${unit.status.word()} at ${unit.location}"
                    unit.kind == UnitKind.PALLET -> "$held: scan cartons to put on it, or goods to pack onto it"
                    else -> "$held: scan goods ${tote?.let { "from tote $it" } ?: "loose at ${unit.location}"}"
                }
            }
        }

    override fun showing(message: Message) = copy(message = message)

    /** The prompt as the message: nothing happened yet, here is what to do. */
    fun prompting() = copy(message = Message.ok(prompt))
}

/**
 * The packing table at staging: build cartons and pallets (their SSCCs minted on the handheld),
 * pack goods from a tote or loose, put cartons onto pallets, take goods out, break up or
 * consolidate, and print a unit's label. Which order goods and units belong to, what may go
 * where, and what the label says are the core's; the screen gathers scans and shows its sentences.
 */
class PackingHolder(
    private val session: Session,
    /** The site's address lines, top of every label. */
    private val shipFrom: List<String> = emptyList(),
    /** The customer's address lines for an order (from the ERP); none for a pallet of several orders. */
    private val shipTo: (orderRef: String) -> List<String> = { emptyList() },
) {
    private val _state = MutableStateFlow(PackingUi())
    val state: StateFlow<PackingUi> = _state.asStateFlow()

    /** The order of loose goods (no tote to tell it). */
    fun setOrder(orderRef: String) = _state.update { it.copy(order = orderRef.trim().ifEmpty { null }) }

    /** How many packs of the next goods scanned. */
    fun setPacks(packs: Long) = _state.update { it.copy(packs = packs.coerceAtLeast(1)) }

    /** The next goods scanned come out of the unit in hand. */
    fun takeOut() = inMode(PackMode.TAKE_OUT)

    /** The next carton or pallet scanned takes everything in the unit in hand. */
    fun consolidate() = inMode(PackMode.CONSOLIDATE)

    /** Back to packing (a take-out or consolidation not wanted after all). */
    fun cancel() = _state.update { it.copy(mode = PackMode.PACK).prompting() }

    /** Done with the unit in hand: the next scan picks up another. */
    fun putDown() = _state.update { it.copy(unit = null, mode = PackMode.PACK, message = Message.ok("Scan the next tote, carton or pallet")) }

    private fun inMode(mode: PackMode) {
        if (_state.value.unit == null) return _state.show(Message.warning("Scan the carton or pallet first"))
        _state.update { it.copy(mode = mode).prompting() }
    }

    suspend fun onScan(raw: String) {
        when (val scanned = identify(raw) ?: return) {
            is Scanned.Place -> _state.update { PackingUi(staging = scanned.code, order = it.order).prompting() }
            is Scanned.Unit -> onUnit(scanned.unit)
            is Scanned.Goods -> onGoods(raw, scanned.sku)
        }
    }

    /** Builds a carton or pallet at the staging location; a pallet with no order is for several. */
    suspend fun build(kind: UnitKind, orderRef: String? = _state.value.order) {
        val staging = _state.value.staging ?: _state.value.unit?.location
            ?: return _state.show(Message.warning("Scan the staging location's label first"))
        session.into(_state, { it.buildUnit(session.opId(), session.operator, kind, orderRef, staging) }) { ui, done ->
            ui.copy(
                staging = staging, unit = done.unit, mode = PackMode.PACK,
                order = done.unit.orderRef.ifEmpty { ui.order },
                message = Message.ok("${done.unit.shown().cap()} built${done.unit.forOrder()}: print its label"),
            )
        }
    }

    /** With no goods scanned: everything out of the unit in hand, loose at staging, and a pallet's cartons off it. */
    suspend fun breakUp() {
        val unit = _state.value.unit ?: return _state.show(Message.warning("Scan the carton or pallet to break up"))
        session.into(_state, { it.unpackUnit(session.opId(), session.operator, unit.lpn, null, 0L) }) { ui, done ->
            val what = listOfNotNull(
                done.lines.takeIf { it.isNotEmpty() }?.let { "${it.shown()} loose at ${done.unit.location}" },
                done.cartons.takeIf { it.isNotEmpty() }?.let { "cartons ${it.joinToString()} off it" },
            )
            ui.copy(unit = null, mode = PackMode.PACK, message = Message.ok("${unit.shown().cap()} broken up: ${what.joinToString("; ")}"))
        }
    }

    /** Prints the label of the unit in hand: the core writes the ZPL, [printer] carries it. */
    suspend fun printLabel(printer: LabelPrinter) {
        val unit = _state.value.unit ?: return _state.show(Message.warning("Scan the carton or pallet whose label to print"))
        val printed = session.run { device ->
            val label = device.unitLabel(unit.lpn, shipFrom, unit.orderRef.takeIf { it.isNotEmpty() }?.let(shipTo) ?: emptyList())
            try {
                printer.send(label.zpl.toByteArray(Charsets.UTF_8))
                null
            } catch (e: IOException) {
                e
            }
        }
        when (printed) {
            is Outcome.Refused -> _state.show(printed.message)
            is Outcome.Done -> _state.show(
                printed.value?.let {
                    Message.error(
                        "Printer ${printer.name} did not take the label of ${unit.shown()} (${it.message ?: it.javaClass.simpleName}): " +
                            "nothing was printed. Check it is on and in reach, then print again",
                    )
                } ?: Message.ok("Label of ${unit.shown()} sent to printer ${printer.name}"),
            )
        }
    }

    private suspend fun onUnit(scanned: HandlingUnit) {
        val ui = _state.value
        val inHand = ui.unit
        when {
            scanned.kind == UnitKind.TOTE -> _state.update {
                it.copy(
                    tote = scanned.lpn, order = scanned.orderRef.ifEmpty { it.order }, staging = scanned.location,
                    message = Message.ok(
                        "Tote ${scanned.lpn}${scanned.forOrder()}: " +
                            (inHand?.let { u -> "scan its goods to pack into ${u.shown()}" } ?: "build a carton or scan one"),
                    ),
                )
            }
            inHand != null && ui.mode == PackMode.CONSOLIDATE -> session.into(_state, {
                it.consolidateUnits(session.opId(), session.operator, inHand.lpn, scanned.lpn)
            }) { now, done ->
                now.copy(unit = done.unit, mode = PackMode.PACK, message = Message.ok("${inHand.shown().cap()} emptied into ${done.unit.shown()}: ${done.contents()}"))
            }
            inHand != null && inHand.kind == UnitKind.PALLET && scanned.kind == UnitKind.CARTON && ui.mode == PackMode.PACK ->
                session.into(_state, { it.nestUnit(session.opId(), session.operator, scanned.lpn, inHand.lpn) }) { now, done ->
                    now.copy(unit = done.unit, message = Message.ok("${scanned.shown().cap()} is on ${done.unit.shown()}: scan the next carton"))
                }
            else -> _state.update {
                it.copy(unit = scanned, mode = PackMode.PACK, staging = scanned.location, order = scanned.orderRef.ifEmpty { it.order })
                    .prompting()
            }
        }
    }

    private suspend fun onGoods(raw: String, sku: String) {
        val ui = _state.value
        val unit = ui.unit ?: return _state.show(Message.error("That is $sku: scan the carton or pallet to pack it into, or build one"))
        val goods = Goods(raw, null, null, null)
        when (ui.mode) {
            PackMode.CONSOLIDATE -> _state.show(Message.error("That is $sku: scan the ${unit.kind.word()} to empty ${unit.shown()} into"))
            PackMode.TAKE_OUT -> session.into(_state, { it.unpackUnit(session.opId(), session.operator, unit.lpn, goods, ui.packs) }) { now, done ->
                now.copy(packs = 1, mode = PackMode.PACK, message = Message.ok("Took ${done.lines.shown()} out of ${unit.shown()}: loose at ${unit.location}"))
            }
            PackMode.PACK -> session.into(_state, {
                it.packGoods(PackRequest(session.opId(), session.operator, unit.lpn, ui.tote, goods, ui.packs))
            }) { now, done ->
                val from = ui.tote?.let { "from tote $it" } ?: "loose"
                now.copy(packs = 1, message = Message.ok("Packed ${done.lines.shown()} $from into ${unit.shown()}"))
            }
        }
    }

    /**
     * What a scan at the packing table is: goods, a location, or a unit by its label (an SSCC, or
     * a tote's own label, which is no barcode the catalog reads). None after showing why not.
     */
    private suspend fun identify(raw: String): Scanned? {
        val refusedAsScan = when (val r = session.run { it.resolveScan(raw) }) {
            is Outcome.Done -> when (val scan = r.value) {
                is ScanResult.Goods -> return Scanned.Goods(scan.sku)
                is ScanResult.Location -> return Scanned.Place(scan.code)
                is ScanResult.Pallet -> null
            }
            is Outcome.Refused -> r
        }
        return when (val u = session.run { it.handlingUnit(raw) }) {
            is Outcome.Done -> Scanned.Unit(u.value)
            is Outcome.Refused -> {
                // Unreadable as a barcode, the scan was meant as a unit's label: say so.
                val unreadable = (refusedAsScan?.error as? DockhandException.Validation)?.code == "unreadable_scan"
                _state.show(if (refusedAsScan == null || unreadable) u.message else refusedAsScan.message)
                null
            }
        }
    }

    private sealed interface Scanned {
        data class Goods(val sku: String) : Scanned
        data class Place(val code: String) : Scanned
        data class Unit(val unit: HandlingUnit) : Scanned
    }
}

/** "carton 340123450000000017", "pallet …", "tote TOTE-7". */
fun HandlingUnit.shown(): String = "${kind.word()} $lpn"

/** " for SO-701", " for several orders" (a pallet with none), or nothing (a tote not yet used). */
fun HandlingUnit.forOrder(): String = when {
    orderRef.isNotEmpty() -> " for $orderRef"
    kind == UnitKind.PALLET -> " for several orders"
    else -> ""
}

fun UnitKind.word(): String = name.lowercase()

fun UnitStatus.word(): String = name.lowercase()

/** "12 TOWEL-2P, 6 COFFEE-500". */
fun List<MovedLine>.shown(): String = joinToString { "${it.baseQuantity} ${it.sku}" }

private fun PackingDone.contents(): String =
    listOfNotNull(lines.takeIf { it.isNotEmpty() }?.shown(), cartons.takeIf { it.isNotEmpty() }?.let { "cartons ${it.joinToString()}" })
        .joinToString("; ").ifEmpty { "nothing" }

private fun String.cap(): String = replaceFirstChar { it.uppercase() }
