package android.app;

import android.content.ContentProvider;
import android.content.Intent;

/** Instantiates the app's components by class name (API 28–35). */
public class AppComponentFactory {
    public static final AppComponentFactory DEFAULT = new AppComponentFactory();

    public AppComponentFactory() {}

    /** Loads and constructs the class: this is when the app's Application class initialises. */
    @SuppressWarnings("deprecation") // Class.newInstance, as AOSP calls it
    public Application instantiateApplication(ClassLoader cl, String className)
            throws InstantiationException, IllegalAccessException, ClassNotFoundException {
        return (Application) cl.loadClass(className).newInstance();
    }

    @SuppressWarnings("deprecation")
    public Activity instantiateActivity(ClassLoader cl, String className, Intent intent)
            throws InstantiationException, IllegalAccessException, ClassNotFoundException {
        return (Activity) cl.loadClass(className).newInstance();
    }

    @SuppressWarnings("deprecation")
    public ContentProvider instantiateProvider(ClassLoader cl, String className)
            throws InstantiationException, IllegalAccessException, ClassNotFoundException {
        return (ContentProvider) cl.loadClass(className).newInstance();
    }
}
