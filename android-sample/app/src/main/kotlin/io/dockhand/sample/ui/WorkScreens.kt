package io.dockhand.sample.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.dockhand.ffi.InspectionOutcome
import io.dockhand.sample.logic.CountingHolder
import io.dockhand.sample.logic.PickingHolder
import io.dockhand.sample.logic.PutawayHolder
import io.dockhand.sample.logic.PutawayStep
import io.dockhand.sample.logic.ReceivingHolder
import io.dockhand.sample.logic.ReturnsHolder
import io.dockhand.sample.logic.Session
import io.dockhand.sample.logic.SignInHolder
import io.dockhand.sample.scan.CameraScanner
import kotlinx.coroutines.launch

// The screens only draw state and forward taps and scans: every decision is in the logic module.

/** Badge scan, then PIN: nobody works on the handheld without signing in. */
@Composable
fun SignInScreen(holder: SignInHolder) {
    val ui by holder.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    var pin by remember { mutableStateOf("") }
    LaunchedEffect(Unit) { holder.load() }
    OnScan { holder.onScan(it) }
    Column(Modifier.padding(16.dp)) {
        Text(if (ui.badge.isEmpty()) "Scan your badge" else "Badge ${ui.badge}: type your PIN")
        CameraScanner()
        PinField(pin, { pin = it }, Modifier.fillMaxWidth())
        Button(onClick = { val p = pin; pin = ""; scope.launch { holder.signIn(p) } }, enabled = pin.isNotEmpty()) { Text("Sign in") }
        MessageLine(ui.message)
        ManualEntry("Type a badge")
    }
}

/** A PIN: digits only, never shown. */
@Composable
fun PinField(pin: String, onChange: (String) -> Unit, modifier: Modifier) = OutlinedTextField(
    pin, { typed -> onChange(typed.filter(Char::isDigit).take(12)) }, label = { Text("PIN") }, singleLine = true,
    visualTransformation = PasswordVisualTransformation(),
    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
    modifier = modifier,
)

@Composable
fun ReceivingScreen(session: Session, receiptId: String = "ASN-1001", dock: String = "DOCK-01") {
    val holder = remember { ReceivingHolder(session, receiptId, dock) }
    val ui by holder.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    LaunchedEffect(Unit) { holder.load() }
    OnScan { holder.onScan(it) }
    Column {
        Text("Receipt ${ui.receiptId} at ${ui.dock}", modifier = Modifier.padding(12.dp))
        CameraScanner()
        MessageLine(ui.message)
        Row(Modifier.padding(8.dp)) {
            Text("Packs per scan: ${ui.packs}", modifier = Modifier.weight(1f))
            OutlinedButton(onClick = { holder.setPacks(ui.packs - 1) }) { Text("−") }
            OutlinedButton(onClick = { holder.setPacks(ui.packs + 1) }) { Text("+") }
        }
        if (ui.awaitingApproval != null) {
            var badge by remember { mutableStateOf("") }
            var pin by remember { mutableStateOf("") }
            Row(Modifier.padding(8.dp)) {
                OutlinedTextField(badge, { badge = it }, label = { Text("Supervisor badge") }, modifier = Modifier.weight(1f))
                PinField(pin, { pin = it }, Modifier.weight(1f))
                Button(onClick = { val p = pin; pin = ""; scope.launch { holder.approve(badge, p) } }) { Text("Approve") }
            }
        }
        ManualEntry()
        LazyColumn {
            items(ui.lines) { line -> Text("${line.lineNo}. ${line.sku}: ${line.received} / ${line.expected}", Modifier.padding(8.dp)) }
        }
    }
}

@Composable
fun PutawayScreen(session: Session, dock: String = "DOCK-01") {
    val holder = remember { PutawayHolder(session, dock) }
    val ui by holder.state.collectAsStateWithLifecycle()
    OnScan { holder.onScan(it) }
    Column {
        Text(
            when (val step = ui.step) {
                is PutawayStep.ScanLocation -> "Take ${step.task.onDock} ${step.task.sku} to ${step.task.suggestion.location}"
                else -> "Scan goods on $dock"
            },
            modifier = Modifier.padding(12.dp),
        )
        CameraScanner()
        MessageLine(ui.message)
        if (ui.step is PutawayStep.ScanLocation) {
            var reason by remember { mutableStateOf("") }
            Row(Modifier.padding(8.dp)) {
                OutlinedTextField(reason, { reason = it }, label = { Text("Another location because…") }, modifier = Modifier.weight(1f))
                Button(onClick = { holder.overrideSuggestion(reason) }, enabled = reason.isNotBlank()) { Text("Override") }
            }
        }
        ManualEntry()
    }
}

@Composable
fun PickingScreen(session: Session) {
    val holder = remember { PickingHolder(session) }
    val ui by holder.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    LaunchedEffect(Unit) { holder.loadTasks() }
    OnScan { holder.onScan(it) }
    Column {
        val pick = ui.pick
        if (ui.taskId == null || pick == null) {
            LazyColumn {
                items(ui.tasks) { id -> Button(onClick = { scope.launch { holder.open(id) } }, Modifier.fillMaxWidth().padding(4.dp)) { Text(id) } }
            }
        } else {
            Text(if (ui.atLocation) "Take ${pick.quantity} ${pick.unit} ${pick.sku} ${pick.lot}" else "Go to ${pick.location}", Modifier.padding(12.dp))
            CameraScanner()
            var found by remember { mutableStateOf("") }
            Row(Modifier.padding(8.dp)) {
                OutlinedTextField(found, { found = it.filter(Char::isDigit) }, label = { Text("Found (packs)") }, modifier = Modifier.weight(1f))
                Button(onClick = { holder.reportShort(found.toLongOrNull() ?: 0) }, enabled = ui.atLocation) { Text("Short") }
            }
        }
        MessageLine(ui.message)
        ManualEntry()
    }
}

@Composable
fun CountingScreen(session: Session) {
    val holder = remember { CountingHolder(session) }
    val ui by holder.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    LaunchedEffect(Unit) { holder.loadTasks() }
    OnScan { holder.onScan(it) }
    Column {
        if (ui.taskId == null) {
            LazyColumn {
                items(ui.tasks) { t -> Button(onClick = { scope.launch { holder.open(t.id) } }, Modifier.fillMaxWidth().padding(4.dp)) { Text("${t.id} — ${t.location ?: t.sku}") } }
            }
        } else {
            Text("Count ${ui.locations.joinToString()} — at ${ui.location ?: "scan a location"}", Modifier.padding(12.dp))
            CameraScanner()
            Text("${ui.lines.size} scans", Modifier.padding(8.dp))
            Button(onClick = { scope.launch { holder.submit() } }, enabled = ui.lines.isNotEmpty(), modifier = Modifier.padding(8.dp)) { Text("Submit count") }
        }
        MessageLine(ui.message)
        ManualEntry()
    }
}

@Composable
fun ReturnsScreen(session: Session, returnId: String = "RMA-" + System.currentTimeMillis() % 100000, location: String = "RET-01") {
    val holder = remember { ReturnsHolder(session, returnId, location) }
    val ui by holder.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    OnScan { holder.onScan(it) }
    Column {
        Text("Return ${ui.returnId}", Modifier.padding(12.dp))
        val received = ui.received
        if (received == null) {
            CameraScanner()
            Text("${ui.scanned.size} lines scanned", Modifier.padding(8.dp))
            Button(onClick = { scope.launch { holder.receive(ui.returnId, "walk-in") } }, enabled = ui.scanned.isNotEmpty()) { Text("Receive") }
        } else {
            LazyColumn {
                items(received.lines) { line ->
                    Column(Modifier.padding(8.dp)) {
                        Text("${line.lineNo}. ${line.sku} × ${line.quantity}: ${line.outcome?.name ?: "to inspect"}")
                        if (line.outcome == null) Row {
                            for (outcome in InspectionOutcome.entries) {
                                OutlinedButton(onClick = { scope.launch { holder.inspect(line.lineNo, outcome, "inspected") } }) { Text(outcome.name.lowercase()) }
                            }
                        }
                    }
                }
            }
        }
        MessageLine(ui.message)
        ManualEntry()
    }
}
