package io.dockhand.sample.logic

import io.dockhand.ffi.EventKind
import io.dockhand.ffi.NewPickLine
import io.dockhand.ffi.NewPickTask
import io.dockhand.ffi.UnitKind
import io.dockhand.ffi.UnitStatus
import io.dockhand.sample.logic.Fixture.Companion.DOOR
import io.dockhand.sample.logic.Fixture.Companion.STAGING
import io.dockhand.sample.logic.Fixture.Companion.TOWELS
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_EA
import io.dockhand.sample.logic.Fixture.Companion.label
import java.util.UUID
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** One order through four screens: picked, packed into a carton on a pallet, loaded at the door, shipped. */
class PackAndShipTest {
    @Test
    fun `an order goes from the shelf into a carton on a pallet, onto the truck and out of inventory`() = runBlocking {
        packingBench().use { f ->
            f.towelsIn("A-01-02")
            f.device.createPickTask(
                UUID.randomUUID().toString(), "alice",
                NewPickTask("PICK-9", "SO-9", STAGING, listOf(NewPickLine(1L, TOWELS, 12L, "EA", null))),
            )
            val session = f.session("bob")

            // Picked: 12 towels off the shelf, loose at staging.
            val picking = PickingHolder(session)
            picking.open("PICK-9")
            picking.onScan(label("A-01-02"))
            picking.onScan(TOWELS_EA)
            assertEquals("Picked 12 TOWEL-2P. Task complete: take it to STAGE-01", picking.state.value.message?.text)
            assertEquals(12L, f.towelsUnder("", STAGING))

            // Packed: a carton for the order at staging (its SSCC from the hub's block), the towels into it.
            val packing = PackingHolder(session)
            packing.onScan(label(STAGING))
            assertEquals("At STAGE-01: scan a tote, a carton or pallet, or build one", packing.state.value.message?.text)
            packing.setOrder("SO-9")
            packing.build(UnitKind.CARTON)
            val carton = requireNotNull(packing.state.value.unit) { "${packing.state.value.message}" }
            assertTrue(carton.lpn.startsWith("34012345") && carton.lpn.length == 18, carton.lpn)
            assertEquals("Carton ${carton.lpn} built for SO-9: print its label", packing.state.value.message?.text)
            packing.setPacks(12)
            packing.onScan(TOWELS_EA)
            assertEquals("Packed 12 TOWEL-2P loose into carton ${carton.lpn}", packing.state.value.message?.text)
            assertEquals(0L to 12L, f.towelsUnder("", STAGING) to f.towelsUnder(carton.lpn, STAGING))

            // A pallet for the order; the carton's label scanned puts it on.
            packing.build(UnitKind.PALLET)
            val pallet = requireNotNull(packing.state.value.unit)
            packing.onScan("(00)${carton.lpn}")
            assertEquals("Carton ${carton.lpn} is on pallet ${pallet.lpn}: scan the next carton", packing.state.value.message?.text)
            assertEquals(pallet.lpn, f.device.handlingUnit(carton.lpn).parent)
            // Packed goods wait at staging until they are loaded.
            assertEquals(12L, f.towelsOnHand(STAGING))

            // Loaded: the door's label, then the pallet; its carton goes with it.
            val loading = LoadingHolder(session)
            loading.open("SO-9")
            loading.onScan(label(DOOR))
            assertEquals("Order SO-9 at SHIP-01: scan each carton and pallet, then ship", loading.state.value.message?.text)
            loading.onScan("]C100${pallet.lpn}")
            assertEquals("Loaded pallet ${pallet.lpn} with 1 carton (12 TOWEL-2P) at SHIP-01", loading.state.value.message?.text)
            assertEquals(listOf(pallet.lpn, carton.lpn), loading.state.value.loaded)
            assertEquals(UnitStatus.LOADED, f.device.handlingUnit(carton.lpn).status)
            assertEquals(0L to 12L, f.towelsOnHand(STAGING) to f.towelsOnHand(DOOR))

            // Shipped: the goods leave inventory, the units are gone with the truck.
            loading.ship()
            val shipped = requireNotNull(loading.state.value.shipped) { "${loading.state.value.message}" }
            assertEquals("Order SO-9 shipped from SHIP-01: 2 units, 12 TOWEL-2P", loading.state.value.message?.text)
            assertEquals(12L, shipped.baseQuantity)
            assertEquals(listOf(pallet.lpn, carton.lpn), shipped.units)
            assertEquals(UnitStatus.SHIPPED, f.device.handlingUnit(pallet.lpn).status)
            assertEquals(UnitStatus.SHIPPED, f.device.handlingUnit(carton.lpn).status)
            assertEquals(Triple(84L, 0L, 0L), Triple(f.towelsOnHand("A-01-02"), f.towelsOnHand(STAGING), f.towelsOnHand(DOOR)))
            assertEquals(84L, f.device.totalsByStatus().sumOf { it.quantity })
            assertEquals(EventKind.SHIPPED, f.device.pendingEvents(1_000u).last().eventType)

            // Shipped once: the same order again finds nothing at the door.
            val again = LoadingHolder(session)
            again.open("SO-9")
            again.onScan(label(DOOR))
            again.ship()
            val text = again.state.value.message!!.text
            assertTrue(text.endsWith("nothing of order SO-9 is loaded at SHIP-01: load its cartons and pallets first"), text)
            assertEquals(84L, f.device.totalsByStatus().sumOf { it.quantity })
        }
    }
}
