package io.dockhand.sample.ui

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.core.content.ContextCompat
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.dockhand.ffi.UnitKind
import io.dockhand.sample.logic.LoadingHolder
import io.dockhand.sample.logic.PackMode
import io.dockhand.sample.logic.PackingHolder
import io.dockhand.sample.logic.Session
import io.dockhand.sample.print.BluetoothLabelPrinter
import io.dockhand.sample.print.labelPrinter
import io.dockhand.sample.scan.CameraScanner
import kotlinx.coroutines.launch

// Outbound at staging and at the door: cartons and pallets packed and labelled, then loaded and
// shipped. Like the other screens: state drawn, scans and taps forwarded.

/** The site's address on every label; a real app reads it from its configuration (ship-to from the ERP). */
private val SHIP_FROM = listOf("dockhand sample DC", "Dock 1")

/** Staging label, tote, carton or pallet, goods: cartons and pallets built, packed, labelled. */
@Composable
fun PackScreen(session: Session) {
    val holder = remember { PackingHolder(session, SHIP_FROM) }
    val ui by holder.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    OnScan { holder.onScan(it) }
    Column {
        Text(ui.prompt, Modifier.padding(12.dp))
        CameraScanner()
        MessageLine(ui.message)
        Row(Modifier.padding(8.dp)) {
            OutlinedTextField(
                ui.order.orEmpty(), { holder.setOrder(it) }, label = { Text("Order (loose goods)") }, singleLine = true,
                modifier = Modifier.weight(2f),
            )
            var packs by remember { mutableStateOf(ui.packs.toString()) }
            OutlinedTextField(
                packs,
                { packs = it.filter(Char::isDigit); holder.setPacks(packs.toLongOrNull() ?: 1) },
                label = { Text("Packs") },
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                modifier = Modifier.weight(1f),
            )
        }
        Row(Modifier.padding(horizontal = 8.dp)) {
            Button(onClick = { scope.launch { holder.build(UnitKind.CARTON) } }) { Text("New carton") }
            OutlinedButton(onClick = { scope.launch { holder.build(UnitKind.PALLET) } }) { Text("New pallet") }
            OutlinedButton(onClick = { scope.launch { holder.build(UnitKind.PALLET, null) } }) { Text("Mixed pallet") }
        }
        if (ui.unit != null) {
            Row(Modifier.padding(horizontal = 8.dp)) {
                if (ui.mode == PackMode.PACK) {
                    OutlinedButton(onClick = { holder.takeOut() }) { Text("Take out") }
                    OutlinedButton(onClick = { holder.consolidate() }) { Text("Empty into…") }
                    OutlinedButton(onClick = { scope.launch { holder.breakUp() } }) { Text("Break up") }
                } else {
                    OutlinedButton(onClick = { holder.cancel() }) { Text("Cancel") }
                }
                OutlinedButton(onClick = { holder.putDown() }) { Text("Done") }
            }
            PrintLabelRow(holder)
        }
        ManualEntry()
    }
}

/** The printer (an IP address, or a paired Zebra's Bluetooth MAC), kept between uses, and "Print label". */
@Composable
private fun PrintLabelRow(holder: PackingHolder) {
    val context = LocalContext.current
    val prefs = remember { context.getSharedPreferences("dockhand", Context.MODE_PRIVATE) }
    var address by remember { mutableStateOf(prefs.getString("printer", "").orEmpty()) }
    val scope = rememberCoroutineScope()
    val print = { scope.launch { holder.printLabel(labelPrinter(context, address)) } }
    val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted -> if (granted) print() }
    Row(Modifier.padding(8.dp)) {
        OutlinedTextField(
            address, { address = it.trim(); prefs.edit().putString("printer", address).apply() },
            label = { Text("Printer: IP address or Bluetooth MAC") }, singleLine = true, modifier = Modifier.weight(1f),
        )
        Button(
            onClick = {
                val askFirst = BluetoothLabelPrinter.isBluetooth(address) && Build.VERSION.SDK_INT >= Build.VERSION_CODES.S &&
                    ContextCompat.checkSelfPermission(context, Manifest.permission.BLUETOOTH_CONNECT) != PackageManager.PERMISSION_GRANTED
                if (askFirst) ask.launch(Manifest.permission.BLUETOOTH_CONNECT) else print()
            },
            enabled = address.isNotBlank(),
            modifier = Modifier.padding(start = 8.dp),
        ) { Text("Print label") }
    }
}

/** The order, the door's label, each carton and pallet, then ship. */
@Composable
fun LoadScreen(session: Session) {
    val holder = remember { LoadingHolder(session) }
    val ui by holder.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    OnScan { holder.onScan(it) }
    Column {
        Text(ui.prompt, Modifier.padding(12.dp))
        if (ui.order == null || ui.shipped != null) {
            var order by remember { mutableStateOf("") }
            Row(Modifier.padding(8.dp)) {
                OutlinedTextField(order, { order = it }, label = { Text("Order to load") }, singleLine = true, modifier = Modifier.weight(1f))
                Button(onClick = { holder.open(order); order = "" }, enabled = order.isNotBlank(), modifier = Modifier.padding(start = 8.dp)) {
                    Text("Load")
                }
            }
        }
        CameraScanner()
        MessageLine(ui.message)
        if (ui.door != null && ui.shipped == null) {
            Button(onClick = { scope.launch { holder.ship() } }, Modifier.padding(8.dp)) { Text("Ship order ${ui.order}") }
        }
        ManualEntry()
        LazyColumn {
            items(ui.loaded) { lpn -> Text("Loaded $lpn", Modifier.padding(8.dp)) }
        }
    }
}
