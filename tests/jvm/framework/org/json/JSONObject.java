package org.json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON object that keeps insertion order (as Android's does). Values are strings,
 * numbers, booleans, nested JSONObjects, {@link #NULL}, or anything else (written as its
 * toString() in quotes).
 */
public class JSONObject {
    /** The JSON null value (a Java null passed to put removes the key instead). */
    public static final Object NULL = new Object() {
        @Override
        public boolean equals(Object o) {
            return o == this || o == null;
        }

        @Override
        public int hashCode() {
            return 0;
        }

        @Override
        public String toString() {
            return "null";
        }
    };

    private final Map<String, Object> nameValuePairs = new LinkedHashMap<>();

    public JSONObject() {}

    public JSONObject put(String name, boolean value) throws JSONException {
        return put(name, (Object) value);
    }

    public JSONObject put(String name, double value) throws JSONException {
        return put(name, (Object) value);
    }

    public JSONObject put(String name, int value) throws JSONException {
        return put(name, (Object) value);
    }

    public JSONObject put(String name, long value) throws JSONException {
        return put(name, (Object) value);
    }

    public JSONObject put(String name, Object value) throws JSONException {
        if (name == null) {
            throw new JSONException("Names must be non-null");
        }
        if (value == null) {
            nameValuePairs.remove(name);
            return this;
        }
        if (value instanceof Number) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new JSONException("Forbidden numeric value: " + value);
            }
        }
        nameValuePairs.put(name, value);
        return this;
    }

    public Object opt(String name) {
        return name == null ? null : nameValuePairs.get(name);
    }

    public boolean has(String name) {
        return nameValuePairs.containsKey(name);
    }

    public int length() {
        return nameValuePairs.size();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Object> e : nameValuePairs.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            quote(out, e.getKey());
            out.append(':');
            writeValue(out, e.getValue());
        }
        return out.append('}').toString();
    }

    private static void writeValue(StringBuilder out, Object value) {
        if (value == NULL || value instanceof Boolean || value instanceof JSONObject) {
            out.append(value);
        } else if (value instanceof Number) {
            out.append(numberToString((Number) value));
        } else {
            quote(out, value.toString());
        }
    }

    /** Integral doubles are written without a fraction, as Android does. */
    public static String numberToString(Number number) {
        double d = number.doubleValue();
        if (number.equals(d) && d == (long) d) {
            return Long.toString((long) d);
        }
        return number.toString();
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                case '\\':
                case '/':
                    out.append('\\').append(c);
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c <= 0x1F || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
