package android.os;

import java.util.HashMap;
import java.util.Map;

/** A string-keyed bag of values (the few typed accessors the bed needs). */
public final class Bundle {
    public static final Bundle EMPTY = new Bundle();

    private final Map<String, Object> mMap = new HashMap<>();

    public Bundle() {}

    public boolean containsKey(String key) {
        return mMap.containsKey(key);
    }

    public void putString(String key, String value) {
        mMap.put(key, value);
    }

    public String getString(String key) {
        Object value = mMap.get(key);
        return value instanceof String ? (String) value : null;
    }

    public void putStringArray(String key, String[] value) {
        mMap.put(key, value);
    }

    public String[] getStringArray(String key) {
        Object value = mMap.get(key);
        return value instanceof String[] ? (String[]) value : null;
    }

    public void putParcelableArray(String key, Parcelable[] value) {
        mMap.put(key, value);
    }

    public Parcelable[] getParcelableArray(String key) {
        Object value = mMap.get(key);
        return value instanceof Parcelable[] ? (Parcelable[]) value : null;
    }
}
