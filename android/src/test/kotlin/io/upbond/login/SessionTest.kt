package io.upbond.login

import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.seconds

/** A token store written in Kotlin: the bytes in memory, with call counts. */
class KotlinStore : TokenStore {
    @Volatile var bytes: ByteArray? = null
    val saves = AtomicInteger()
    val deletes = AtomicInteger()

    override fun load(): ByteArray? = bytes

    override fun save(record: ByteArray) {
        bytes = record
        saves.incrementAndGet()
    }

    override fun delete() {
        bytes = null
        deletes.incrementAndGet()
    }
}

/** A store whose disk is broken. */
class BrokenStore : TokenStore {
    override fun load(): ByteArray? = throw IllegalStateException("disk unplugged")
    override fun save(record: ByteArray) = throw IllegalStateException("disk unplugged")
    override fun delete() = throw IllegalStateException("disk unplugged")
}

/** The session over Kotlin stores and listeners: state flow, events, refresh, sign-out. */
class SessionTest : EmulatorTest() {
    private fun refreshGrants(): Int =
        emulator.get("/_emulator/stats").jsonObject["grants"]?.jsonObject?.get("refresh_token")?.jsonPrimitive?.int ?: 0

    @Test
    fun `state and events follow sign-in, refresh and sign-out`() = runBlocking<Unit> {
        val store = KotlinStore()
        UpbondSession.create(app, store).use { session ->
            assertEquals(SessionState.Unknown, session.state.value)
            assertNull(session.restore())
            assertEquals(SessionState.SignedOut, session.state.value)
            val events = async(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) {
                session.events.take(3).toList()
            }

            val tokens = signIn()
            session.signIn(tokens)
            val subject = tokens.idTokenClaims!!.subject
            assertEquals(SessionState.SignedIn(subject), session.state.value)
            assertNotNull(store.bytes)
            assertFalse(store.bytes!!.decodeToString().isEmpty())
            assertEquals(tokens.accessToken, session.accessToken())

            val before = refreshGrants()
            val renewed = session.accessToken(minTtl = 2.hours) // longer than the token lives: refresh
            assertTrue(renewed != tokens.accessToken)
            assertEquals(before + 1, refreshGrants())
            assertEquals(SessionState.SignedIn(subject), session.state.value)

            val done = session.signOut()
            assertTrue(done.removed)
            assertTrue(done.revoked, done.toString())
            assertEquals(SessionState.SignedOut, session.state.value)
            assertNull(store.bytes)
            val seen = withTimeout(10.seconds) { events.await() }
            assertEquals(listOf(SessionEvent.SIGNED_IN, SessionEvent.REFRESHED, SessionEvent.SIGNED_OUT), seen)
            assertFailsWith<UpbondLoginException.NotSignedIn> { session.accessToken() }
        }
    }

    @Test
    fun `a new session restores the stored one`() = runBlocking<Unit> {
        val store = KotlinStore()
        val tokens = signIn()
        UpbondSession.create(app, store).use { it.signIn(tokens) }
        UpbondSession.create(app, store).use { session ->
            val stored = assertNotNull(session.restore())
            assertEquals(tokens.idTokenClaims!!.subject, stored.subject)
            assertTrue(stored.canRefresh)
            assertFalse(tokens.accessToken in stored.toString())
            assertEquals(SessionState.SignedIn(stored.subject), session.state.value)
            assertEquals(tokens.accessToken, session.accessToken())
        }
    }

    @Test
    fun `concurrent callers share one refresh`() = runBlocking<Unit> {
        emulator.settings("""{"access_token_ttl_secs": 30}""")
        val tokens = try {
            signIn()
        } finally {
            emulator.settings("""{"access_token_ttl_secs": 3600}""")
        }
        UpbondSession.inMemory(app).use { session ->
            session.signIn(tokens)
            val before = refreshGrants()
            val results = (1..8).map { async(Dispatchers.Default) { session.accessToken() } }.awaitAll()
            assertEquals(1, results.toSet().size)
            assertTrue(results.first() != tokens.accessToken)
            assertEquals(before + 1, refreshGrants())
        }
    }

    @Test
    fun `a refused refresh token asks for re-authentication`() = runBlocking<Unit> {
        UpbondSession.inMemory(app).use { session ->
            session.signIn(signIn())
            emulator.hook("/_emulator/tokens/revoke-all")
            val e = assertFailsWith<UpbondLoginException> { session.accessToken(minTtl = 2.hours) }
            assertTrue(e.reauthenticationRequired, e.toString())
            val state = withTimeout(10.seconds) { session.state.first { it == SessionState.ReauthenticationRequired } }
            assertEquals(SessionState.ReauthenticationRequired, state)
        }
    }

    @Test
    fun `a store that throws gives a Storage error`() = runBlocking<Unit> {
        UpbondSession.create(app, BrokenStore()).use { session ->
            val e = assertFailsWith<UpbondLoginException.Storage> { session.signIn(signIn()) }
            assertEquals("storage_error", e.code)
            assertTrue("disk unplugged" in e.detail, e.detail)
            assertFailsWith<UpbondLoginException.Storage> { session.record() }
        }
        Unit
    }

    @Test
    fun `an encrypted file session keeps no token in clear`(@TempDir dir: File) = runBlocking<Unit> {
        val file = File(dir, "session.bin")
        val key = ByteArray(32) { it.toByte() }
        val tokens = signIn()
        UpbondSession.inFile(app, file.path, key).use { it.signIn(tokens) }
        val onDisk = file.readBytes().decodeToString()
        assertFalse(tokens.accessToken in onDisk)
        assertFalse(tokens.refreshToken!! in onDisk)
        UpbondSession.inFile(app, file.path, key).use { assertEquals(tokens.accessToken, it.accessToken()) }
        UpbondSession.inFile(app, file.path, ByteArray(32)).use { session ->
            assertFailsWith<UpbondLoginException.Storage> { session.record() }
        }
        Unit
    }
}
