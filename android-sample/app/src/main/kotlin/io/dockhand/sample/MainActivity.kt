package io.dockhand.sample

import android.content.Intent
import android.os.Bundle
import android.view.KeyEvent
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import io.dockhand.sample.logic.KeyboardWedge
import io.dockhand.sample.scan.DataWedge
import io.dockhand.sample.scan.ScanBus
import io.dockhand.sample.ui.DockhandNavigation

/**
 * Hosts the screens. Scans arrive from three sources into one [ScanBus]: the camera (on screen),
 * a Zebra DataWedge intent, and a keyboard-wedge scanner typing into the activity.
 */
class MainActivity : ComponentActivity() {
    private val wedge = KeyboardWedge(gsStandIn = '~')

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as DockhandApp
        val problem = app.startupError
        if (problem != null) {
            setContent { androidx.compose.material3.Text("dockhand cannot start: $problem") }
            return
        }
        setContent { DockhandNavigation(app) }
        intent?.let(::onNewIntent)
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        DataWedge.scanOf(intent)?.let(ScanBus::publish)
    }

    override fun dispatchKeyEvent(event: KeyEvent): Boolean {
        if (event.action == KeyEvent.ACTION_DOWN) {
            val c = if (event.keyCode == KeyEvent.KEYCODE_ENTER) '\n' else event.unicodeChar.toChar()
            if (c != '\u0000') {
                wedge.key(c, event.eventTime)?.let(ScanBus::publish)
                // Characters of a scan are not typed into focused fields.
                if (c == '\n') return true
            }
        }
        return super.dispatchKeyEvent(event)
    }
}
