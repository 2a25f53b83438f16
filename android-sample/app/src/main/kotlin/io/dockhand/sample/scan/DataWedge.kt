package io.dockhand.sample.scan

import android.content.Intent
import io.dockhand.sample.logic.Scans

/**
 * Zebra DataWedge: a profile for this app with Intent output, action `io.dockhand.sample.SCAN`,
 * category DEFAULT, delivery "Send via startActivity" (the activity is singleTop, so scans arrive
 * in onNewIntent). Keep "GS1 label type" reporting on so GS1 symbologies are recognised.
 */
object DataWedge {
    const val ACTION = "io.dockhand.sample.SCAN"
    private const val DATA = "com.symbol.datawedge.data_string"
    private const val LABEL_TYPE = "com.symbol.datawedge.label_type"

    fun scanOf(intent: Intent): String? {
        if (intent.action != ACTION) return null
        val data = intent.getStringExtra(DATA) ?: return null
        return Scans.fromDataWedge(data, intent.getStringExtra(LABEL_TYPE))
    }
}
