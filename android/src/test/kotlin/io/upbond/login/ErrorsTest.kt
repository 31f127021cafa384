package io.upbond.login

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.net.ServerSocket
import java.nio.ByteBuffer
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertSame
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** The sealed error hierarchy: mapping, catalog fields, retry hints, and no secrets in messages. */
class ErrorsTest : EmulatorTest() {
    /**
     * The generated variant with wire index [index] and recognisable field values, read by the
     * generated converter (as if the native library had sent it); `null` past the last variant.
     */
    private fun generated(index: Int): UpbondException? {
        val buf = ByteBuffer.allocate(4096)
        buf.putInt(index)
        listOf("code-$index", "detail").forEach { FfiConverterString.write(it, buf) }
        listOf(listOf("a cause"), listOf("a fix")).forEach { FfiConverterSequenceString.write(it, buf) }
        FfiConverterBoolean.write(true, buf)
        FfiConverterBoolean.write(false, buf)
        FfiConverterOptionalULong.write(7_000uL, buf)
        FfiConverterOptionalUShort.write(429.toUShort(), buf)
        listOf("kakao", "api:read").forEach { FfiConverterOptionalString.write(it, buf) }
        buf.flip()
        return runCatching { FfiConverterTypeUpbondError.read(buf) }.getOrNull()
    }

    /** Every generated variant, in wire order. */
    private val variants: List<UpbondException> by lazy {
        generateSequence(1) { it + 1 }.map(::generated).takeWhile { it != null }.filterNotNull().toList()
    }

    @Test
    fun `every generated variant maps to the idiomatic class of the same name with every field`() {
        val declared = UpbondException::class.java.declaredClasses.count { UpbondException::class.java.isAssignableFrom(it) }
        assertEquals(declared, variants.size)
        assertTrue(variants.size >= 33, "found ${variants.size} variants")
        variants.forEachIndexed { i, source ->
            val mapped = source.toLoginException()
            val expectedName = source::class.simpleName!!.replace("ServerException", "ServerError")
            assertEquals(expectedName, mapped::class.simpleName)
            assertEquals("code-${i + 1}", mapped.code)
            assertEquals("detail", mapped.detail)
            assertEquals(listOf("a cause"), mapped.causes)
            assertEquals(listOf("a fix"), mapped.resolution)
            assertTrue(mapped.retryable)
            assertFalse(mapped.reauthenticationRequired)
            assertEquals(7.seconds, mapped.retryAfter)
            assertEquals(429, mapped.status)
            assertSame(source, mapped.cause)
            assertEquals("code-${i + 1}: detail", mapped.message)
        }
    }

    @Test
    fun `provider and scope are on their subclasses`() {
        val social = variants.single { it is UpbondException.SocialProvider }.toLoginException()
        assertEquals("kakao", assertIs<UpbondLoginException.SocialProvider>(social).provider)
        val scope = variants.single { it is UpbondException.InsufficientScope }.toLoginException()
        assertEquals("api:read", assertIs<UpbondLoginException.InsufficientScope>(scope).scope)
    }

    @Test
    fun `an invalid configuration is a Config error before any network`() {
        val e = assertFailsWith<UpbondLoginException.Config> { UpbondClient(UpbondConfig("not a url", "app")) }
        assertEquals("invalid_config", e.code)
        assertTrue(e.resolution.isNotEmpty())
        assertFalse(e.retryable)
    }

    @Test
    fun `an issuer nobody listens on is a retryable network error`() = runBlocking<Unit> {
        val port = ServerSocket(0).use { it.localPort }
        UpbondClient(UpbondConfig("http://127.0.0.1:$port", Emulator.APP) { maxAttempts(1) }).use { client ->
            val e = assertFailsWith<UpbondLoginException.Network> { client.discover() }
            assertEquals("network_connect", e.code)
            assertTrue(e.retryable)
            assertNull(e.status)
        }
    }

    @Test
    fun `the configured request timeout ends a slow call with network_timeout`() = runBlocking<Unit> {
        val config = UpbondConfig(emulator.issuer, Emulator.SERVICE) {
            clientSecret(Emulator.SERVICE_SECRET)
            requestTimeout(300.milliseconds)
            maxAttempts(1)
        }
        UpbondClient(config).use { slow ->
            slow.discover()
            emulator.hook("/_emulator/faults", """{"path":"/oauth/token","times":1,"delay_ms":3000}""")
            val e = assertFailsWith<UpbondLoginException.Network> { slow.clientCredentials(listOf("api:read")) }
            assertEquals("network_timeout", e.code)
            assertTrue(e.retryable)
        }
        assertFailsWith<IllegalArgumentException> { UpbondConfig.builder(emulator.issuer, Emulator.APP).maxAttempts(0) }
    }

    @Test
    fun `a long Retry-After ends the call with the wait on the error`() = runBlocking<Unit> {
        service.discover()
        emulator.hook(
            "/_emulator/faults",
            """{"path":"/oauth/token","times":1,"status":429,"retry_after":"30",
               "body":"{\"error\":\"rate_limit_exceeded\",\"error_description\":\"Too many requests. Please try again later.\"}"}""",
        )
        val e = assertFailsWith<UpbondLoginException.RateLimited> { service.clientCredentials(listOf("api:read")) }
        assertEquals("rate_limit_exceeded", e.code)
        assertEquals(429, e.status)
        assertEquals(30.seconds, e.retryAfter)
        assertTrue(e.retryable)
    }

    @Test
    fun `errors catch as one sealed type and dispatch exhaustively`() = runBlocking<Unit> {
        val e: UpbondLoginException = assertFailsWith { service.refresh("secret-refresh-token-123") }
        val advice = when (e) {
            is UpbondLoginException.InvalidGrant, is UpbondLoginException.UnauthorizedClient -> "sign in again"
            else -> "other: ${e.code}"
        }
        assertEquals("sign in again", advice, e.toString())
        assertFalse("secret-refresh-token-123" in e.toString())
        assertFalse("secret-refresh-token-123" in e.stackTraceToString())
        assertFalse(Emulator.SERVICE_SECRET in e.stackTraceToString())
    }

    @Test
    fun `toString of configs and token holders never shows a secret`() = runBlocking<Unit> {
        val config = UpbondConfig(emulator.issuer, Emulator.SERVICE) { clientSecret(Emulator.SERVICE_SECRET) }
        assertFalse(Emulator.SERVICE_SECRET in config.toString())
        val tokens = service.clientCredentials(listOf("api:read"))
        assertFalse(tokens.accessToken in tokens.toString())
        assertTrue("accessToken=[REDACTED]" in tokens.toString())
        val request = app.beginSignIn()
        val verifier = request.pending.ffi.codeVerifier
        assertFalse(verifier in request.toString())
        assertTrue(verifier in request.pending.toJson()) // the persisted form keeps it
    }

    @Test
    fun `the catalog explains codes`() {
        val entry = assertNotNull(UpbondLogin.explain("email_007"))
        assertEquals("EMAIL_007", entry.code)
        assertTrue(entry.resolution.isNotEmpty())
        assertTrue(UpbondLogin.catalog().any { it.code == "KOE101" })
        assertEquals("ABCD-EFGH", UpbondLogin.normalizeUserCode(" abcd efgh"))
        assertFailsWith<UpbondLoginException.InvalidUserCode> { UpbondLogin.normalizeUserCode("??") }
        Unit
    }
}
