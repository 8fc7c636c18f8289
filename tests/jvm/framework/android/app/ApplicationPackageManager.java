package android.app;

import android.content.Intent;
import android.content.pm.ApplicationInfo;
import android.content.pm.IPackageManager;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.content.pm.ProviderInfo;
import android.os.RemoteException;
import com.clonespace.bed.InstalledPackage;

/** The app's PackageManager (what Context.getPackageManager returns): calls IPackageManager. */
public class ApplicationPackageManager extends PackageManager {
    private final ContextImpl mContext;
    private final IPackageManager mPM;

    ApplicationPackageManager(ContextImpl context, IPackageManager pm) {
        mContext = context;
        mPM = pm;
    }

    @Override
    public PackageInfo getPackageInfo(String packageName, int flags) throws NameNotFoundException {
        return getPackageInfoAsUser(packageName, flags, mContext.getUserId());
    }

    /** The API 33 path: the process's cache (PackageManager.getPackageInfoAsUserCached, flags
     * long), in front of the proxy's getPackageInfo(String, long, int). */
    public PackageInfo getPackageInfoAsUser(String packageName, int flags, int userId) throws NameNotFoundException {
        PackageInfo pi = getPackageInfoAsUserCached(packageName, (long) flags, userId);
        if (pi == null) {
            throw new NameNotFoundException(packageName);
        }
        return pi;
    }

    @Override
    public ApplicationInfo getApplicationInfo(String packageName, int flags) throws NameNotFoundException {
        ApplicationInfo ai;
        try {
            ai = mPM.getApplicationInfo(packageName, (long) flags, mContext.getUserId());
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
        if (ai == null) {
            throw new NameNotFoundException(packageName);
        }
        return ai;
    }

    /**
     * AOSP's shape: an ACTION_MAIN intent limited to the package with setPackage, resolved
     * (here: the installed package's launcher activity), then a copy naming the activity.
     * Hooked by the agent (the package name).
     */
    @Override
    public Intent getLaunchIntentForPackage(String packageName) {
        Intent intentToResolve = new Intent(Intent.ACTION_MAIN);
        intentToResolve.setPackage(packageName);
        InstalledPackage pkg = InstalledPackage.get();
        if (!pkg.packageName().equals(intentToResolve.getPackage()) || pkg.launcherActivity == null) {
            return null;
        }
        Intent intent = new Intent(intentToResolve);
        intent.setClassName(pkg.packageName(), pkg.launcherActivity);
        return intent;
    }

    @Override
    public ProviderInfo resolveContentProvider(String name, int flags) {
        try {
            return mPM.resolveContentProvider(name, (long) flags, mContext.getUserId());
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
    }

    @Override
    public int checkSignatures(String pkg1, String pkg2) {
        try {
            return mPM.checkSignatures(pkg1, pkg2, mContext.getUserId());
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
    }

    @Override
    public boolean hasSigningCertificate(String packageName, byte[] certificate, int type) {
        try {
            return mPM.hasSigningCertificate(packageName, certificate, type);
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
    }
}
