package android.content.pm;

import android.app.ActivityThread;
import android.content.Intent;
import android.os.RemoteException;
import android.util.AndroidException;
import java.util.HashMap;
import java.util.Map;

/** The app-side package manager API (implemented by android.app.ApplicationPackageManager). */
public abstract class PackageManager {
    public static final int GET_PROVIDERS = 0x00000008;
    public static final int GET_SIGNATURES = 0x00000040;
    public static final int GET_META_DATA = 0x00000080;
    public static final int GET_SIGNING_CERTIFICATES = 0x08000000;

    public static final int PERMISSION_GRANTED = 0;
    public static final int PERMISSION_DENIED = -1;

    public static final int SIGNATURE_MATCH = 0;
    public static final int SIGNATURE_NO_MATCH = -3;
    public static final int SIGNATURE_UNKNOWN_PACKAGE = -4;

    public static final int CERT_INPUT_RAW_X509 = 0;
    public static final int CERT_INPUT_SHA256 = 1;

    /** Thrown when a named package is not installed. */
    public static class NameNotFoundException extends AndroidException {
        public NameNotFoundException() {}

        public NameNotFoundException(String name) {
            super(name);
        }
    }

    public PackageManager() {}

    /**
     * AOSP's sPackageInfoCache (a PropertyInvalidatedCache, API 30–33): one per process, in
     * front of IPackageManager.getPackageInfo, keyed by (package, flags, user). The bed never
     * changes a package, so nothing invalidates it.
     */
    private static final Map<String, PackageInfo> sPackageInfoCache = new HashMap<>();

    // API 30–32 form (flags int), static; what ApplicationPackageManager.getPackageInfoAsUser
    // calls. Hooked by the agent (all overloads: an answer cached before the hooks).
    public static PackageInfo getPackageInfoAsUserCached(String packageName, int flags, int userId) {
        return getPackageInfoAsUserCached(packageName, (long) flags, userId);
    }

    // API 33 form (flags long), static. Hooked by the agent.
    public static PackageInfo getPackageInfoAsUserCached(String packageName, long flags, int userId) {
        String key = packageName + "/" + flags + "/" + userId;
        synchronized (sPackageInfoCache) {
            PackageInfo cached = sPackageInfoCache.get(key);
            if (cached != null) {
                return cached;
            }
        }
        PackageInfo info;
        try {
            info = ActivityThread.getPackageManager().getPackageInfo(packageName, flags, userId);
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
        if (info != null) {
            synchronized (sPackageInfoCache) {
                sPackageInfoCache.put(key, info);
            }
        }
        return info;
    }

    public abstract PackageInfo getPackageInfo(String packageName, int flags) throws NameNotFoundException;

    // API 1–35.
    public abstract ApplicationInfo getApplicationInfo(String packageName, int flags) throws NameNotFoundException;

    // API 3–35: the package's launcher activity as an intent, or null.
    public abstract Intent getLaunchIntentForPackage(String packageName);

    public abstract ProviderInfo resolveContentProvider(String authority, int flags);

    public abstract int checkSignatures(String packageName1, String packageName2);

    // API 28–35.
    public abstract boolean hasSigningCertificate(String packageName, byte[] certificate, int type);
}
