package android.app;

import android.content.ComponentName;
import android.content.ContentProvider;
import android.content.Context;
import android.content.IContentProvider;
import android.content.Intent;
import android.content.pm.ActivityInfo;
import android.content.pm.ApplicationInfo;
import android.content.pm.IPackageManager;
import android.content.pm.ProviderInfo;
import android.content.res.CompatibilityInfo;
import android.os.Bundle;
import android.os.RemoteException;
import android.os.UserHandle;
import android.util.Log;
import com.clonespace.bed.CommandLoop;
import com.clonespace.bed.Console;
import com.clonespace.bed.InstalledPackage;
import com.clonespace.bed.SystemProviders;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The app process's main thread: binds the application and launches its activity in the
 * order of AOSP's handleBindApplication and performLaunchActivity (API 33–35 shapes), each
 * step announced on stdout as {@code bed: step <name>}. One user (0), one package.
 */
public final class ActivityThread {
    private static final String TAG = "ActivityThread";
    /**
     * JDK classes zygote has initialised too. HotSpot would otherwise load NetworkInterface's
     * native library on first use, under the lock System.loadLibrary holds while the payload's
     * library loads: a hook on it installed from there would deadlock.
     */
    private static final String[] PRELOADED_JDK_CLASSES = {"java.net.NetworkInterface"};

    private static volatile ActivityThread sCurrentActivityThread;
    private static IPackageManager sPackageManager;

    Instrumentation mInstrumentation;
    /** Set only once makeApplication has returned. */
    Application mInitialApplication;
    final List<Application> mAllApplications = new ArrayList<>();
    private AppBindData mBoundApplication;
    /** Loaded packages by name (Android holds them weakly). */
    private final Map<String, LoadedApk> mPackages = new HashMap<>();
    /** Providers this process holds, by authority (Android keys by authority and user). */
    private final Map<String, IContentProvider> mProviderMap = new HashMap<>();

    /** What ActivityManagerService sends with bindApplication. */
    static final class AppBindData {
        String processName;
        ApplicationInfo appInfo;
        List<ProviderInfo> providers;
        /** Null: no instrumentation (frida-java-bridge reads this field). */
        ComponentName instrumentationName;
        CompatibilityInfo compatInfo;
        LoadedApk info;
        boolean restrictedBackupMode;
    }

    /** An activity being launched (Android's has far more state). */
    static final class ActivityClientRecord {
        final Intent intent;
        final ActivityInfo activityInfo;
        final CompatibilityInfo compatInfo;
        final Bundle state;
        LoadedApk packageInfo;
        Activity activity;

        ActivityClientRecord(ActivityThread client, Intent intent, ActivityInfo info, CompatibilityInfo compatInfo, Bundle state) {
            this.intent = intent;
            this.activityInfo = info;
            this.compatInfo = compatInfo;
            this.state = state;
            this.packageInfo = client.getPackageInfoNoCheck(info.applicationInfo, compatInfo);
        }
    }

    ActivityThread() {}

    /**
     * {@code java android.app.ActivityThread BED_PROPERTIES_FILE} (the file: see InstalledPackage).
     * Anything thrown (outside a "call" command) prints {@code bed: crash <class>: <message>} and exits 3.
     */
    public static void main(String[] args) {
        try {
            if (args.length != 1) {
                throw new IllegalArgumentException("usage: android.app.ActivityThread BED_PROPERTIES_FILE");
            }
            preloadClasses();
            InstalledPackage pkg = InstalledPackage.install(Paths.get(args[0]));
            ActivityThread thread = new ActivityThread();
            thread.attach(pkg);
            Console.line("bed: started");
            CommandLoop.run(thread.mInitialApplication); // stands for Looper.loop()
        } catch (Throwable t) {
            Console.line("bed: crash " + t.getClass().getName() + ": " + t.getMessage());
            t.printStackTrace();
            System.exit(3);
        }
    }

    /**
     * What zygote does before any app code runs: initialise the framework's classes (all of
     * them here), so Build's fields are fixed from then on. It also matters to frida-java-bridge
     * on HotSpot: it replaces methods of initialised classes only (its JVM backend does not
     * initialise a class it hooks, and hooking one that is not aborts the JVM).
     */
    private static void preloadClasses() throws Exception {
        Path root = Paths.get(ActivityThread.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(root);
                Stream<Path> files = Files.walk(jar == null ? root : jar.getPath("/"))) {
            Path top = jar == null ? root : jar.getPath("/");
            List<String> names = files.map(f -> top.relativize(f).toString())
                    .filter(n -> n.endsWith(".class") && !n.equals("module-info.class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .sorted()
                    .collect(Collectors.toList());
            for (String name : names) {
                Class.forName(name);
            }
        }
        for (String name : PRELOADED_JDK_CLASSES) {
            Class.forName(name);
        }
    }

    /** What ActivityManagerService does once the process attaches: bind, then launch. */
    private void attach(InstalledPackage pkg) {
        sCurrentActivityThread = this;
        AppBindData data = new AppBindData();
        data.processName = pkg.packageName();
        data.appInfo = pkg.appInfo;
        data.providers = pkg.providers;
        data.compatInfo = CompatibilityInfo.DEFAULT_COMPATIBILITY_INFO;
        handleBindApplication(data);
        if (pkg.launcherActivity != null) {
            launchActivity(pkg.launcherActivity);
        }
    }

    public static ActivityThread currentActivityThread() {
        return sCurrentActivityThread;
    }

    /** Null until makeApplication has returned (so during the app's static init and attachBaseContext). */
    public static Application currentApplication() {
        ActivityThread am = currentActivityThread();
        return am != null ? am.mInitialApplication : null;
    }

    public Application getApplication() {
        return mInitialApplication;
    }

    public static synchronized IPackageManager getPackageManager() {
        if (sPackageManager == null) {
            sPackageManager = new IPackageManager.Stub.Proxy();
        }
        return sPackageManager;
    }

    /** Hooked by frida-java-bridge (it reads data.instrumentationName). */
    private void handleBindApplication(AppBindData data) {
        mBoundApplication = data;

        Console.step("bind");
        data.info = getPackageInfoNoCheck(data.appInfo, data.compatInfo);

        final ContextImpl appContext = ContextImpl.createAppContext(this, data.info);
        // Provide a usable directory for temporary files, as AOSP does here.
        System.setProperty("java.io.tmpdir", appContext.getCacheDir().getAbsolutePath());
        mInstrumentation = new Instrumentation();
        mInstrumentation.basicInit(this);

        Console.step("makeApplication");
        Application app = data.info.makeApplicationInner(data.restrictedBackupMode, null);
        mInitialApplication = app;

        if (!data.restrictedBackupMode && data.providers != null && !data.providers.isEmpty()) {
            installContentProviders(app, data.providers);
        }

        Console.step("Application.onCreate");
        mInstrumentation.callApplicationOnCreate(app);
    }

    /** The launch transaction: LaunchActivityItem makes the record, then launch, start, resume. */
    private void launchActivity(String className) {
        Console.step("activity " + className);
        ActivityInfo info = new ActivityInfo();
        info.name = className;
        info.packageName = mBoundApplication.appInfo.packageName;
        info.applicationInfo = mBoundApplication.appInfo;
        Intent intent = new Intent(Intent.ACTION_MAIN).setComponent(new ComponentName(info.packageName, className));
        ActivityClientRecord r = new ActivityClientRecord(this, intent, info, mBoundApplication.compatInfo, null);
        Activity a = handleLaunchActivity(r, null);
        a.performStart();
        a.performResume();
    }

    /** Android's also takes the pending actions and device id. */
    public Activity handleLaunchActivity(ActivityClientRecord r, Intent customIntent) {
        return performLaunchActivity(r, customIntent);
    }

    private Activity performLaunchActivity(ActivityClientRecord r, Intent customIntent) {
        if (r.packageInfo == null) {
            r.packageInfo = getPackageInfo(r.activityInfo.applicationInfo, r.compatInfo, Context.CONTEXT_INCLUDE_CODE);
        }
        ComponentName component = r.intent.getComponent();
        ContextImpl appContext = ContextImpl.createActivityContext(this, r.packageInfo);
        Activity activity;
        try {
            activity = mInstrumentation.newActivity(appContext.getClassLoader(), component.getClassName(), r.intent);
        } catch (ReflectiveOperationException e) {
            throw new RuntimeException("Unable to instantiate activity " + component + ": " + e, e);
        }
        Application app = r.packageInfo.makeApplicationInner(false, mInstrumentation);
        appContext.setOuterContext(activity);
        activity.attach(appContext, mInstrumentation, app, r.intent);
        mInstrumentation.callActivityOnCreate(activity, r.state);
        r.activity = activity;
        return activity;
    }

    // Package lookups. The private 7-argument getPackageInfo is the API 33–35 form (API 24–32
    // lacked isSdkSandbox); frida-java-bridge hooks this highest-arity overload.

    public final LoadedApk getPackageInfo(String packageName, CompatibilityInfo compatInfo, int flags) {
        return getPackageInfo(packageName, compatInfo, flags, UserHandle.myUserId());
    }

    public final LoadedApk getPackageInfo(String packageName, CompatibilityInfo compatInfo, int flags, int userId) {
        LoadedApk loaded = peekPackageInfo(packageName, (flags & Context.CONTEXT_INCLUDE_CODE) != 0);
        if (loaded != null) {
            return loaded;
        }
        ApplicationInfo ai;
        try {
            ai = getPackageManager().getApplicationInfo(packageName, 0L, userId);
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
        return ai == null ? null : getPackageInfo(ai, compatInfo, flags);
    }

    public final LoadedApk getPackageInfo(ApplicationInfo ai, CompatibilityInfo compatInfo, int flags) {
        boolean includeCode = (flags & Context.CONTEXT_INCLUDE_CODE) != 0;
        return getPackageInfo(ai, compatInfo, null, false, includeCode, false, false);
    }

    public final LoadedApk getPackageInfoNoCheck(ApplicationInfo ai, CompatibilityInfo compatInfo) {
        return getPackageInfo(ai, compatInfo, null, false, true, false, false);
    }

    private LoadedApk getPackageInfo(ApplicationInfo aInfo, CompatibilityInfo compatInfo, ClassLoader baseLoader,
            boolean securityViolation, boolean includeCode, boolean registerPackage, boolean isSdkSandbox) {
        synchronized (mPackages) {
            LoadedApk packageInfo = includeCode ? mPackages.get(aInfo.packageName) : null;
            if (packageInfo != null) {
                return packageInfo;
            }
            packageInfo = new LoadedApk(this, aInfo, compatInfo, baseLoader, securityViolation, includeCode, registerPackage);
            if (includeCode) {
                mPackages.put(aInfo.packageName, packageInfo);
            }
            return packageInfo;
        }
    }

    public final LoadedApk peekPackageInfo(String packageName, boolean includeCode) {
        synchronized (mPackages) {
            return includeCode ? mPackages.get(packageName) : null;
        }
    }

    // Content providers.

    private void installContentProviders(Context context, List<ProviderInfo> providers) {
        for (ProviderInfo cpi : providers) {
            Console.step("provider " + cpi.name);
            installProvider(context, cpi);
        }
        // Android then publishes them to ActivityManagerService; the bed's system side knows
        // them already (InstalledPackage).
    }

    private void installProvider(Context context, ProviderInfo info) {
        LoadedApk packageInfo = peekPackageInfo(info.packageName, true);
        AppComponentFactory factory = packageInfo != null ? packageInfo.getAppFactory() : AppComponentFactory.DEFAULT;
        ContentProvider localProvider;
        try {
            localProvider = factory.instantiateProvider(context.getClassLoader(), info.name);
        } catch (ReflectiveOperationException e) {
            throw new RuntimeException("Unable to get provider " + info.name + ": " + e, e);
        }
        IContentProvider provider = localProvider.getIContentProvider();
        localProvider.attachInfo(context, info);
        installProviderAuthorities(provider, info.authority);
    }

    private void installProviderAuthorities(IContentProvider provider, String authorities) {
        synchronized (mProviderMap) {
            for (String auth : authorities.split(";")) {
                mProviderMap.put(auth, provider);
            }
        }
    }

    // API 24–35. Hooked by the agent (authority argument).
    public final IContentProvider acquireProvider(Context c, String auth, int userId, boolean stable) {
        IContentProvider provider = acquireExistingProvider(c, auth, userId, stable);
        if (provider != null) {
            return provider;
        }
        // ActivityManagerService.getContentProvider: another package's provider.
        provider = SystemProviders.acquire(auth);
        if (provider == null) {
            Log.e(TAG, "Failed to find provider info for " + auth);
            return null;
        }
        installProviderAuthorities(provider, auth);
        return provider;
    }

    // API 24–35. Hooked by the agent (authority argument).
    public final IContentProvider acquireExistingProvider(Context c, String auth, int userId, boolean stable) {
        synchronized (mProviderMap) {
            return mProviderMap.get(auth);
        }
    }

    /** Reference counts are not modelled: true when the provider is one this process holds. */
    public final boolean releaseProvider(IContentProvider provider, boolean stable) {
        synchronized (mProviderMap) {
            return mProviderMap.containsValue(provider);
        }
    }
}
