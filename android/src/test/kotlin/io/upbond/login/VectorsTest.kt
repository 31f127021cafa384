package io.upbond.login

import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.longOrNull
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import java.io.File
import java.time.Instant
import kotlin.math.abs
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * The shared conformance vectors (errors.json and tokens.json in tests/vectors, also run by the Rust and Python
 * suites): each token endpoint answer is served once by the emulator's fault hook while a
 * confidential client asks for client credentials, and the outcome must match the vector.
 */
class VectorsTest : EmulatorTest() {
    @BeforeAll
    fun discover() = runBlocking<Unit> { service.discover() } // so that each fault hits the token request

    private fun vectors(file: String): List<JsonObject> {
        val dir = System.getProperty("upbond.vectors") ?: error("system property upbond.vectors is not set")
        val root = Json.parseToJsonElement(File(dir, file).readText()).jsonObject
        return root.getValue("vectors").jsonArray.map { it.jsonObject }
    }

    /** Queues the vector's response at the token endpoint, then asks for client credentials. */
    private fun serve(vector: JsonObject): Result<Tokens> {
        val response = vector.getValue("response").jsonObject
        val fault = buildMap<String, JsonElement> {
            put("path", JsonPrimitive("/oauth/token"))
            put("times", JsonPrimitive(1))
            for (key in listOf("status", "body", "content_type", "retry_after")) response[key]?.let { put(key, it) }
        }
        val (status, body) = emulator.hook("/_emulator/faults", JsonObject(fault).toString())
        check(status == 200) { "fault hook answered $status: $body" }
        return runBlocking { runCatching { service.clientCredentials() } }
    }

    private fun JsonElement.orNull(): JsonElement? = if (this is JsonNull) null else this

    @TestFactory
    fun errors(): List<DynamicTest> = vectors("errors.json").map { vector ->
        DynamicTest.dynamicTest(vector.getValue("name").jsonPrimitive.content) {
            val expect = vector.getValue("expect").jsonObject
            val e = assertFailsWith<UpbondLoginException> { serve(vector).getOrThrow() }
            assertEquals(expect.getValue("code").jsonPrimitive.content, e.code)
            assertEquals(expect.getValue("retryable").jsonPrimitive.booleanOrNull, e.retryable)
            assertEquals(expect.getValue("reauthentication_required").jsonPrimitive.booleanOrNull, e.reauthenticationRequired)
            assertEquals(expect["retry_after_ms"]?.orNull()?.jsonPrimitive?.longOrNull, e.retryAfter?.inWholeMilliseconds)
            assertEquals(expect["status"]?.orNull()?.jsonPrimitive?.longOrNull?.toInt(), e.status)
            expect["detail_contains"]?.jsonPrimitive?.contentOrNull?.let { part ->
                assertTrue(part in e.detail, "detail '${e.detail}' lacks '$part'")
            }
        }
    }

    @TestFactory
    fun tokens(): List<DynamicTest> = vectors("tokens.json").map { vector ->
        DynamicTest.dynamicTest(vector.getValue("name").jsonPrimitive.content) {
            val expect = vector.getValue("expect").jsonObject
            val tokens = serve(vector).getOrThrow()
            assertEquals(expect.getValue("access_token").jsonPrimitive.content, tokens.accessToken)
            assertEquals(expect["refresh_token"]?.orNull()?.jsonPrimitive?.content, tokens.refreshToken)
            assertEquals(
                (expect["scopes"]?.orNull() as JsonArray?)?.map { it.jsonPrimitive.content },
                tokens.scopes,
            )
            val want = expect["expires_in"]?.orNull()?.jsonPrimitive?.longOrNull
            val got = tokens.expiresAt?.epochSecond?.minus(Instant.now().epochSecond)
            if (want == null || got == null) {
                assertEquals(want, got)
            } else {
                assertTrue(abs(want - got) <= 5, "expires in $got s, expected $want s")
            }
        }
    }
}
