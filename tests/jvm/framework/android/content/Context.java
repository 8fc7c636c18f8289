package android.content;

import android.content.pm.ApplicationInfo;
import android.content.pm.PackageManager;
import android.os.Handler;
import android.os.UserHandle;
import java.io.File;

/** The app's view of the system; implemented by android.app.ContextImpl. */
public abstract class Context {
    public static final String TELEPHONY_SERVICE = "phone";
    public static final String WIFI_SERVICE = "wifi";
    public static final String ACCOUNT_SERVICE = "account";
    // API 22–35.
    public static final String TELEPHONY_SUBSCRIPTION_SERVICE = "telephony_subscription_service";
    public static final int CONTEXT_INCLUDE_CODE = 0x00000001;

    public Context() {}

    public abstract String getPackageName();

    public abstract String getOpPackageName();

    public abstract ApplicationInfo getApplicationInfo();

    public abstract Context getApplicationContext();

    public abstract ClassLoader getClassLoader();

    public abstract File getDataDir();

    public abstract File getFilesDir();

    public abstract File getCacheDir();

    public abstract File getCodeCacheDir();

    public abstract ContentResolver getContentResolver();

    public abstract PackageManager getPackageManager();

    public abstract Object getSystemService(String name);

    /** Hidden on Android. */
    public abstract int getUserId();

    /** Hidden on Android. */
    public UserHandle getUser() {
        return UserHandle.of(getUserId());
    }

    public abstract int checkPermission(String permission, int pid, int uid);

    public abstract int checkSelfPermission(String permission);

    public abstract int checkCallingPermission(String permission);

    public abstract int checkCallingOrSelfPermission(String permission);

    public abstract void enforcePermission(String permission, int pid, int uid, String message);

    public abstract void enforceCallingPermission(String permission, String message);

    public abstract void enforceCallingOrSelfPermission(String permission, String message);

    // API 1–35.
    public abstract void startActivity(Intent intent);

    public abstract void sendBroadcast(Intent intent);

    public abstract void sendBroadcast(Intent intent, String receiverPermission);

    public abstract void sendOrderedBroadcast(Intent intent, String receiverPermission);

    public abstract void sendBroadcastAsUser(Intent intent, UserHandle user);

    public abstract Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter);

    public abstract Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter, String broadcastPermission, Handler scheduler);

    public abstract void unregisterReceiver(BroadcastReceiver receiver);
}
