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

    /** API 1–35: {@code scheme:ssp#fragment} (the bed does not encode). */
    public static Uri fromParts(String scheme, String ssp, String fragment) {
        if (scheme == null || ssp == null) {
            throw new NullPointerException(scheme == null ? "scheme" : "ssp");
        }
        return new Uri(scheme + ":" + ssp + (fragment == null ? "" : "#" + fragment));
    }

    /** API 1–35: what follows the scheme's ':' up to a '#'. */
    public String getSchemeSpecificPart() {
        String scheme = getScheme();
        String rest = scheme == null ? mUriString : mUriString.substring(scheme.length() + 1);
        int hash = rest.indexOf('#');
        return hash < 0 ? rest : rest.substring(0, hash);
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
