package io.upbond.login.android

import android.app.Activity
import android.content.Context
import android.content.Intent
import android.net.Uri
import android.os.Bundle
import io.upbond.login.PendingSignIn
import io.upbond.login.SocialProvider
import io.upbond.login.Tokens
import io.upbond.login.UpbondClient
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.flow.first
import java.util.concurrent.atomic.AtomicInteger

/**
 * The authorization code flow on Android (RFC 8252): opens the authorization URL in a Custom
 * Tab (or the default browser), waits for [RedirectActivity] to receive the redirect, and
 * exchanges the code. The pending sign-in (with its PKCE verifier) is kept in the app's
 * private preferences, so [completeAfterRestart] can finish the sign-in when the process was
 * killed while the browser was open.
 */
class BrowserSignIn(private val client: UpbondClient, context: Context) {
    private val prefs = context.applicationContext.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    /**
     * Signs in through the browser. Cancel the coroutine when the user comes back without a
     * redirect (e.g. closed the tab); errors are `UpbondLoginException`s.
     */
    suspend fun signIn(
        activity: Activity,
        scopes: List<String> = emptyList(),
        provider: SocialProvider? = null,
        loginHint: String? = null,
        prompt: String? = null,
    ): Tokens {
        val request = client.beginSignIn(scopes, provider, loginHint, prompt)
        prefs.edit().putString(KEY_PENDING, request.pending.toJson()).apply()
        try {
            activity.startActivity(browserIntent(request.url))
            val callback = Redirects.await(request.pending.state)
            return client.completeSignIn(request.pending, callback)
        } finally {
            prefs.edit().remove(KEY_PENDING).apply()
        }
    }

    /**
     * Finishes a sign-in whose process died while the browser was open: call it with the URL
     * [RedirectActivity] received (its `intent.data`). `null` when no sign-in was pending.
     */
    suspend fun completeAfterRestart(callbackUrl: String): Tokens? {
        val json = prefs.getString(KEY_PENDING, null) ?: return null
        prefs.edit().remove(KEY_PENDING).apply()
        return client.completeSignIn(PendingSignIn.fromJson(json), callbackUrl)
    }

    companion object {
        private const val PREFS = "io.upbond.login.pending"
        private const val KEY_PENDING = "pending_sign_in"

        /** The extra that makes a browser that supports Custom Tabs open [url] as one. */
        private const val EXTRA_CUSTOM_TABS_SESSION = "android.support.customtabs.extra.SESSION"

        /**
         * A VIEW intent for [url] that Custom Tab browsers open in a tab over the app (the
         * Custom Tabs protocol without the AndroidX dependency) and others as a normal page.
         */
        @JvmStatic
        fun browserIntent(url: String): Intent =
            Intent(Intent.ACTION_VIEW, Uri.parse(url))
                .addCategory(Intent.CATEGORY_BROWSABLE)
                .putExtras(Bundle().apply { putBinder(EXTRA_CUSTOM_TABS_SESSION, null) })
    }
}

/** Hands the redirect from [RedirectActivity] to the waiting [BrowserSignIn.signIn]. */
internal object Redirects {
    private val latest = MutableStateFlow<Uri?>(null)
    private val waiting = AtomicInteger()

    /** Whether a sign-in in this process waits for a redirect. */
    val awaited: Boolean get() = waiting.get() > 0

    /** Called with each redirect the app receives. */
    fun deliver(uri: Uri) {
        latest.value = uri
    }

    /** The next redirect carrying [state] (others, e.g. stale ones, are ignored). */
    suspend fun await(state: String): String {
        waiting.incrementAndGet()
        try {
            val uri = latest.filterNotNull().first { it.getQueryParameter("state") == state }
            latest.compareAndSet(uri, null)
            return uri.toString()
        } finally {
            waiting.decrementAndGet()
        }
    }
}

/**
 * Receives the authorization redirect (declared in the library manifest for the scheme in the
 * `upbondRedirectScheme` manifest placeholder), hands it on and closes at once, so the user is
 * back in the activity that started the sign-in. When no sign-in waits (the process was
 * restarted while the browser was open), it opens the app's launcher activity with the
 * redirect as its `intent.data`, for [BrowserSignIn.completeAfterRestart].
 */
class RedirectActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        handOn(intent)
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        handOn(intent)
    }

    private fun handOn(intent: Intent?) {
        val uri = intent?.data
        if (uri != null) {
            if (Redirects.awaited) {
                Redirects.deliver(uri)
            } else {
                packageManager.getLaunchIntentForPackage(packageName)?.let { launch ->
                    startActivity(launch.setData(uri).addFlags(Intent.FLAG_ACTIVITY_CLEAR_TOP))
                }
            }
        }
        finish()
    }
}
