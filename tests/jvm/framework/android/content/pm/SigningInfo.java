package android.content.pm;

/**
 * The signing certificates of a package (API 28+). On Android it wraps the hidden
 * SigningDetails; here it holds the signers directly (no key rotation history).
 */
public final class SigningInfo {
    private final Signature[] mSigners;

    /** Hidden on Android (built by the package manager); here from the signer list. */
    public SigningInfo(Signature[] signers) {
        mSigners = signers.clone();
    }

    public boolean hasMultipleSigners() {
        return mSigners.length > 1;
    }

    public boolean hasPastSigningCertificates() {
        return false;
    }

    // API 28–35. Hooked by the agent.
    public Signature[] getApkContentsSigners() {
        return mSigners.clone();
    }

    // API 28–35. Hooked by the agent. Null for multiple signers, as on Android.
    public Signature[] getSigningCertificateHistory() {
        return hasMultipleSigners() ? null : mSigners.clone();
    }
}
