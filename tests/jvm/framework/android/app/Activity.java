package android.app;

import android.content.ComponentName;
import android.content.Context;
import android.content.Intent;
import android.os.Bundle;
import android.view.ContextThemeWrapper;
import android.view.View;

/** Base of the app's activities: created, started and resumed; the content view is only held. */
public class Activity extends ContextThemeWrapper {
    private Instrumentation mInstrumentation;
    private Application mApplication;
    private Intent mIntent;
    private View mContentView;

    public Activity() {}

    /**
     * Called by ActivityThread.performLaunchActivity. Android's attach also takes the thread,
     * token, activity info, window, configuration and more, none of which the bed models.
     */
    final void attach(Context context, Instrumentation instr, Application application, Intent intent) {
        attachBaseContext(context);
        mInstrumentation = instr;
        mApplication = application;
        mIntent = intent;
    }

    final void performCreate(Bundle icicle) {
        onCreate(icicle);
    }

    final void performStart() {
        mInstrumentation.callActivityOnStart(this);
    }

    final void performResume() {
        mInstrumentation.callActivityOnResume(this);
    }

    protected void onCreate(Bundle savedInstanceState) {}

    protected void onStart() {}

    protected void onResume() {}

    public void setContentView(View view) {
        mContentView = view;
    }

    public Intent getIntent() {
        return mIntent;
    }

    public final Application getApplication() {
        return mApplication;
    }

    public ComponentName getComponentName() {
        return mIntent.getComponent();
    }
}
