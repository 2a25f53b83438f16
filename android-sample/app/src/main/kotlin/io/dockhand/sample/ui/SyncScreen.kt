package io.dockhand.sample.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.dockhand.sample.logic.Message
import io.dockhand.sample.logic.SyncBarHolder
import kotlinx.coroutines.launch

/** Sync status, "Sync now", and the exceptions the hub refused, each with its reason. */
@Composable
fun SyncScreen(holder: SyncBarHolder) {
    val bar by holder.bar.collectAsStateWithLifecycle()
    val exceptions by holder.exceptions.collectAsStateWithLifecycle()
    var message by remember { mutableStateOf<Message?>(null) }
    val scope = rememberCoroutineScope()
    LaunchedEffect(Unit) { holder.refreshExceptions() }
    Column(Modifier.padding(12.dp)) {
        Text("${bar.text} · ${bar.pending} to send · ${bar.exceptions} exceptions")
        Button(onClick = { scope.launch { message = holder.syncNow() } }) { Text("Sync now") }
        MessageLine(message)
        LazyColumn {
            items(exceptions) { e ->
                Text("#${e.seq} ${e.eventType} by ${e.operator}: ${e.rejectReason ?: e.rejectCode}", Modifier.padding(vertical = 6.dp))
            }
        }
    }
}
