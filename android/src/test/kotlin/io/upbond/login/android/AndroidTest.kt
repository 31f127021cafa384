package io.upbond.login.android

import android.app.Activity
import android.content.ComponentName
import android.content.Intent
import android.content.IntentFilter
import android.net.Uri
import android.security.keystore.KeyProperties
import org.robolectric.RuntimeEnvironment
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import java.io.File
import javax.crypto.AEADBadTagException
import io.upbond.login.Emulator
import io.upbond.login.UpbondClient
import io.upbond.login.UpbondConfig
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.async
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.withTimeout
import kotlin.time.Duration.Companion.seconds

/**
 * The Android pieces under Robolectric: the Keystore token store (over a stand-in keystore
 * provider), the browser intent and the redirect hand-off. Not covered here: real Keystore
 * hardware, biometric prompts, and real browsers (see README.md).
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34])
class AndroidTest {
    private val context get() = RuntimeEnvironment.getApplication()

    @Before
    fun keystore() {
        FakeAndroidKeyStore.install()
        FakeAndroidKeyStore.keys.clear()
    }

    @Test
    fun keystoreStoreEncryptsWithAKeyFromTheKeystore() {
        val store = KeystoreTokenStore(context, "test_session")
        assertNull(store.load())
        val record = """{"access_token":"secret-access-token-42"}""".toByteArray()
        store.save(record)
        val file = File(context.noBackupFilesDir, "test_session.enc")
        assertTrue(file.exists())
        assertFalse(String(file.readBytes(), Charsets.ISO_8859_1).contains("secret-access-token-42"))
        assertArrayEquals(record, store.load())
        assertArrayEquals(record, KeystoreTokenStore(context, "test_session").load())

        val (_, spec) = FakeAndroidKeyStore.keys.getValue("io.upbond.login.test_session")
        assertEquals(256, spec.keySize)
        assertArrayEquals(arrayOf(KeyProperties.BLOCK_MODE_GCM), spec.blockModes)
        assertTrue(spec.isRandomizedEncryptionRequired)
        assertFalse(spec.isUserAuthenticationRequired)

        store.delete()
        assertNull(store.load())
    }

    @Test
    fun eachSaveUsesAFreshNonceAndTamperingIsDetected() {
        val store = KeystoreTokenStore(context, "nonce_test")
        store.save(ByteArray(16))
        val file = File(context.noBackupFilesDir, "nonce_test.enc")
        val first = file.readBytes()
        store.save(ByteArray(16))
        val second = file.readBytes()
        assertFalse(first.copyOfRange(1, 13).contentEquals(second.copyOfRange(1, 13)))
        second[second.size - 1] = (second.last() + 1).toByte()
        file.writeBytes(second)
        try {
            store.load()
            throw AssertionError("a tampered record was accepted")
        } catch (_: AEADBadTagException) {
        }
    }

    @Test
    fun stores_areSeparatedByName_andUserAuthenticationIsRequestedWhenAsked() {
        KeystoreTokenStore(context, "one").save("1".toByteArray())
        KeystoreTokenStore(context, "two", userAuthentication = 30).save("2".toByteArray())
        assertEquals("1", String(KeystoreTokenStore(context, "one").load()!!))
        val (_, spec) = FakeAndroidKeyStore.keys.getValue("io.upbond.login.two")
        assertTrue(spec.isUserAuthenticationRequired)
        assertEquals(30, spec.userAuthenticationValidityDurationSeconds)
    }

    @Test
    fun aRecordWhoseKeyIsGoneReadsAsSignedOut() {
        val store = KeystoreTokenStore(context, "lost_key")
        store.save("record".toByteArray())
        FakeAndroidKeyStore.keys.clear()
        assertNull(store.load())
        assertFalse(File(context.noBackupFilesDir, "lost_key.enc").exists())
        store.save("again".toByteArray()) // a new key is made
        assertEquals("again", String(store.load()!!))
    }

    @Test
    fun browserIntentIsACustomTabsViewIntent() {
        val intent = BrowserSignIn.browserIntent("https://login.example/authorize?x=1")
        assertEquals(Intent.ACTION_VIEW, intent.action)
        assertEquals(Uri.parse("https://login.example/authorize?x=1"), intent.data)
        assertTrue(intent.hasCategory(Intent.CATEGORY_BROWSABLE))
        assertTrue(intent.extras!!.containsKey("android.support.customtabs.extra.SESSION"))
    }

    @Test
    fun redirectActivityHandsTheCallbackToTheWaitingSignInAndCloses() = runBlocking {
        val waiting = async(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) { Redirects.await("st-1") }
        // A stale redirect of another sign-in is ignored.
        receive("com.upbond.demo:/callback?code=old&state=st-0")
        val controller = receive("com.upbond.demo:/callback?code=c1&state=st-1")
        assertTrue(controller.get().isFinishing)
        val url = withTimeout(5.seconds) { waiting.await() }
        assertEquals("com.upbond.demo:/callback?code=c1&state=st-1", url)
    }

    @Test
    fun browserSignInEndToEndAgainstTheEmulator() = runBlocking {
        Emulator().use { emulator ->
            val config = UpbondConfig(emulator.issuer, Emulator.APP) { redirectUri(Emulator.REDIRECT) }
            UpbondClient(config).use { client ->
                val activity = Robolectric.buildActivity(Activity::class.java).setup().get()
                val signIn = async { BrowserSignIn(client, activity).signIn(activity, loginHint = Emulator.USER) }
                var opened: Intent? = null
                withTimeout(10.seconds) {
                    while (opened == null) {
                        delay(10)
                        opened = shadowOf(activity).nextStartedActivity
                    }
                }
                val url = opened!!.dataString!!
                assertTrue(url, url.startsWith("${emulator.issuer}/oauth/authorize?"))
                assertTrue(opened!!.extras!!.containsKey("android.support.customtabs.extra.SESSION"))
                // The user signs in in the browser, which then opens the app's redirect URI.
                val callback = emulator.authorize(url)
                receive(callback)
                val tokens = withTimeout(10.seconds) { signIn.await() }
                assertEquals(Emulator.APP, tokens.idTokenClaims!!.audience.single())
                // Nothing pending is left behind for a restart.
                assertNull(BrowserSignIn(client, activity).completeAfterRestart(callback))
                // The support report names the platform and keeps the tokens out.
                client.setPlatformInfo(AndroidPlatformInfo(activity))
                val report = client.supportReport()
                assertTrue(report, report.contains("Android") && report.contains("(API 34)"))
                assertFalse(report.contains(tokens.accessToken))
            }
        }
    }

    @Test
    fun aRedirectNobodyWaitsForOpensTheLauncherActivityWithIt() {
        val launcher = ComponentName(context, LauncherStub::class.java)
        shadowOf(context.packageManager).apply {
            addActivityIfNotPresent(launcher)
            addIntentFilterForActivity(launcher, IntentFilter(Intent.ACTION_MAIN).apply { addCategory(Intent.CATEGORY_LAUNCHER) })
        }
        val url = "com.upbond.demo:/callback?code=c2&state=st-2"
        val controller = receive(url)
        val started = shadowOf(controller.get()).nextStartedActivity
        assertEquals(launcher, started.component)
        assertEquals(url, started.dataString)
        assertTrue(controller.get().isFinishing)
    }

    /** Stands for the app's launcher activity. */
    class LauncherStub : Activity()

    /** The redirect activity, created for [url] as the browser would open it. */
    private fun receive(url: String) = Robolectric.buildActivity(RedirectActivity::class.java, redirect(url)).create()

    private fun redirect(url: String) = Intent(Intent.ACTION_VIEW, Uri.parse(url))
}
