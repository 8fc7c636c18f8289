package android.app;

import android.content.Context;
import android.content.ContextWrapper;
import com.clonespace.bed.Console;

/** Base of the app's Application class. */
public class Application extends ContextWrapper {
    LoadedApk mLoadedApk;

    public Application() {
        super(null);
    }

    /** Called by Instrumentation.newApplication right after construction. */
    final void attach(Context context) {
        Console.step("attachBaseContext");
        attachBaseContext(context);
        mLoadedApk = ContextImpl.getImpl(context).mPackageInfo;
    }

    public void onCreate() {}
}
