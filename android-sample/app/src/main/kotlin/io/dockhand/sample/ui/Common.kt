package io.dockhand.sample.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.unit.dp
import io.dockhand.sample.logic.Message
import io.dockhand.sample.logic.SyncBar
import io.dockhand.sample.logic.Tone
import io.dockhand.sample.scan.ScanBus

fun Tone.color(): Color = when (this) {
    Tone.OK -> Color(0xFF1B5E20)
    Tone.WARNING -> Color(0xFFE65100)
    Tone.ERROR -> Color(0xFFB71C1C)
}

/** The last message, big enough to read at arm's length. */
@Composable
fun MessageLine(message: Message?) {
    if (message == null) return
    Text(
        message.text,
        color = Color.White,
        modifier = Modifier.fillMaxWidth().background(message.tone.color()).padding(12.dp),
    )
}

@Composable
fun SyncBarView(bar: SyncBar) {
    Text(bar.text, color = bar.tone.color(), modifier = Modifier.fillMaxWidth().padding(horizontal = 12.dp, vertical = 4.dp))
}

/** Hands every scan (camera, DataWedge, keyboard wedge) to [onScan] while the screen is shown. */
@Composable
fun OnScan(onScan: suspend (String) -> Unit) {
    val current by rememberUpdatedState(onScan)
    LaunchedEffect(Unit) { ScanBus.flow.collect { current(it) } }
}

/** Typing a code for a damaged label (and for emulators without a scanner). */
@Composable
fun ManualEntry(label: String = "Type a code") {
    var text by remember { mutableStateOf("") }
    Row(Modifier.fillMaxWidth().padding(8.dp)) {
        OutlinedTextField(text, { text = it }, label = { Text(label) }, singleLine = true, modifier = Modifier.weight(1f))
        Button(onClick = { ScanBus.publish(text.trim()); text = "" }, enabled = text.isNotBlank(), modifier = Modifier.padding(start = 8.dp)) {
            Text("Enter")
        }
    }
}
