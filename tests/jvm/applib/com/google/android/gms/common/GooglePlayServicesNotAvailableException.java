package com.google.android.gms.common;

/** Google Play services is missing (declared by AdvertisingIdClient; never thrown by the bed). */
public final class GooglePlayServicesNotAvailableException extends Exception {
    public GooglePlayServicesNotAvailableException(int errorCode) {
        super("Google Play services not available: " + errorCode);
    }
}
