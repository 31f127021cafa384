package io.upbond.login.android

import android.content.Context
import android.os.Build
import io.upbond.login.PlatformInfo

/**
 * Platform details for the support report ([io.upbond.login.UpbondClient.supportReport]):
 * Android version, device model and the app's package and version. Nothing personal.
 * Use: `client.setPlatformInfo(AndroidPlatformInfo(context))`.
 */
class AndroidPlatformInfo(context: Context) : PlatformInfo {
    private val app = context.applicationContext

    override fun info(): Map<String, String> {
        @Suppress("DEPRECATION") // the non-deprecated overload needs API 33
        val version = app.packageManager.getPackageInfo(app.packageName, 0).versionName
        return mapOf(
            "os" to "Android ${Build.VERSION.RELEASE} (API ${Build.VERSION.SDK_INT})",
            "device" to "${Build.MANUFACTURER} ${Build.MODEL}",
            "app" to "${app.packageName} ${version.orEmpty()}".trim(),
            "package" to "upbond-login-android",
        )
    }
}
