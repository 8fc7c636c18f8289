package android.app;

import android.content.Context;
import android.content.Intent;
import android.os.Bundle;

/** Creates the app's Application and activities and drives their lifecycle callbacks. */
public class Instrumentation {
    private ActivityThread mThread;

    public Instrumentation() {}

    /** Hidden; ActivityThread calls it when no instrumentation is declared. */
    final void basicInit(ActivityThread thread) {
        mThread = thread;
    }

    // API 1–35 (through AppComponentFactory since 28).
    public Application newApplication(ClassLoader cl, String className, Context context)
            throws InstantiationException, IllegalAccessException, ClassNotFoundException {
        Application app = getFactory(context.getPackageName()).instantiateApplication(cl, className);
        app.attach(context);
        return app;
    }

    public void callApplicationOnCreate(Application app) {
        app.onCreate();
    }

    public Activity newActivity(ClassLoader cl, String className, Intent intent)
            throws InstantiationException, IllegalAccessException, ClassNotFoundException {
        String pkg = intent != null && intent.getComponent() != null ? intent.getComponent().getPackageName() : null;
        return getFactory(pkg).instantiateActivity(cl, className, intent);
    }

    public void callActivityOnCreate(Activity activity, Bundle icicle) {
        activity.performCreate(icicle);
    }

    public void callActivityOnStart(Activity activity) {
        activity.onStart();
    }

    public void callActivityOnResume(Activity activity) {
        activity.onResume();
    }

    private AppComponentFactory getFactory(String pkg) {
        if (pkg == null) {
            return AppComponentFactory.DEFAULT;
        }
        LoadedApk apk = mThread.peekPackageInfo(pkg, true);
        return apk == null ? AppComponentFactory.DEFAULT : apk.getAppFactory();
    }
}
