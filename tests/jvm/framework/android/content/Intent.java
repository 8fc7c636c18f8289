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

    public Intent setPackage(String packageName) {
        mPackage = packageName;
        return this;
    }

    public String getPackage() {
        return mPackage;
    }

    public Intent setComponent(ComponentName component) {
        mComponent = component;
        return this;
    }

    public ComponentName getComponent() {
        return mComponent;
    }
}
