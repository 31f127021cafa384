package io.upbond.login

import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** The UPBOND user API: profile, verification email, email change and EMAIL_007. */
class UserApiTest : EmulatorTest() {
    /** The access token and user ID (`sub`) of a sign-in. */
    private suspend fun user(email: String = Emulator.USER): Pair<String, String> =
        signIn(email).let { it.accessToken to it.idTokenClaims!!.subject }

    /** The emails the emulator "sent" to [to]. */
    private fun outbox(to: String): List<JsonObject> =
        emulator.get("/_emulator/outbox").jsonArray.map { it.jsonObject }.filter { it["to"]?.jsonPrimitive?.content == to }

    @Test
    fun `a wrong current password is EMAIL_007`() = runBlocking<Unit> {
        val (token, user) = user()
        val e = assertFailsWith<UpbondLoginException.EmailPasswordRejected> {
            app.changeEmail(token, user, "elsewhere@example.com", "not-the-password-789")
        }
        assertEquals("EMAIL_007", e.code)
        assertFalse(e.retryable)
        assertTrue(e.resolution.isNotEmpty())
        assertFalse("not-the-password-789" in e.stackTraceToString())
        assertEquals(Emulator.USER, app.userProfile(token, user).email) // nothing changed
    }

    @Test
    fun `profile, verification email and an email change with its code`() = runBlocking<Unit> {
        val unverified = "unverified-user@example.com"
        val (token, user) = user(unverified)
        val profile = app.userProfile(token, user)
        assertEquals(user, profile.id)
        assertEquals(false, profile.emailVerified)

        app.resendVerificationEmail(token, user)
        assertTrue(outbox(unverified).any { it["kind"]?.jsonPrimitive?.content == "verification" })

        val newEmail = "renamed-user@example.com"
        app.changeEmail(token, user, newEmail, Emulator.PASSWORD)
        val code = outbox(newEmail).single()["code"]!!.jsonPrimitive.content
        assertFailsWith<UpbondLoginException.EmailOperationFailed> { app.verifyEmail(token, user, "WRONG-CODE") }
        app.verifyEmail(token, user, code)
        assertEquals(newEmail, app.userProfile(token, user).email)
    }

    @Test
    fun `another user's profile is refused`() = runBlocking<Unit> {
        val (token, user) = user()
        val e = assertFailsWith<UpbondLoginException> { app.userProfile(token, "$user-other") }
        assertTrue(e is UpbondLoginException.InsufficientScope || e is UpbondLoginException.InvalidToken, e.toString())
    }
}
