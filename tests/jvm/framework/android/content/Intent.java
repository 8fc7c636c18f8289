package android.content;

import android.net.Uri;

/** An intent: action, data, target package and component. */
public class Intent {
    public static final String ACTION_MAIN = "android.intent.action.MAIN";

    private String mAction;
    private Uri mData;
    private String mPackage;
    private ComponentName mComponent;

    // All constructors: API 1–35. Hooked by the agent ($init: the action argument).
    public Intent() {}

    public Intent(String action) {
        setAction(action);
    }

    public Intent(String action, Uri uri) {
        setAction(action);
        mData = uri;
    }

    public Intent(Context packageContext, Class<?> cls) {
        mComponent = new ComponentName(packageContext, cls);
    }

    /** A copy (API 1–35): what getLaunchIntentForPackage and PendingIntent hand on. */
    public Intent(Intent o) {
        mAction = o.mAction;
        mData = o.mData;
        mPackage = o.mPackage;
        mComponent = o.mComponent;
    }

    // API 1–35. Hooked by the agent.
    public Intent setAction(String action) {
        mAction = action;
        return this;
    }

    // API 1–35. Hooked by the agent.
    public String getAction() {
        return mAction;
    }

    public Uri getData() {
        return mData;
    }

    // API 1–35. Hooked by the agent (a `package:` URI naming the app itself).
    public Intent setData(Uri data) {
        mData = data;
        return this;
    }

    // API 1–35. Hooked by the agent (the app's original package name).
    public Intent setPackage(String packageName) {
        mPackage = packageName;
        return this;
    }

    public String getPackage() {
        return mPackage;
    }

    // API 1–35: AOSP makes the ComponentName with its (String, String) constructor.
    public Intent setClassName(String packageName, String className) {
        mComponent = new ComponentName(packageName, className);
        return this;
    }

    public Intent setComponent(ComponentName component) {
        mComponent = component;
        return this;
    }

    public ComponentName getComponent() {
        return mComponent;
    }
}
