package io.dockhand.sample.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import io.dockhand.sample.DockhandApp

/** Home with the six screens; the sync bar stays on top of all of them. */
@Composable
fun DockhandNavigation(app: DockhandApp, operator: String = "alice") {
    val nav = rememberNavController()
    val bar by app.syncBar.bar.collectAsStateWithLifecycle()
    MaterialTheme {
        Column(Modifier.fillMaxSize()) {
            SyncBarView(bar)
            NavHost(nav, startDestination = "home") {
                composable("home") {
                    Column(Modifier.padding(16.dp)) {
                        for ((route, label) in listOf(
                            "receiving" to "Receiving", "putaway" to "Putaway", "picking" to "Picking",
                            "counting" to "Counting", "returns" to "Returns", "sync" to "Sync & exceptions",
                        )) {
                            Button(onClick = { nav.navigate(route) }, modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp)) { Text(label) }
                        }
                    }
                }
                composable("receiving") { ReceivingScreen(app.session(operator)) }
                composable("putaway") { PutawayScreen(app.session(operator)) }
                composable("picking") { PickingScreen(app.session(operator)) }
                composable("counting") { CountingScreen(app.session(operator)) }
                composable("returns") { ReturnsScreen(app.session(operator)) }
                composable("sync") { SyncScreen(app.syncBar) }
            }
        }
    }
}
