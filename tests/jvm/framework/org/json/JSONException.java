package org.json;

/** A JSON value was invalid (e.g. a non-finite number). */
public class JSONException extends Exception {
    public JSONException(String s) {
        super(s);
    }
}
