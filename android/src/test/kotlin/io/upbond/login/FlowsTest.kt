package io.upbond.login

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.net.URI
import java.net.URLDecoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Every flow end to end through the native library against the emulator. */
class FlowsTest : EmulatorTest("""{"rate_limits": false, "device_interval_secs": 1}""") {
    override fun appConfig(issuer: String) = UpbondConfig(issuer, Emulator.APP) {
        redirectUri(Emulator.REDIRECT)
        postLogoutRedirectUri("com.upbond.demo:/signed-out")
    }

    private fun query(url: String): Map<String, String> =
        URI.create(url).rawQuery.split('&').associate {
            val (name, value) = it.split('=', limit = 2)
            name to URLDecoder.decode(value, Charsets.UTF_8)
        }

    @Test
    fun `authorization code flow returns validated tokens`() = runBlocking<Unit> {
        val request = app.beginSignIn(loginHint = Emulator.USER)
        val params = query(request.url)
        assertTrue(request.url.startsWith("${emulator.issuer}/oauth/authorize?"), request.url)
        assertEquals("S256", params["code_challenge_method"])
        assertEquals(request.pending.state, params["state"])
        assertEquals(Emulator.USER, params["login_hint"])
        val tokens = app.completeSignIn(request.pending, emulator.authorize(request.url))
        val claims = assertNotNull(tokens.idTokenClaims)
        assertEquals(emulator.issuer, claims.issuer)
        assertEquals(listOf(Emulator.APP), claims.audience)
        assertNotNull(tokens.refreshToken)
        assertTrue(tokens.expiresAt!!.isAfter(Instant.now()))
    }

    @Test
    fun `a pending sign-in survives process death as JSON`() = runBlocking<Unit> {
        val request = app.beginSignIn()
        val restored = PendingSignIn.fromJson(request.pending.toJson())
        assertEquals(request.pending.state, restored.state)
        val tokens = app.completeSignIn(restored, emulator.authorize(request.url))
        assertNotNull(tokens.idTokenClaims)
        assertFailsWith<UpbondLoginException.Storage> { PendingSignIn.fromJson("{}") }
        Unit
    }

    @Test
    fun `a callback for another sign-in is a state mismatch`() = runBlocking<Unit> {
        val first = app.beginSignIn()
        val second = app.beginSignIn()
        val e = assertFailsWith<UpbondLoginException.StateMismatch> {
            app.completeSignIn(first.pending, emulator.authorize(second.url))
        }
        assertEquals("state_mismatch", e.code)
    }

    @Test
    fun `a denied authorization is AccessDenied`() = runBlocking<Unit> {
        val request = app.beginSignIn()
        val e = assertFailsWith<UpbondLoginException.AccessDenied> {
            app.completeSignIn(request.pending, emulator.authorize(request.url, deny = true))
        }
        assertTrue(e.reauthenticationRequired)
        assertTrue(e.resolution.isNotEmpty())
    }

    @Test
    fun `a broken social provider names its provider and code`() = runBlocking<Unit> {
        emulator.hook("/_emulator/social", """{"provider":"kakao","broken":true}""")
        try {
            val request = app.beginSignIn(provider = SocialProvider.KAKAO)
            assertEquals("kakao", query(request.url)["provider"])
            val e = assertFailsWith<UpbondLoginException.SocialProvider> {
                app.completeSignIn(request.pending, emulator.authorize(request.url))
            }
            assertEquals("KOE101", e.code)
            assertEquals("kakao", e.provider)
        } finally {
            emulator.hook("/_emulator/social", """{"provider":"kakao","broken":false}""")
        }
    }

    @Test
    fun `device flow completes once the user approves`() = runBlocking<Unit> {
        var shown: DeviceCode? = null
        val tokens = app.signInWithDeviceCode { device ->
            shown = device
            assertTrue(Regex("[A-Z2-9]{4}-[A-Z2-9]{4}").matches(device.userCode), device.userCode)
            assertEquals("${emulator.issuer}/device", device.verificationUri)
            assertTrue(device.expiresAt.isAfter(Instant.now()))
            emulator.approveDevice(device.userCode)
        }
        assertNotNull(shown)
        assertNotNull(tokens.idTokenClaims)
        assertTrue("deviceCode=[REDACTED]" in shown.toString())
    }

    @Test
    fun `device polling waits for an approval that comes later`() = runBlocking<Unit> {
        val device = app.startDeviceSignIn()
        val before = emulator.requests("/oauth/token")
        val polling = async(Dispatchers.Default) { app.awaitDeviceSignIn(device) }
        while (emulator.requests("/oauth/token") < before + 2) Thread.sleep(50) // pending at least twice
        emulator.approveDevice(device.userCode.lowercase().replace("-", " "))
        val tokens = polling.await()
        assertNotNull(tokens.refreshToken)
        assertEquals(Emulator.APP, tokens.idTokenClaims?.audience?.single())
    }

    @Test
    fun `a denied device sign-in is AccessDenied and an expired one DeviceCodeExpired`() = runBlocking<Unit> {
        val denied = app.startDeviceSignIn()
        emulator.approveDevice(denied.userCode, deny = true)
        assertFailsWith<UpbondLoginException.AccessDenied> { app.awaitDeviceSignIn(denied) }
        val expired = app.startDeviceSignIn()
        emulator.hook("/_emulator/device/expire-all")
        val e = assertFailsWith<UpbondLoginException.DeviceCodeExpired> { app.awaitDeviceSignIn(expired) }
        assertEquals("expired_token", e.code)
    }

    @Test
    fun `client credentials for a confidential client`() = runBlocking<Unit> {
        val config = UpbondConfig.builder(emulator.issuer, Emulator.SERVICE)
            .clientSecret(Emulator.SERVICE_SECRET)
            .scopes("api:read")
            .build()
        UpbondClient(config).use { service ->
            val tokens = service.clientCredentials()
            assertEquals(listOf("api:read"), tokens.scopes)
            assertNull(tokens.refreshToken)
            assertNull(tokens.idToken)
        }
        val wrong = UpbondConfig.builder(emulator.issuer, Emulator.SERVICE).clientSecret("wrong-secret").maxAttempts(1).build()
        UpbondClient(wrong).use { service ->
            val e = assertFailsWith<UpbondLoginException.InvalidClient> { service.clientCredentials(listOf("api:read")) }
            assertTrue("wrong-secret" !in e.toString())
        }
    }

    @Test
    fun `refresh rotates and reuse of the old refresh token is refused`() = runBlocking<Unit> {
        val first = signIn()
        val second = app.refresh(first.refreshToken!!)
        assertNotEquals(first.accessToken, second.accessToken)
        assertNotEquals(first.refreshToken, second.refreshToken)
        val e = assertFailsWith<UpbondLoginException.InvalidGrant> { app.refresh(first.refreshToken!!) }
        assertTrue(e.reauthenticationRequired)
        assertTrue(first.refreshToken!! !in e.message!!)
    }

    @Test
    fun `revoked tokens stop working`() = runBlocking<Unit> {
        val tokens = signIn()
        app.revoke(tokens.refreshToken!!, TokenTypeHint.REFRESH_TOKEN)
        assertFailsWith<UpbondLoginException.InvalidGrant> { app.refresh(tokens.refreshToken!!) }
        app.revoke(tokens.accessToken, TokenTypeHint.ACCESS_TOKEN)
        val e = assertFailsWith<UpbondLoginException.InvalidToken> { app.userInfo(tokens.accessToken) }
        assertEquals(401, e.status ?: 401)
        app.revoke("never-issued") // unknown tokens count as revoked (RFC 7009)
    }

    @Test
    fun `userinfo as JSON and as a signed JWT`() = runBlocking<Unit> {
        val tokens = signIn()
        val subject = tokens.idTokenClaims!!.subject
        val info = app.userInfo(tokens.accessToken, expectedSubject = subject)
        assertEquals(subject, info.subject)
        assertEquals(Emulator.USER, info.email)
        assertEquals(true, info.emailVerified)
        assertEquals(subject, app.userInfoJwt(tokens.accessToken).subject)
        assertFailsWith<UpbondLoginException.UserInfoSubjectMismatch> {
            app.userInfo(tokens.accessToken, expectedSubject = "someone-else")
        }
        Unit
    }

    @Test
    fun `logout URL ends the session and returns with the state`() = runBlocking<Unit> {
        val tokens = signIn()
        val url = app.logoutUrl(idTokenHint = tokens.idToken, state = "bye-1")
        val params = query(url)
        assertTrue(url.startsWith("${emulator.issuer}/oauth/logout?"), url)
        assertEquals(tokens.idToken, params["id_token_hint"])
        assertEquals("com.upbond.demo:/signed-out", params["post_logout_redirect_uri"])
        val response = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        assertTrue(response.statusCode() in 300..399, "status ${response.statusCode()}")
        val location = response.headers().firstValue("location").orElseThrow()
        assertTrue(location.startsWith("com.upbond.demo:/signed-out"), location)
        assertTrue("state=bye-1" in location, location)
    }

    @Test
    fun `discovery and doctor see the emulator`() = runBlocking<Unit> {
        assertTrue("\"issuer\":\"${emulator.issuer}\"" in app.discover())
        val report = app.doctor()
        assertEquals(emulator.issuer, report.issuer)
        assertNotEquals(CheckStatus.FAIL, report.status, report.toString())
        assertTrue(app.metrics().requests > 0u)
        assertTrue(emulator.issuer in app.supportReport())
    }
}
