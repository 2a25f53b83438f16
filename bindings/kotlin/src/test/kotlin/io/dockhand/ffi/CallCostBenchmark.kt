package io.dockhand.ffi

import java.nio.file.Files

/**
 * What crossing the boundary costs from Kotlin through JNA, against baselines measured in the same
 * run: a Kotlin call of the same shape (returns a String), and the commands an app really makes.
 * A benchmark, not a test: it prints figures and ratios.
 *
 *   scripts/bindings.sh && mvn -q -f bindings/kotlin/pom.xml test-compile exec:exec@call-cost
 */
private class KotlinDevice(private val id: String) {
    fun deviceId(): String = id
}

private fun medianNanosPerCall(rounds: Int, calls: Int, body: (Int) -> Unit): Double {
    val perCall = (1..rounds).map {
        val start = System.nanoTime()
        for (i in 0 until calls) body(i)
        (System.nanoTime() - start).toDouble() / calls
    }.sorted()
    return perCall[rounds / 2]
}

fun main() {
    val dir = Files.createTempDirectory("dockhand-bench")
    val device = Device.open(dir.resolve("bench.db").toString(), "HH-BENCH", generateDatabaseKey())
    device.loadSampleWarehouse()
    device.signIn("BADGE-0001", "111111") // alice
    val local = KotlinDevice("HH-BENCH")
    var sink = 0L

    // Warm-up: JIT, JNA's method lookup, SQLite's statement cache.
    repeat(50_000) { sink += local.deviceId().length + device.deviceId().length }
    repeat(2_000) { sink += ((device.resolveScan("4012345000030") as? ScanResult.Goods)?.basePerScan ?: 0) }

    val kotlinCall = medianNanosPerCall(7, 200_000) { sink += local.deviceId().length }
    val ffiNoop = medianNanosPerCall(7, 200_000) { sink += device.deviceId().length }
    val ffiCounts = medianNanosPerCall(7, 20_000) { sink += device.outboxCounts().pending }
    val ffiScan = medianNanosPerCall(7, 20_000) { sink += ((device.resolveScan("4012345000030") as? ScanResult.Goods)?.basePerScan ?: 0) }
    device.openBlindReceipt(op(), "alice", "BLIND-1", "bench", "Nordic Foods")
    val ffiReceive = medianNanosPerCall(7, 500) {
        sink += device.receive(ReceiveRequest(op(), "alice", "BLIND-1", "DOCK-01", towels(Sample.TOWELS_EA), 1L, null, null)).baseQuantity
    }
    device.close()
    dir.toFile().deleteRecursively()

    println("call cost from Kotlin through JNA (medians of 7 rounds; checksum $sink)")
    println("  Kotlin method returning a String:        %8.1f ns".format(kotlinCall))
    println("  deviceId() across the FFI (no-op):        %8.1f ns   %.0fx the Kotlin call".format(ffiNoop, ffiNoop / kotlinCall))
    println("  outboxCounts() (one SQLite read):         %8.1f ns   %.1fx the no-op".format(ffiCounts, ffiCounts / ffiNoop))
    println("  resolveScan(EAN-13) (catalog lookup):     %8.1f ns   %.1fx the no-op".format(ffiScan, ffiScan / ffiNoop))
    println("  receive() on a file (commit + fsync):     %8.1f ns   the no-op is %.2f%% of it".format(ffiReceive, 100 * ffiNoop / ffiReceive))
}
