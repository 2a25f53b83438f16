package io.dockhand.ffi

import java.util.UUID
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Sample warehouse codes (core/src/sample.rs). */
internal object Sample {
    const val ASN = "ASN-1001"
    const val TOWELS = "TOWEL-2P"
    const val TOWELS_EA = "4012345000030"
    const val TOWELS_CS = "14012345000037"
    const val DOCK = "DOCK-01"
    const val STAGING = "STAGE-01"
    const val RETURNS = "RET-01"

    /** What the sample warehouse's location labels read (core/src/sample.rs): known by standing there. */
    val LABELS = mapOf(
        "A-01-01" to "41", "A-01-02" to "42", "A-01-03" to "43", "A-01-04" to "44",
        "C-01-01" to "61", "C-01-02" to "62", "P-01-01" to "71", "QA-01" to "91",
    )
}

internal fun op() = UUID.randomUUID().toString()

internal fun towels(barcode: String = Sample.TOWELS_CS) = Goods(barcode, null, null, null)

/**
 * A whole shift through the generated Kotlin: receive, put away, pick with a short pick, count
 * with a supervisor's approval, inspect a return; errors arrive as typed exceptions and leave the
 * database as it was.
 */
class ShiftTest : SampleDeviceTest({ "HH-KT-01" }) {

    private fun onHand(location: String): Long =
        device.balancesAtLocation(location).filter { it.sku == Sample.TOWELS }.sumOf { it.quantity }

    @Test
    fun `a shift from dock to customer return`() {
        // Receive 4 cases of towels (24 each) from the ASN onto the dock.
        val receiveOp = op()
        val request = ReceiveRequest(receiveOp, "alice", Sample.ASN, Sample.DOCK, towels(), 4L, null, null)
        val received = device.receive(request)
        assertEquals(Sample.TOWELS, received.sku)
        assertEquals(96L, received.baseQuantity)
        assertEquals(StockStatus.RECEIVED, received.status)
        assertEquals(96L, received.lineReceived)
        // The same operator action again (a retry after a timeout) changes nothing.
        assertEquals(received, device.receive(request))
        assertEquals(96L, onHand(Sample.DOCK))
        assertEquals(listOf(EventKind.LINE_RECEIVED), device.eventsOfOperation(receiveOp).map { it.eventType })
        assertTrue(device.eventsOfOperation(receiveOp).single().occurredAt.isAfter(java.time.OffsetDateTime.parse("2020-01-01T00:00:00Z")))

        // Put away where the core suggests, proving presence with a scan of the location's label.
        val task = device.suggestPutaway(Sample.DOCK, towels(Sample.TOWELS_EA), null)
        assertEquals(96L, task.onDock)
        val to = task.suggestion.location
        val check = Sample.LABELS.getValue(to)
        // A wrong check string is refused, and nothing moves.
        val wrong = assertThrows<DockhandException.Validation> {
            device.confirmPutaway(PutawayRequest(op(), "alice", Sample.DOCK, towels(), null, 4L, to, "00", null))
        }
        assertEquals("wrong_check_string", wrong.code)
        assertTrue(wrong.reason.contains(to), wrong.reason)
        assertEquals(96L, onHand(Sample.DOCK))
        val put = device.confirmPutaway(PutawayRequest(op(), "alice", Sample.DOCK, towels(), null, 4L, to, check, null))
        assertEquals(96L, put.baseQuantity)
        assertEquals(StockStatus.AVAILABLE, put.statusAfter)
        assertEquals(0L, put.remainingOnDock)
        assertEquals(0L, onHand(Sample.DOCK))
        assertEquals(96L, onHand(to))

        // Pick 30 for an order; the shelf holds less than the picker finds: 20 picked, 10 short.
        device.signIn("BADGE-0003", "333333") // sam
        val created = device.createPickTask(
            op(), "sam",
            NewPickTask("PICK-1", "SO-501", Sample.STAGING, listOf(NewPickLine(1L, Sample.TOWELS, 30L, "EA", null))),
        )
        assertEquals(listOf("PICK-1" to "SO-501"), device.openPickTasks().map { it.id to it.orderRef })
        assertEquals(30L, created.allocations.sumOf { it.quantity })
        val next = requireNotNull(device.nextPick("PICK-1"))
        assertEquals(to, next.location)
        assertEquals(30L, next.quantity)
        device.signIn("BADGE-0002", "222222") // bob
        val picked = device.confirmPick(
            PickRequest(op(), "bob", "PICK-1", next.allocationId, check, towels(Sample.TOWELS_EA), 20L, "TOTE-7", true),
        )
        assertEquals(20L, picked.picked)
        assertEquals(10L, picked.short)
        assertEquals(PickTaskStatus.DONE, picked.taskStatus)
        assertNull(device.nextPick("PICK-1"))
        assertEquals(76L, onHand(to))
        assertEquals(20L, onHand(Sample.STAGING))
        val countId = requireNotNull(picked.countTaskId) { "a short pick raises a count" }

        // The short pick raised a count of the shelf. Count 46 (30 missing): beyond tolerance,
        // so another person recounts; the same again needs a supervisor (30 x 3.49 > 100.00).
        val sheet = device.startCount(op(), "bob", countId)
        assertEquals(listOf(to), sheet.locations)
        val counted = listOf(CountedGoods(to, towels(Sample.TOWELS_EA), 46L, null))
        val first = device.submitCount(op(), "bob", countId, counted)
        assertEquals(CountOutcome.RECOUNT_REQUIRED, first.outcome)
        assertEquals(CountTaskStatus.RECOUNT, device.countTask(countId).status)
        // alice takes the handheld; a command in bob's name is refused now.
        device.signIn("BADGE-0001", "111111")
        val notSignedIn = assertThrows<DockhandException.Validation> { device.submitCount(op(), "bob", countId, counted) }
        assertEquals("not_signed_in", notSignedIn.code)
        val second = device.submitCount(op(), "alice", countId, counted)
        assertEquals(CountOutcome.APPROVAL_REQUIRED, second.outcome)
        assertEquals(76L, onHand(to)) // nothing adjusted before the approval
        // Approvals are a supervisor's badge and PIN on alice's handheld.
        val notSupervisor = assertThrows<DockhandException.NeedsSupervisor> {
            device.approveCount(op(), "alice", countId, Approval("BADGE-0002", "222222"))
        }
        assertEquals("not_a_supervisor", notSupervisor.code)
        assertTrue(notSupervisor.reason.contains("bob"), notSupervisor.reason)
        val wrongPin = assertThrows<DockhandException.Validation> {
            device.approveCount(op(), "alice", countId, Approval("BADGE-0003", "333334"))
        }
        assertEquals("wrong_pin", wrongPin.code)
        assertTrue(wrongPin.reason.contains("4 more wrong PIN"), wrongPin.reason)
        assertEquals(76L, onHand(to))
        val approved = device.approveCount(op(), "alice", countId, Approval("BADGE-0003", "333333"))
        assertEquals(CountOutcome.ADJUSTED, approved.outcome)
        assertEquals(-30L, approved.lines.single().variance)
        assertEquals(46L, onHand(to))
        assertEquals(CountTaskStatus.DONE, device.countTask(countId).status)

        // A customer sends 2 towels back; they wait as return-pending until inspected, then go
        // back to stock.
        val rma = device.receiveReturn(
            ReturnRequest(op(), "alice", "RMA-9", "SO-501", "Hotel Nord", Sample.RETURNS,
                listOf(ReturnedGoods(1L, towels(Sample.TOWELS_EA), 2L))),
        )
        assertEquals(2L, rma.lines.single().quantity)
        assertEquals(
            StockStatus.RETURN_PENDING,
            device.balancesAtLocation(Sample.RETURNS).single().status,
        )
        val inspected = device.inspectReturn(
            InspectionRequest(op(), "alice", "RMA-9", 1L, InspectionOutcome.RESTOCK, "unopened", null),
        )
        assertEquals(StockStatus.AVAILABLE, inspected.statusAfter)
        assertNotNull(inspected.putaway)
        assertEquals(InspectionOutcome.RESTOCK, device.customerReturn("RMA-9").lines.single().outcome)

        // Totals by usability, the outbox and the books agree.
        val totals = device.totalsByStatus().associate { it.status to it.quantity }
        assertEquals(46L + 20L + 2L, totals.values.sum())
        val counts = device.outboxCounts()
        assertTrue(counts.pending >= 9, "pending $counts")
        assertEquals(counts.pending, counts.lastSeq)
        assertEquals(0L, counts.rejected)
        assertTrue(device.checkIntegrity().ok, device.checkIntegrity().reportJson)

        val kpis = device.kpis(java.time.OffsetDateTime.parse("2000-01-01T00:00:00Z"), java.time.OffsetDateTime.parse("2100-01-01T00:00:00+01:00"))
        assertEquals(1L, kpis.picks)
        assertEquals(1L, kpis.shortPicks)
        assertEquals(1L, kpis.countedLines)
        assertEquals(0.0, kpis.accuracy)
    }

    @Test
    fun `a supervisor releases held goods and an operator cannot`() {
        val vitamins = Goods("4012345000054", "V-9", java.time.LocalDate.parse("2027-06-30"), null)
        val held = device.receive(ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, vitamins, 12L, null, null))
        assertEquals(StockStatus.QUARANTINED, held.status)
        device.confirmPutaway(PutawayRequest(op(), "alice", Sample.DOCK, vitamins, null, 12L, "QA-01", "91", null))
        fun release(badge: String, pin: String) = ReleaseRequest(
            op(), "alice", "QA-01", "91", vitamins, null, 5L, InspectionOutcome.RESTOCK, "A-01-03", "43",
            "passed_inspection", null, Approval(badge, pin),
        )
        val before = device.outboxCounts()
        val refused = assertThrows<DockhandException.NeedsSupervisor> { device.releaseStock(release("BADGE-0002", "222222")) }
        assertEquals("not_a_supervisor", refused.code)
        assertEquals(before, device.outboxCounts())
        val done = device.releaseStock(release("BADGE-0003", "333333"))
        assertEquals(StockStatus.AVAILABLE, done.statusAfter)
        assertEquals("sam", done.approvedBy)
        assertEquals(listOf(StockStatus.AVAILABLE to 5L), device.balancesAtLocation("A-01-03").map { it.status to it.quantity })
    }

    @Test
    fun `stock moves bin to bin and a refused move moves nothing`() {
        device.receive(ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, towels(), 4L, null, null))
        device.confirmPutaway(
            PutawayRequest(op(), "alice", Sample.DOCK, towels(), null, 4L, "A-01-01", "41", "closest to the door"),
        )
        val moved = device.confirmMove(
            MoveRequest(op(), "alice", "A-01-01", "41", towels(Sample.TOWELS_EA), null, 24L, "P-01-01", "71", null),
        )
        assertEquals(MoveKind.LOOSE, moved.moveKind)
        assertEquals(24L, moved.baseQuantity)
        assertEquals(listOf(StockStatus.AVAILABLE), moved.lines.map { it.status })
        assertEquals(72L to 24L, onHand("A-01-01") to onHand("P-01-01"))
        val before = device.outboxCounts()
        val refused = assertThrows<DockhandException.Validation> {
            device.confirmMove(
                MoveRequest(op(), "alice", "A-01-01", "41", towels(Sample.TOWELS_EA), null, 1L, "QA-01", "91", null),
            )
        }
        assertEquals("wrong_location_type", refused.code)
        assertTrue(refused.reason.contains("QA-01") && refused.reason.contains("available"), refused.reason)
        assertEquals(before, device.outboxCounts())
        assertEquals(0L, onHand("QA-01"))
    }

    @Test
    fun `the catalog lists items with what to scan, locations page by page, and scans as types`() {
        val towels = device.items("", 100u).first { it.item.sku == Sample.TOWELS }
        assertTrue(towels.barcodes.any { it.code == Sample.TOWELS_EA }, towels.toString())
        assertTrue(towels.units.any { it.unit == "CS" && it.factor == 24L }, towels.toString())
        val first = device.locations("", 3u)
        val next = device.locations(first.last().code, 3u)
        assertTrue(first.last().code < next.first().code)
        val scan = device.resolveScan(Sample.TOWELS_EA)
        assertTrue(scan is ScanResult.Goods && scan.sku == Sample.TOWELS, scan.toString())
        assertThrows<DockhandException.Validation> { device.items("", 0u) }
    }

    @Test
    fun `bad input is a typed exception with the value, and nothing is recorded`() {
        val before = device.outboxCounts()
        val unknown = assertThrows<DockhandException.NotFound> { device.resolveScan("(01)09506000134352") }
        assertEquals("unknown_barcode", unknown.code)
        assertTrue(unknown.reason.contains("09506000134352"), unknown.reason)

        val badOp = assertThrows<DockhandException.Validation> {
            device.receive(ReceiveRequest("not-a-uuid", "alice", Sample.ASN, Sample.DOCK, towels(), 1L, null, null))
        }
        assertTrue(badOp.reason.contains("not-a-uuid"), badOp.reason)

        // Dates are java.time.LocalDate both ways.
        val label = device.resolveScan("(01)04012345000016(10)L2611A(17)270301") as ScanResult.Goods
        assertEquals(java.time.LocalDate.of(2027, 3, 1), label.expiry)

        val noTask = assertThrows<DockhandException.NotFound> { device.pickTask("PICK-404") }
        assertTrue(noTask.reason.contains("PICK-404"), noTask.reason)

        // Over-receipt beyond tolerance needs a supervisor.
        val over = assertThrows<DockhandException.NeedsSupervisor> {
            device.receive(ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, towels(), 9L, null, null))
        }
        assertTrue(over.reason.isNotBlank())

        assertEquals(before, device.outboxCounts())
        assertEquals(0L, onHand(Sample.DOCK))
    }

    @Test
    fun `an encrypted database opens only with its key, and its key can change`() {
        val path = dir.resolve("secret.db").toString()
        val key = generateDatabaseKey()
        assertEquals(64, key.length)
        Device.open(path, "HH-KT-02", key).use { secret ->
            secret.loadSampleWarehouse()
            secret.signIn("BADGE-0001", "111111") // alice
            secret.receive(ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, towels(), 1L, null, null))
        }
        val file = java.io.File(path)
        val bytes = file.readBytes().toString(Charsets.ISO_8859_1)
        assertTrue(!bytes.contains("SQLite format 3") && !bytes.contains("Paper towels"), "the file is readable without the key")
        val before = file.readBytes()
        val noKey = assertThrows<DockhandException.Storage> { Device.openUnencryptedForDevelopment(path, "HH-KT-02") }
        assertTrue(noKey.reason.contains("needs its key"), noKey.reason)
        val wrong = assertThrows<DockhandException.Storage> { Device.open(path, "HH-KT-02", generateDatabaseKey()) }
        assertTrue(wrong.reason.contains("encryption key does not open it"), wrong.reason)
        val short = assertThrows<DockhandException.Validation> { Device.open(path, "HH-KT-02", "guess") }
        assertTrue(short.reason.contains("5 characters"), short.reason)
        assertTrue(before.contentEquals(file.readBytes()), "refused opens changed the file")

        val newKey = generateDatabaseKey()
        assertThrows<DockhandException.Storage> { changeDatabaseKey(path, generateDatabaseKey(), newKey) }
        assertTrue(before.contentEquals(file.readBytes()), "a refused rekey changed the file")
        changeDatabaseKey(path, key, newKey)
        assertThrows<DockhandException.Storage> { Device.open(path, "HH-KT-02", key) }
        Device.open(path, "HH-KT-02", newKey).use { again ->
            assertEquals(24L, again.balancesAtLocation(Sample.DOCK).sumOf { it.quantity })
            assertEquals(1L, again.outboxCounts().pending)
        }
    }

    @Test
    fun `a plain database from an earlier app version is encrypted in place`() {
        val path = dir.resolve("plain.db").toString()
        Device.openUnencryptedForDevelopment(path, "HH-KT-03").use { plain ->
            plain.loadSampleWarehouse()
            plain.signIn("BADGE-0001", "111111") // alice
            plain.receive(ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, towels(), 2L, null, null))
        }
        val key = generateDatabaseKey()
        changeDatabaseKey(path, null, key)
        assertTrue(!java.io.File(path).readBytes().toString(Charsets.ISO_8859_1).contains("Paper towels"))
        Device.open(path, "HH-KT-03", key).use { secret ->
            assertEquals(48L, secret.balancesAtLocation(Sample.DOCK).sumOf { it.quantity })
            secret.receive(ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, towels(), 1L, null, null))
            assertEquals(2L, secret.outboxCounts().pending)
        }
    }

    @Test
    fun `the app's keystore signs events through an EventSigner`() {
        // The JDK's Ed25519 stands in for the Android Keystore / a Keychain-held CryptoKit key.
        val pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair()
        val raw = pair.public.encoded.takeLast(32).toByteArray() // X.509 prefix, then the 32 bytes
        var signed = 0
        val keystore = object : EventSigner {
            override fun publicKey() = raw
            override fun sign(message: ByteArray): ByteArray {
                signed++
                val s = java.security.Signature.getInstance("Ed25519")
                s.initSign(pair.private)
                s.update(message)
                return s.sign()
            }
        }
        val path = dir.resolve("keystore.db").toString()
        Device.open(path, "HH-KT-04", generateDatabaseKey(), keystore).use { d ->
            assertEquals(raw.joinToString("") { "%02x".format(it) }, d.publicKey())
            d.loadSampleWarehouse()
            d.signIn("BADGE-0001", "111111") // alice
            d.receive(ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, towels(), 1L, null, null))
            assertEquals(1, signed)
            val event = d.pendingEvents(10u).single()
            val verifier = java.security.Signature.getInstance("Ed25519")
            verifier.initVerify(pair.public)
            verifier.update(event.hash.toByteArray()) // the hash's 64 hex digits are what is signed
            assertTrue(verifier.verify(java.util.HexFormat.of().parseHex(event.signature)), "the stored signature does not verify")
        }
        val failing = object : EventSigner {
            override fun publicKey() = raw
            override fun sign(message: ByteArray): ByteArray =
                throw DockhandException.Validation("keystore_locked", "the keystore is locked")
        }
        Device.open(dir.resolve("locked.db").toString(), "HH-KT-05", generateDatabaseKey(), failing).use { d ->
            d.loadSampleWarehouse()
            d.signIn("BADGE-0001", "111111") // alice
            val refused = assertThrows<DockhandException> {
                d.receive(ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, towels(), 1L, null, null))
            }
            assertTrue(refused.toString().contains("keystore is locked"), refused.toString())
            assertEquals(0L, d.outboxCounts().pending)
            assertEquals(0L, d.balancesAtLocation(Sample.DOCK).sumOf { it.quantity })
        }
    }

    @Test
    fun `a database of another device is refused`() {
        val path = dir.resolve("other.db").toString()
        val key = generateDatabaseKey()
        Device.open(path, "HH-A", key).close()
        val refused = assertThrows<DockhandException.Storage> { Device.open(path, "HH-B", key) }
        assertTrue(refused.reason.contains("HH-A"), refused.reason)
    }

    @Test
    fun `a closed database refuses every call and opens again with what it held`() {
        val path = dir.resolve("closing.db").toString()
        val key = generateDatabaseKey()
        Device.open(path, "HH-KT-06", key).use { d ->
            d.loadSampleWarehouse()
            d.closeDatabase()
            d.closeDatabase()
            val closed = assertThrows<DockhandException.Storage> { d.outboxCounts() }
            assertEquals("device_closed", closed.code)
        }
        Device.open(path, "HH-KT-06", key).use { again -> assertTrue(again.items("", 10u).isNotEmpty()) }
    }

    @Test
    fun `another lot than the ASN names is told at the scan and reported at close`() {
        val milk = Goods("04012345000016", "L2699Z", java.time.LocalDate.of(2027, 3, 9), null)
        val told = device.receive(ReceiveRequest(op(), "alice", Sample.ASN, Sample.DOCK, milk, 2L, null, null))
        assertEquals("L2611A", told.expectedLot)
        val closed = device.closeReceipt(op(), "alice", Sample.ASN)
        val lots = closed.discrepancies.filter { it.kind == DiscrepancyKind.LOT }
        assertEquals(listOf(Triple(1L, "L2699Z", 2L)), lots.map { Triple(it.lineNo, it.lot, it.received) })
    }

    @Test
    fun `a control character in any typed field is refused naming the field, and nothing is recorded`() {
        val before = device.outboxCounts()
        val refused = assertThrows<DockhandException.Validation> {
            device.openBlindReceipt(op(), "alice", "BLIND-KT", "PO\u001b[31m", "Acme")
        }
        assertTrue(refused.reason.contains("reference") && refused.reason.contains("U+001B"), refused.reason)
        assertEquals(before, device.outboxCounts())
    }
}
