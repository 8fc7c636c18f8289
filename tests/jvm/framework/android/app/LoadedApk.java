package android.app;

import android.content.pm.ApplicationInfo;
import android.content.res.CompatibilityInfo;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

/** A loaded package: its class loader and its one Application. */
public final class LoadedApk {
    private final ActivityThread mActivityThread;
    private final ApplicationInfo mApplicationInfo;
    private final ClassLoader mBaseClassLoader;
    private ClassLoader mClassLoader;
    private Application mApplication;

    LoadedApk(ActivityThread activityThread, ApplicationInfo aInfo, CompatibilityInfo compatInfo, ClassLoader baseLoader,
            boolean securityViolation, boolean includeCode, boolean registerPackage) {
        mActivityThread = activityThread;
        mApplicationInfo = aInfo;
        mBaseClassLoader = baseLoader;
    }

    public String getPackageName() {
        return mApplicationInfo.packageName;
    }

    public ApplicationInfo getApplicationInfo() {
        return mApplicationInfo;
    }

    public String getDataDir() {
        return mApplicationInfo.dataDir;
    }

    Application getApplication() {
        return mApplication;
    }

    /** The app's component factory; the bed does not model android:appComponentFactory. */
    AppComponentFactory getAppFactory() {
        return AppComponentFactory.DEFAULT;
    }

    /**
     * The app's class loader, made on first use. ART makes a PathClassLoader over the base and
     * split APKs; here a URLClassLoader over the same entries, whose parent (the system class
     * loader) holds the framework as the boot class path holds it on a phone.
     */
    public ClassLoader getClassLoader() {
        synchronized (this) {
            if (mClassLoader == null) {
                mClassLoader = new URLClassLoader(codeUrls(),
                        mBaseClassLoader != null ? mBaseClassLoader : ClassLoader.getSystemClassLoader());
            }
            return mClassLoader;
        }
    }

    private URL[] codeUrls() {
        List<String> paths = new ArrayList<>();
        paths.add(mApplicationInfo.sourceDir);
        if (mApplicationInfo.splitSourceDirs != null) {
            paths.addAll(List.of(mApplicationInfo.splitSourceDirs));
        }
        URL[] urls = new URL[paths.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = new File(paths.get(i)).toURI().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(paths.get(i), e);
            }
        }
        return urls;
    }

    // API 1–35. Hooked by frida-java-bridge when an instrumentation is declared (not in the bed).
    public Application makeApplication(boolean forceDefaultAppClass, Instrumentation instrumentation) {
        return makeApplicationInner(forceDefaultAppClass, instrumentation);
    }

    /** API 33–35: what ActivityThread calls (makeApplication is kept for other callers). */
    public Application makeApplicationInner(boolean forceDefaultAppClass, Instrumentation instrumentation) {
        if (mApplication != null) {
            return mApplication;
        }
        String appClass = mApplicationInfo.className;
        if (forceDefaultAppClass || appClass == null) {
            appClass = "android.app.Application";
        }
        ClassLoader cl = getClassLoader();
        ContextImpl appContext = ContextImpl.createAppContext(mActivityThread, this);
        Application app;
        try {
            app = mActivityThread.mInstrumentation.newApplication(cl, appClass, appContext);
        } catch (Exception e) {
            throw new RuntimeException("Unable to instantiate application " + appClass + " package "
                    + mApplicationInfo.packageName + ": " + e, e);
        }
        appContext.setOuterContext(app);
        mActivityThread.mAllApplications.add(app);
        mApplication = app;
        if (instrumentation != null) {
            instrumentation.callApplicationOnCreate(app);
        }
        return app;
    }
}
