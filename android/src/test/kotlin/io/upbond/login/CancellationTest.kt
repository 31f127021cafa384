package io.upbond.login

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.seconds

/** Device polling stops when its coroutine is cancelled or its CancelToken fires. */
class CancellationTest : EmulatorTest("""{"rate_limits": false, "device_interval_secs": 1}""") {
    /** Waits until the emulator has seen at least [count] token requests (device polls). */
    private fun awaitPolls(count: Int) {
        while (emulator.requests("/oauth/token") < count) Thread.sleep(50)
    }

    @Test
    fun `cancelling the coroutine stops device polling`() = runBlocking<Unit> {
        val device = app.startDeviceSignIn()
        val polls = emulator.requests("/oauth/token")
        var outcome: Throwable? = null
        val job = launch(Dispatchers.Default) {
            try {
                app.awaitDeviceSignIn(device)
            } catch (e: Throwable) {
                outcome = e
                throw e
            }
        }
        awaitPolls(polls + 2) // polling runs: at least two polls, one interval apart
        withTimeout(5.seconds) { job.cancelAndJoin() }
        assertTrue(job.isCancelled)
        assertTrue(outcome is CancellationException, "ended with $outcome")
        Thread.sleep(300) // a poll sent just before the cancellation may still be on its way
        val afterCancel = emulator.requests("/oauth/token")
        Thread.sleep(2_500) // more than two polling intervals
        assertEquals(afterCancel, emulator.requests("/oauth/token"), "polling went on after cancellation")
        // The device code is still valid: a new poll after approval succeeds.
        emulator.approveDevice(device.userCode)
        assertEquals(Emulator.APP, app.awaitDeviceSignIn(device).idTokenClaims?.audience?.single())
    }

    @Test
    fun `a CancelToken ends polling with a Cancelled error`() = runBlocking<Unit> {
        val device = app.startDeviceSignIn()
        val token = CancelToken()
        val polling = async(Dispatchers.Default) { runCatching { app.awaitDeviceSignIn(device, token) } }
        awaitPolls(emulator.requests("/oauth/token") + 1)
        token.cancel()
        val result = withTimeout(5.seconds) { polling.await() }
        val e = assertFailsWith<UpbondLoginException.Cancelled> { result.getOrThrow() }
        assertEquals("cancelled", e.code)
        assertTrue(token.isCancelled())
    }
}
