package io.dockhand.sample.logic

import io.dockhand.ffi.Goods
import io.dockhand.ffi.ReceiveRequest
import io.dockhand.sample.logic.Fixture.Companion.ASN
import io.dockhand.sample.logic.Fixture.Companion.DOCK
import io.dockhand.sample.logic.Fixture.Companion.TOWELS_CS
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class SignInHolderTest {
    @Test
    fun `a badge scan and a PIN sign in, a wrong PIN says how many tries are left`() = runBlocking {
        Fixture().use { f ->
            f.device.signOut()
            val holder = SignInHolder(f.device, Session(f.device, "", Dispatchers.Unconfined))
            holder.load()
            assertNull(holder.state.value.signedIn)
            assertNull(holder.session())

            holder.signIn("222222")
            assertEquals("Scan your badge first", holder.state.value.message?.text)
            holder.onScan("BADGE-0002 ")
            holder.signIn("222223")
            val wrong = holder.state.value.message!!.text
            assertTrue(wrong.contains("wrong PIN for badge BADGE-0002") && wrong.contains("4 more"), wrong)
            assertNull(holder.state.value.signedIn)

            holder.signIn("222222")
            assertEquals("bob", holder.state.value.signedIn?.id)
            assertEquals("Signed in: Bob Okafor", holder.state.value.message?.text)
            val bob = requireNotNull(holder.session())
            assertEquals("bob", bob.operator)
            // Work in anyone else's name is refused by the core.
            val asAlice = ReceiveRequest(bob.opId(), "alice", ASN, DOCK, Goods(TOWELS_CS, null, null, null), 1L, null, null)
            val refused = bob.run { it.receive(asAlice) }
            assertTrue(refused is Outcome.Refused && refused.message.text.contains("bob is"), refused.toString())

            holder.signOut()
            assertNull(holder.state.value.signedIn)
            assertNull(f.device.signedIn())
        }
    }
}
