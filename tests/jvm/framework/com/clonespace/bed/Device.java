package com.clonespace.bed;

/**
 * The "real" identity of the device the bed pretends to be. Each field is the system
 * property {@code bed.device.<field>} given on the java command line.
 */
public final class Device {
    private Device() {}

    /** The device's value for {@code field}; an unset property is a setup error. */
    public static String get(String field) {
        String property = "bed.device." + field;
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set");
        }
        return value;
    }
}
