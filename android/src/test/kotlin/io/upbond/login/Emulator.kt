package io.upbond.login

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.TimeUnit

/**
 * The local UPBOND Login emulator (`upbond-emulator --port 0`), started as a child process
 * for the tests, with its JSON test hooks under `/_emulator/`.
 */
class Emulator : AutoCloseable {
    private val process: Process
    private val http = HttpClient.newHttpClient()

    /** `http://127.0.0.1:PORT`. */
    val issuer: String

    init {
        val binary = System.getProperty("upbond.emulator")
            ?: error("system property upbond.emulator (path of the upbond-emulator binary) is not set")
        check(File(binary).canExecute()) { "emulator binary missing: $binary (cargo build -p upbond-emulator)" }
        process = ProcessBuilder(binary, "--port", "0")
            .redirectError(ProcessBuilder.Redirect.appendTo(File("target/emulator.log")))
            .start()
        val line = process.inputReader().readLine()
            ?: error("the emulator exited before printing its issuer")
        issuer = line.removePrefix("issuer: ").trim()
        check(issuer.startsWith("http://127.0.0.1:")) { "unexpected first line: $line" }
    }

    /** POSTs [json] to a test hook (or DELETEs with [method]); returns status and parsed body. */
    fun hook(path: String, json: String? = null, method: String = "POST"): Pair<Int, JsonElement?> {
        val body = json?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody()
        val request = HttpRequest.newBuilder(URI.create(issuer + path))
            .header("Content-Type", "application/json")
            .method(method, body)
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        val parsed = response.body().takeIf { it.isNotBlank() }?.let { Json.parseToJsonElement(it) }
        return response.statusCode() to parsed
    }

    /** GETs a hook's JSON. */
    fun get(path: String): JsonElement = hook(path, method = "GET").second ?: JsonObject(emptyMap())

    /** Approves (or denies) the authorization URL as the seeded user; returns the redirect URL. */
    fun authorize(url: String, email: String = USER, deny: Boolean = false): String {
        val (status, body) = hook("/_emulator/authorize", """{"url":${Json.encodeToString(url)},"email":"$email","deny":$deny}""")
        check(status == 200) { "authorize hook answered $status: $body" }
        return body!!.jsonObject.getValue("redirect_url").jsonPrimitive.content
    }

    /** Approves (or denies) a device sign-in by its user code. */
    fun approveDevice(userCode: String, deny: Boolean = false) {
        val (status, body) = hook("/_emulator/device", """{"user_code":"$userCode","email":"$USER","deny":$deny}""")
        check(status == 200) { "device hook answered $status: $body" }
    }

    /** Changes run-time settings, e.g. `"device_interval_secs": 1`. */
    fun settings(json: String) {
        val (status, body) = hook("/_emulator/settings", json)
        check(status == 200) { "settings hook answered $status: $body" }
    }

    /** How many requests reached [path] since the start (or the last reset). */
    fun requests(path: String): Int =
        get("/_emulator/stats").jsonObject["requests"]?.jsonObject?.get(path)?.jsonPrimitive?.content?.toInt() ?: 0

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    companion object {
        /** The seeded verified user. */
        const val USER = "demo-user@example.com"
        const val PASSWORD = "demo-password"
        const val APP = "demo-app"
        const val SERVICE = "demo-service"
        const val SERVICE_SECRET = "demo-service-secret"
        const val REDIRECT = "com.upbond.demo:/callback"
    }
}
