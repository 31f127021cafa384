package io.upbond.login

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance

/**
 * Base of the test classes: one emulator per class (started with [settings]), the public app
 * client [app] and, on first use, the confidential [service] client (retries and budgets off).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EmulatorTest(private val settings: String = """{"rate_limits": false}""") {
    lateinit var emulator: Emulator
    lateinit var app: UpbondClient
    private val serviceClient = lazy {
        UpbondClient(
            UpbondConfig(emulator.issuer, Emulator.SERVICE) {
                clientSecret(Emulator.SERVICE_SECRET)
                maxAttempts(1)
                rateBudgets(false)
            },
        )
    }
    val service: UpbondClient by serviceClient

    /** The app's configuration; subclasses may add settings. */
    protected open fun appConfig(issuer: String) = UpbondConfig(issuer, Emulator.APP) { redirectUri(Emulator.REDIRECT) }

    @BeforeAll
    fun startEmulator() {
        emulator = Emulator()
        emulator.settings(settings)
        app = UpbondClient(appConfig(emulator.issuer))
    }

    @AfterAll
    fun stopEmulator() {
        app.close()
        if (serviceClient.isInitialized()) service.close()
        emulator.close()
    }

    /** A browser sign-in of [email], approved through the emulator's authorize hook. */
    suspend fun signIn(email: String = Emulator.USER): Tokens {
        val request = app.beginSignIn()
        return app.completeSignIn(request.pending, emulator.authorize(request.url, email))
    }
}
