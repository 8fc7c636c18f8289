package android.app;

import android.accounts.AccountManager;
import android.accounts.IAccountManager;
import android.content.BroadcastReceiver;
import android.content.ContentResolver;
import android.content.Context;
import android.content.ContextWrapper;
import android.content.IContentProvider;
import android.content.Intent;
import android.content.IntentFilter;
import android.content.pm.ApplicationInfo;
import android.content.pm.PackageManager;
import android.net.wifi.WifiManager;
import android.os.Handler;
import android.os.Process;
import android.os.UserHandle;
import android.telephony.SubscriptionManager;
import android.telephony.TelephonyManager;
import com.clonespace.bed.Activities;
import com.clonespace.bed.Broadcasts;
import com.clonespace.bed.InstalledPackage;
import java.io.File;
import java.util.HashMap;
import java.util.Map;

/**
 * The real Context behind the Application and activities. The permission and broadcast
 * methods are hooked by the agent (permission-name arguments); all are API 1–35 unless noted.
 */
class ContextImpl extends Context {
    final LoadedApk mPackageInfo;
    private final ApplicationContentResolver mContentResolver;
    private final Map<String, Object> mServiceCache = new HashMap<>();
    private Context mOuterContext = this;
    private PackageManager mPackageManager;

    /** Resolves authorities through ActivityThread's providers, as on Android. */
    private static final class ApplicationContentResolver extends ContentResolver {
        private final ActivityThread mMainThread;

        ApplicationContentResolver(Context context, ActivityThread mainThread) {
            super(context);
            mMainThread = mainThread;
        }

        @Override
        protected IContentProvider acquireProvider(Context context, String auth) {
            return mMainThread.acquireProvider(context, auth, getUserId(), true);
        }

        @Override
        public boolean releaseProvider(IContentProvider provider) {
            return mMainThread.releaseProvider(provider, true);
        }
    }

    private ContextImpl(ActivityThread mainThread, LoadedApk packageInfo) {
        mPackageInfo = packageInfo;
        mContentResolver = new ApplicationContentResolver(this, mainThread);
    }

    static ContextImpl createAppContext(ActivityThread mainThread, LoadedApk packageInfo) {
        return new ContextImpl(mainThread, packageInfo);
    }

    /** Android's also takes the activity token, display and configuration. */
    static ContextImpl createActivityContext(ActivityThread mainThread, LoadedApk packageInfo) {
        return new ContextImpl(mainThread, packageInfo);
    }

    /** The ContextImpl under any chain of ContextWrappers. */
    static ContextImpl getImpl(Context context) {
        Context c = context;
        while (c instanceof ContextWrapper) {
            Context base = ((ContextWrapper) c).getBaseContext();
            if (base == null) {
                break;
            }
            c = base;
        }
        return (ContextImpl) c;
    }

    final void setOuterContext(Context context) {
        mOuterContext = context;
    }

    @Override
    public String getPackageName() {
        return mPackageInfo.getPackageName();
    }

    @Override
    public String getOpPackageName() {
        return getPackageName();
    }

    @Override
    public ApplicationInfo getApplicationInfo() {
        return mPackageInfo.getApplicationInfo();
    }

    /** Null until makeApplication has returned, as on Android. */
    @Override
    public Context getApplicationContext() {
        return mPackageInfo.getApplication();
    }

    @Override
    public ClassLoader getClassLoader() {
        return mPackageInfo.getClassLoader();
    }

    @Override
    public File getDataDir() {
        return new File(mPackageInfo.getDataDir());
    }

    @Override
    public File getFilesDir() {
        return ensureDir("files");
    }

    @Override
    public File getCacheDir() {
        return ensureDir("cache");
    }

    @Override
    public File getCodeCacheDir() {
        return ensureDir("code_cache");
    }

    private File ensureDir(String name) {
        File dir = new File(getDataDir(), name);
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new IllegalStateException("cannot create " + dir);
        }
        return dir;
    }

    @Override
    public ContentResolver getContentResolver() {
        return mContentResolver;
    }

    @Override
    public PackageManager getPackageManager() {
        if (mPackageManager == null) {
            mPackageManager = new ApplicationPackageManager(this, ActivityThread.getPackageManager());
        }
        return mPackageManager;
    }

    /** "phone", "wifi" and "account"; any other name has no service (null). */
    @Override
    public Object getSystemService(String name) {
        synchronized (mServiceCache) {
            return mServiceCache.computeIfAbsent(name, this::createService);
        }
    }

    private Object createService(String name) {
        switch (name) {
            case TELEPHONY_SERVICE:
                return new TelephonyManager(mOuterContext);
            case WIFI_SERVICE:
                return new WifiManager(mOuterContext);
            case ACCOUNT_SERVICE:
                return new AccountManager(mOuterContext, new IAccountManager.Stub.Proxy());
            case TELEPHONY_SUBSCRIPTION_SERVICE:
                return new SubscriptionManager(mOuterContext);
            default:
                return null;
        }
    }

    @Override
    public int getUserId() {
        return UserHandle.myUserId();
    }

    /** Granted only to this app's uid for the permissions the installed package holds. */
    @Override
    public int checkPermission(String permission, int pid, int uid) {
        if (permission == null) {
            throw new IllegalArgumentException("permission is null");
        }
        return uid == Process.myUid() && InstalledPackage.get().isGranted(permission)
                ? PackageManager.PERMISSION_GRANTED
                : PackageManager.PERMISSION_DENIED;
    }

    // API 23–35.
    @Override
    public int checkSelfPermission(String permission) {
        return checkPermission(permission, Process.myPid(), Process.myUid());
    }

    /** Denied outside an incoming binder call, as on Android; the bed never serves one. */
    @Override
    public int checkCallingPermission(String permission) {
        if (permission == null) {
            throw new IllegalArgumentException("permission is null");
        }
        return PackageManager.PERMISSION_DENIED;
    }

    /** Outside a binder call the caller is this process. */
    @Override
    public int checkCallingOrSelfPermission(String permission) {
        return checkPermission(permission, Process.myPid(), Process.myUid());
    }

    @Override
    public void enforcePermission(String permission, int pid, int uid, String message) {
        enforce(permission, checkPermission(permission, pid, uid), message);
    }

    @Override
    public void enforceCallingPermission(String permission, String message) {
        enforce(permission, checkCallingPermission(permission), message);
    }

    @Override
    public void enforceCallingOrSelfPermission(String permission, String message) {
        enforce(permission, checkCallingOrSelfPermission(permission), message);
    }

    private static void enforce(String permission, int resultOfCheck, String message) {
        if (resultOfCheck != PackageManager.PERMISSION_GRANTED) {
            throw new SecurityException((message != null ? message + ": " : "") + "Neither user " + Process.myUid()
                    + " nor current process has " + permission + ".");
        }
    }

    /** Resolved by the system side (ActivityTaskManagerService on a phone). */
    @Override
    public void startActivity(Intent intent) {
        Activities.start(intent);
    }

    @Override
    public void sendBroadcast(Intent intent) {
        Broadcasts.send(intent, null);
    }

    @Override
    public void sendBroadcast(Intent intent, String receiverPermission) {
        Broadcasts.send(intent, receiverPermission);
    }

    /** Delivered like sendBroadcast: the bed has no receiver priorities or result chain. */
    @Override
    public void sendOrderedBroadcast(Intent intent, String receiverPermission) {
        Broadcasts.send(intent, receiverPermission);
    }

    // API 17–35.
    @Override
    public void sendBroadcastAsUser(Intent intent, UserHandle user) {
        if (user.getIdentifier() == getUserId()) {
            Broadcasts.send(intent, null);
        }
    }

    /** Sticky broadcasts are not modelled: always null. */
    @Override
    public Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter) {
        return registerReceiver(receiver, filter, null, null);
    }

    @Override
    public Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter, String broadcastPermission, Handler scheduler) {
        if (receiver != null) {
            Broadcasts.register(mOuterContext, receiver, filter, broadcastPermission);
        }
        return null;
    }

    @Override
    public void unregisterReceiver(BroadcastReceiver receiver) {
        Broadcasts.unregister(receiver);
    }
}
