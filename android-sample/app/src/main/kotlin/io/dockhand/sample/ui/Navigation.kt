package io.dockhand.sample.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import io.dockhand.sample.DockhandApp
import io.dockhand.sample.logic.SignInHolder
import kotlinx.coroutines.launch

/**
 * Sign-in first (badge + PIN), then home with the work screens, each working in the signed-in
 * operator's name; the sync bar stays on top of all of them.
 */
@Composable
fun DockhandNavigation(app: DockhandApp) {
    val nav = rememberNavController()
    val bar by app.syncBar.bar.collectAsStateWithLifecycle()
    val signIn = remember { SignInHolder(app.device, app.session("")) }
    val who by signIn.state.collectAsStateWithLifecycle()
    val operator = who.signedIn?.id
    val scope = rememberCoroutineScope()
    MaterialTheme {
        Column(Modifier.fillMaxSize()) {
            SyncBarView(bar)
            if (operator == null) {
                SignInScreen(signIn)
                return@Column
            }
            Row(Modifier.fillMaxWidth().padding(horizontal = 16.dp)) {
                Text("Signed in: ${who.signedIn?.name}", Modifier.weight(1f))
                TextButton(onClick = { scope.launch { signIn.signOut() } }) { Text("Sign out") }
            }
            NavHost(nav, startDestination = "home") {
                composable("home") {
                    Column(Modifier.padding(16.dp)) {
                        for ((route, label) in listOf(
                            "receiving" to "Receiving", "putaway" to "Putaway", "move" to "Move stock", "replenish" to "Replenish pick faces",
                            "release" to "Release held stock", "picking" to "Picking",
                            "packing" to "Packing & labels", "loading" to "Loading & shipping",
                            "counting" to "Counting", "returns" to "Returns", "sync" to "Sync & exceptions",
                        )) {
                            Button(onClick = { nav.navigate(route) }, modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp)) { Text(label) }
                        }
                    }
                }
                composable("receiving") { ReceivingScreen(app.session(operator)) }
                composable("putaway") { PutawayScreen(app.session(operator)) }
                composable("move") { MoveScreen(app.session(operator)) }
                composable("replenish") { ReplenishScreen(app.session(operator)) }
                composable("release") { ReleaseScreen(app.session(operator)) }
                composable("picking") { PickingScreen(app.session(operator)) }
                composable("packing") { PackScreen(app.session(operator)) }
                composable("loading") { LoadScreen(app.session(operator)) }
                composable("counting") { CountingScreen(app.session(operator)) }
                composable("returns") { ReturnsScreen(app.session(operator)) }
                composable("sync") { SyncScreen(app.syncBar) }
            }
        }
    }
}
