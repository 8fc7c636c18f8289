package android.net;

/**
 * A URI, kept as its string and parsed leniently as Android's Uri.parse does. (On Android Uri
 * is abstract with private subclasses; only the factory and accessors matter to callers.)
 */
public final class Uri {
    private final String mUriString;

    private Uri(String uriString) {
        mUriString = uriString;
    }

    public static Uri parse(String uriString) {
        if (uriString == null) {
            throw new NullPointerException("uriString");
        }
        return new Uri(uriString);
    }

    public String getScheme() {
        int colon = mUriString.indexOf(':');
        int slash = mUriString.indexOf('/');
        return colon > 0 && (slash < 0 || colon < slash) ? mUriString.substring(0, colon) : null;
    }

    /** The part after "//" up to the next '/', '?' or '#', or null. */
    public String getAuthority() {
        String scheme = getScheme();
        int start = scheme == null ? 0 : scheme.length() + 1;
        if (!mUriString.startsWith("//", start)) {
            return null;
        }
        int end = start + 2;
        while (end < mUriString.length() && "/?#".indexOf(mUriString.charAt(end)) < 0) {
            end++;
        }
        return mUriString.substring(start + 2, end);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof Uri && mUriString.equals(((Uri) obj).mUriString);
    }

    @Override
    public int hashCode() {
        return mUriString.hashCode();
    }

    @Override
    public String toString() {
        return mUriString;
    }
}
