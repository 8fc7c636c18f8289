package com.google.android.gms.common;

/** Google Play services needs an update (declared by AdvertisingIdClient; never thrown by the bed). */
public class GooglePlayServicesRepairableException extends Exception {
    public GooglePlayServicesRepairableException(String msg) {
        super(msg);
    }
}
