package android.content;

import java.util.HashMap;
import java.util.Map;

/** Column values for ContentProvider.insert/update (string values only). */
public final class ContentValues {
    private final Map<String, Object> mMap = new HashMap<>();

    public ContentValues() {}

    public void put(String key, String value) {
        mMap.put(key, value);
    }

    public String getAsString(String key) {
        Object value = mMap.get(key);
        return value == null ? null : value.toString();
    }

    public int size() {
        return mMap.size();
    }
}
