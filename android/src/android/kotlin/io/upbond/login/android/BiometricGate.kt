package io.upbond.login.android

import android.app.Activity
import android.app.KeyguardManager
import android.content.Context
import android.hardware.biometrics.BiometricManager.Authenticators
import android.hardware.biometrics.BiometricPrompt
import android.os.Build
import android.os.CancellationSignal
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * Unlocks a [KeystoreTokenStore] made with `userAuthentication`: asks for a strong biometric,
 * with the device PIN, pattern or password as the fallback (Android 10+; on Android 9 the
 * fallback needs a biometric). Uses the platform prompt, so no AndroidX dependency.
 */
object BiometricGate {
    /** Whether a screen lock is set: without one, make the store without `userAuthentication`. */
    @JvmStatic
    fun isAvailable(context: Context): Boolean =
        Build.VERSION.SDK_INT >= Build.VERSION_CODES.P &&
            context.getSystemService(KeyguardManager::class.java).isDeviceSecure

    /**
     * Shows the prompt; returns once the user authenticated. Throws [AuthenticationFailed]
     * when the user cancels or authentication is impossible; cancelling the coroutine closes
     * the prompt.
     */
    suspend fun authenticate(activity: Activity, title: String, subtitle: String? = null) {
        check(Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) { "the biometric prompt needs Android 9 or newer" }
        val builder = BiometricPrompt.Builder(activity).setTitle(title)
        subtitle?.let(builder::setSubtitle)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
            builder.setAllowedAuthenticators(Authenticators.BIOMETRIC_STRONG or Authenticators.DEVICE_CREDENTIAL)
        } else if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q) {
            @Suppress("DEPRECATION")
            builder.setDeviceCredentialAllowed(true)
        } else {
            builder.setNegativeButton(activity.getString(android.R.string.cancel), activity.mainExecutor) { _, _ -> }
        }
        val prompt = builder.build()
        suspendCancellableCoroutine { continuation ->
            val signal = CancellationSignal()
            continuation.invokeOnCancellation { signal.cancel() }
            prompt.authenticate(
                signal,
                activity.mainExecutor,
                object : BiometricPrompt.AuthenticationCallback() {
                    override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) =
                        continuation.resume(Unit)

                    override fun onAuthenticationError(code: Int, message: CharSequence) =
                        continuation.resumeWithException(AuthenticationFailed(code, message.toString()))
                },
            )
        }
    }

    /** The user cancelled, or the device cannot authenticate ([code]: `BiometricPrompt.BIOMETRIC_ERROR_*`). */
    class AuthenticationFailed(val code: Int, message: String) : Exception(message)
}
