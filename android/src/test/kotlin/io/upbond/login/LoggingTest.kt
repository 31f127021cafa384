package io.upbond.login

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.util.Collections
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** A Kotlin logger receives the SDK's messages, redacted. */
class LoggingTest {
    private class Collecting : Logger {
        val lines: MutableList<String> = Collections.synchronizedList(mutableListOf())
        override fun log(level: LogLevel, target: String, message: String) {
            lines += "$level $target $message"
        }
    }

    @Test
    fun `debug logging shows requests without secrets`() = runBlocking<Unit> {
        val logger = Collecting()
        UpbondLogin.setLogger(logger, debug = true)
        try {
            Emulator().use { emulator ->
                val config = UpbondConfig(emulator.issuer, Emulator.SERVICE) { clientSecret(Emulator.SERVICE_SECRET) }
                UpbondClient(config).use { service ->
                    val tokens = service.clientCredentials(listOf("api:read"))
                    val all = logger.lines.joinToString("\n")
                    assertTrue("/oauth/token" in all, all)
                    assertFalse(tokens.accessToken in all)
                    assertFalse(Emulator.SERVICE_SECRET in all)
                }
            }
        } finally {
            UpbondLogin.setLogger(null)
        }
    }
}
