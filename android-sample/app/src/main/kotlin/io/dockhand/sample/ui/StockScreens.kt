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
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.dockhand.ffi.InspectionOutcome
import io.dockhand.sample.logic.MoveHolder
import io.dockhand.sample.logic.MoveStep
import io.dockhand.sample.logic.ReleaseHolder
import io.dockhand.sample.logic.ReleaseStep
import io.dockhand.sample.logic.ReplenishHolder
import io.dockhand.sample.logic.ReplenishStep
import io.dockhand.sample.logic.Session
import io.dockhand.sample.scan.CameraScanner
import kotlinx.coroutines.launch

// Stock that is already stored: moved, brought to a pick face, or held stock decided on. Like the
// other screens: state drawn, scans and taps forwarded.

/** Source label, goods or pallet, destination label: a move in three scans. */
@Composable
fun MoveScreen(session: Session) {
    val holder = remember { MoveHolder(session) }
    val ui by holder.state.collectAsStateWithLifecycle()
    OnScan { holder.onScan(it) }
    Column {
        Text(
            when (val step = ui.step) {
                is MoveStep.ScanSource, is MoveStep.Done -> "Scan the location to take goods from"
                is MoveStep.ScanWhat -> step.pallet?.let { "Pallet $it at ${step.source}: goods to take off, or the destination" }
                    ?: "At ${step.source}: scan goods or a pallet"
                is MoveStep.ScanDestination -> "Take ${step.what} from ${step.source}; scan the destination"
            },
            modifier = Modifier.padding(12.dp),
        )
        CameraScanner()
        MessageLine(ui.message)
        if (ui.step is MoveStep.ScanDestination && (ui.step as MoveStep.ScanDestination).goods != null) {
            var packs by remember { mutableStateOf(ui.packs.toString()) }
            Row(Modifier.padding(8.dp)) {
                OutlinedTextField(
                    packs,
                    { packs = it.filter(Char::isDigit); holder.setPacks(packs.toLongOrNull() ?: 1) },
                    label = { Text("Packs to move") },
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                    modifier = Modifier.weight(1f),
                )
                OutlinedButton(onClick = { holder.restart() }) { Text("Start again") }
            }
        }
        ManualEntry()
    }
}

/** A supervisor's decision on held goods: location, goods, decision, destination, badge and PIN. */
@Composable
fun ReleaseScreen(session: Session) {
    val holder = remember { ReleaseHolder(session) }
    val ui by holder.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    OnScan { holder.onScan(it) }
    Column {
        Text(
            when (val step = ui.step) {
                is ReleaseStep.ScanLocation, is ReleaseStep.Done -> "Scan the location holding the goods"
                is ReleaseStep.ScanGoods -> step.pallet?.let { "Scan the held goods on pallet $it" } ?: "Scan the held goods at ${step.location}"
                is ReleaseStep.Decide -> "${step.decision.sku}: what happens to it?"
                is ReleaseStep.ScanDestination -> "Scan the destination's label"
                is ReleaseStep.Approve -> "A supervisor approves"
            },
            modifier = Modifier.padding(12.dp),
        )
        CameraScanner()
        MessageLine(ui.message)
        if (ui.step is ReleaseStep.Decide) {
            var packs by remember { mutableStateOf("1") }
            var reason by remember { mutableStateOf("") }
            Row(Modifier.padding(8.dp)) {
                OutlinedTextField(packs, { packs = it.filter(Char::isDigit) }, label = { Text("Packs") }, modifier = Modifier.weight(1f))
                OutlinedTextField(reason, { reason = it }, label = { Text("Reason code") }, modifier = Modifier.weight(2f))
            }
            for ((outcome, label) in listOf(
                InspectionOutcome.RESTOCK to "Available", InspectionOutcome.QUARANTINE to "Quarantine",
                InspectionOutcome.DAMAGED to "Damaged", InspectionOutcome.SCRAP to "Scrap",
                InspectionOutcome.RETURN_TO_VENDOR to "Return to vendor",
            )) {
                OutlinedButton(onClick = { holder.decide(outcome, packs.toLongOrNull() ?: 1, reason) }, Modifier.padding(4.dp)) { Text(label) }
            }
        }
        if (ui.step is ReleaseStep.Approve) {
            var badge by remember { mutableStateOf("") }
            var pin by remember { mutableStateOf("") }
            Row(Modifier.padding(8.dp)) {
                OutlinedTextField(badge, { badge = it }, label = { Text("Supervisor badge") }, modifier = Modifier.weight(1f))
                PinField(pin, { pin = it }, Modifier.weight(1f))
                Button(onClick = { val p = pin; pin = ""; scope.launch { holder.approve(badge, p) } }) { Text("Approve") }
            }
            OutlinedButton(onClick = { holder.restart() }, Modifier.padding(8.dp)) { Text("Start again") }
        }
        ManualEntry()
    }
}

/** Open replenishment tasks, then trips of a reserve label, the goods and the face's label. */
@Composable
fun ReplenishScreen(session: Session) {
    val holder = remember { ReplenishHolder(session) }
    val ui by holder.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    LaunchedEffect(Unit) { holder.loadTasks() }
    OnScan { holder.onScan(it) }
    Column {
        val step = ui.step
        if (step is ReplenishStep.ChooseTask || step is ReplenishStep.Done) {
            LazyColumn {
                items(ui.tasks) { t ->
                    Button(onClick = { scope.launch { holder.open(t.id) } }, Modifier.fillMaxWidth().padding(4.dp)) {
                        Text("${t.location}: ${t.quantity - t.moved} ${t.sku} (${t.id})")
                    }
                }
            }
        } else {
            ui.task?.let { Text("${it.id} — ${it.sku} to ${it.location}: ${it.moved} of ${it.quantity} brought", Modifier.padding(8.dp)) }
            Text(
                when (step) {
                    is ReplenishStep.ScanReserve -> "Go to ${step.next.from} and scan its label"
                    is ReplenishStep.ScanGoods -> step.pallet?.let { "Scan the ${step.next.sku} on pallet $it" } ?: "At ${step.from}: scan the ${step.next.sku}"
                    is ReplenishStep.ScanFace -> "Take ${step.sku} to ${step.next.face}; scan its label"
                    else -> ""
                },
                modifier = Modifier.padding(12.dp),
            )
            CameraScanner()
            if (step is ReplenishStep.ScanFace) {
                // Starts from the packs the holder worked out for this trip's goods.
                var packs by remember(step) { mutableStateOf(ui.packs.toString()) }
                OutlinedTextField(
                    packs,
                    { packs = it.filter(Char::isDigit); holder.setPacks(packs.toLongOrNull() ?: 1) },
                    label = { Text("Packs to bring") },
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                    modifier = Modifier.padding(8.dp),
                )
            }
            Row(Modifier.padding(8.dp)) {
                OutlinedButton(onClick = { holder.restart() }) { Text("Start the trip again") }
                OutlinedButton(onClick = { scope.launch { holder.close() } }, Modifier.padding(start = 8.dp)) { Text("Other task") }
            }
        }
        MessageLine(ui.message)
        ManualEntry()
    }
}
