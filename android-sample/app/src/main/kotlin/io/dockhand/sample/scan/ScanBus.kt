package io.dockhand.sample.scan

import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.SharedFlow
import kotlinx.coroutines.flow.asSharedFlow

/** Every scan, whatever read it, already normalised (see io.dockhand.sample.logic.Scans). */
object ScanBus {
    private val scans = MutableSharedFlow<String>(extraBufferCapacity = 16)
    val flow: SharedFlow<String> = scans.asSharedFlow()

    fun publish(scan: String) {
        scans.tryEmit(scan)
    }
}
