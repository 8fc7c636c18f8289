package android.content;

import java.util.Objects;

/** A component: its package and class names. */
public final class ComponentName {
    private final String mPackage;
    private final String mClass;

    // API 1–35. Hooked by the agent (the app's original package name).
    public ComponentName(String pkg, String cls) {
        mPackage = Objects.requireNonNull(pkg, "package name is null");
        mClass = Objects.requireNonNull(cls, "class name is null");
    }

    public ComponentName(Context pkg, Class<?> cls) {
        this(pkg.getPackageName(), cls.getName());
    }

    public String getPackageName() {
        return mPackage;
    }

    public String getClassName() {
        return mClass;
    }

    public String flattenToString() {
        return mPackage + "/" + mClass;
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ComponentName
                && mPackage.equals(((ComponentName) obj).mPackage)
                && mClass.equals(((ComponentName) obj).mClass);
    }

    @Override
    public int hashCode() {
        return mPackage.hashCode() + mClass.hashCode();
    }

    @Override
    public String toString() {
        return "ComponentInfo{" + flattenToString() + "}";
    }
}
