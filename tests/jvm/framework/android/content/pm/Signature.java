package android.content.pm;

import java.util.Arrays;

/** A signing certificate (DER bytes); its "chars string" is the lowercase hex of the bytes. */
public class Signature {
    private final byte[] mSignature;

    public Signature(byte[] signature) {
        mSignature = signature.clone();
    }

    /** From the hex form {@link #toCharsString()} produces (either case). */
    public Signature(String text) {
        if (text.length() % 2 != 0) {
            throw new IllegalArgumentException("text size " + text.length() + " is not even");
        }
        mSignature = new byte[text.length() / 2];
        for (int i = 0; i < mSignature.length; i++) {
            mSignature[i] = (byte) ((hexDigit(text.charAt(2 * i)) << 4) | hexDigit(text.charAt(2 * i + 1)));
        }
    }

    private static int hexDigit(char c) {
        int digit = Character.digit(c, 16);
        if (digit < 0) {
            throw new IllegalArgumentException("Invalid character " + c + " in hex string");
        }
        return digit;
    }

    public String toCharsString() {
        StringBuilder sb = new StringBuilder(mSignature.length * 2);
        for (byte b : mSignature) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    public byte[] toByteArray() {
        return mSignature.clone();
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof Signature && Arrays.equals(mSignature, ((Signature) obj).mSignature);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mSignature);
    }
}
