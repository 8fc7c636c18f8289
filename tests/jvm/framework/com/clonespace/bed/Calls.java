package com.clonespace.bed;

import android.accounts.Account;
import android.accounts.AccountManager;
import android.bluetooth.BluetoothAdapter;
import android.content.ContentProviderClient;
import android.content.ContentResolver;
import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import android.content.pm.PackageManager;
import android.database.Cursor;
import android.net.Uri;
import android.net.wifi.WifiManager;
import android.os.Build;
import android.os.Bundle;
import android.os.SystemProperties;
import android.os.UserHandle;
import android.provider.Settings;
import android.telephony.SubscriptionInfo;
import android.telephony.SubscriptionManager;
import android.telephony.TelephonyManager;
import java.io.File;
import java.net.NetworkInterface;
import java.util.StringJoiner;
import java.util.concurrent.Future;

/**
 * The bed's post-start exercises: each name calls one hooked API the way an app does and
 * answers a string. Classes that ship inside the app (advertising id clients, FileProvider)
 * are reached through the app's class loader by reflection: the framework cannot see them.
 */
public final class Calls {
    private static final Uri GSERVICES = Uri.parse("content://" + GservicesProvider.AUTHORITY);

    private Calls() {}

    @SuppressWarnings("deprecation") // getDeviceId, getConnectionInfo: deprecated yet still called by apps
    public static String call(Context ctx, String name, String arg) throws Exception {
        ContentResolver cr = ctx.getContentResolver();
        switch (name) {
            case "settings_secure":
                return Settings.Secure.getString(cr, arg);
            case "settings_global":
                return Settings.Global.getString(cr, arg);
            case "settings_system":
                return Settings.System.getString(cr, arg);
            case "settings_secure_for_user":
                return Settings.Secure.getStringForUser(cr, arg, UserHandle.myUserId());
            case "telephony":
                return telephony((TelephonyManager) ctx.getSystemService(Context.TELEPHONY_SERVICE), arg);
            case "telephony_slot":
                return telephonySlot((TelephonyManager) ctx.getSystemService(Context.TELEPHONY_SERVICE), arg);
            case "build_field":
                // Reflection reads the field's current value (the agent may have replaced it).
                return (String) Build.class.getField(arg).get(null);
            case "build_get_serial":
                return Build.getSerial();
            case "wifi_mac":
                return ((WifiManager) ctx.getSystemService(Context.WIFI_SERVICE)).getConnectionInfo().getMacAddress();
            case "bt_mac":
                return BluetoothAdapter.getDefaultAdapter().getAddress();
            case "netif_mac":
                return interfaceMac(arg);
            case "ad_id":
                return playAdvertisingId(ctx);
            case "ad_id_androidx":
                return androidxAdvertisingId(ctx);
            case "gsf_id":
                return firstValue(cr.query(GSERVICES, null, null, new String[] {"android_id"}, null));
            case "gsf_id_bundle": {
                Bundle args = new Bundle();
                args.putStringArray(ContentResolver.QUERY_ARG_SQL_SELECTION_ARGS, new String[] {"android_id"});
                return firstValue(cr.query(GSERVICES, null, args, null));
            }
            case "sysprop":
                return SystemProperties.get(arg);
            case "accounts":
                return join(AccountManager.get(ctx).getAccounts());
            case "accounts_by_type":
                return join(AccountManager.get(ctx).getAccountsByType(arg));
            case "accounts_by_type_and_features":
                return join(AccountManager.get(ctx).getAccountsByTypeAndFeatures(arg, null, null, null).getResult());
            case "add_account":
                return String.valueOf(AccountManager.get(ctx).addAccountExplicitly(account(arg), null, null));
            case "remove_account":
                return String.valueOf(AccountManager.get(ctx).removeAccountExplicitly(account(arg)));
            case "signature":
                return ctx.getPackageManager().getPackageInfo(ctx.getPackageName(), PackageManager.GET_SIGNATURES)
                        .signatures[0].toCharsString();
            case "signing_info":
                return ctx.getPackageManager().getPackageInfo(ctx.getPackageName(), PackageManager.GET_SIGNING_CERTIFICATES)
                        .signingInfo.getApkContentsSigners()[0].toCharsString();
            case "package_info_of":
                return signatureOf(ctx.getPackageManager(), arg);
            case "acquire_provider":
                return acquire(cr, arg);
            case "resolve_provider":
                return ctx.getPackageManager().resolveContentProvider(arg, 0) != null ? "found" : "missing";
            case "file_provider_uri":
                return fileProviderUri(ctx, arg);
            case "check_permission":
                return ctx.checkSelfPermission(arg) == PackageManager.PERMISSION_GRANTED ? "granted" : "denied";
            case "intent_action":
                return new Intent(arg).getAction();
            case "filter_has_action":
                return String.valueOf(new IntentFilter(arg).hasAction(arg));
            case "broadcast_to_package":
                return OwnPackage.broadcastTo(ctx, arg, false);
            case "pending_broadcast_to_package":
                return OwnPackage.broadcastTo(ctx, arg, true);
            case "start_component":
            case "start_class_name":
            case "start_package":
            case "start_details_settings":
            case "start_details_settings_parts":
            case "start_pending_component":
                return OwnPackage.start(ctx, name.substring("start_".length()), arg);
            case "application_info":
                return OwnPackage.applicationInfo(ctx.getPackageManager(), arg);
            case "launch_intent":
                return OwnPackage.launchIntent(ctx.getPackageManager(), arg);
            case "check_signatures":
                return OwnPackage.checkSignatures(ctx.getPackageManager(), arg);
            case "has_signing_certificate":
                return OwnPackage.hasSigningCertificate(ctx.getPackageManager(), arg);
            case "subscription":
                return subscription(SubscriptionManager.from(ctx), arg);
            default:
                throw new IllegalArgumentException("unknown call " + name);
        }
    }

    @SuppressWarnings("deprecation")
    private static String subscription(SubscriptionManager sm, String method) {
        SubscriptionInfo info = sm.getActiveSubscriptionInfoList().get(0);
        switch (method) {
            case "getIccId":
                return info.getIccId();
            case "getNumber":
                return info.getNumber();
            case "getActiveSubscriptionInfo.getIccId":
                return sm.getActiveSubscriptionInfo(info.getSubscriptionId()).getIccId();
            case "getPhoneNumber":
                return sm.getPhoneNumber(info.getSubscriptionId());
            default:
                throw new IllegalArgumentException("unknown SubscriptionManager method " + method);
        }
    }

    @SuppressWarnings("deprecation")
    private static String telephony(TelephonyManager tm, String method) {
        switch (method) {
            case "getDeviceId":
                return tm.getDeviceId();
            case "getImei":
                return tm.getImei();
            case "getMeid":
                return tm.getMeid();
            case "getSubscriberId":
                return tm.getSubscriberId();
            case "getSimSerialNumber":
                return tm.getSimSerialNumber();
            case "getLine1Number":
                return tm.getLine1Number();
            case "getSimOperator":
                return tm.getSimOperator();
            case "getNetworkOperator":
                return tm.getNetworkOperator();
            case "getSimOperatorName":
                return tm.getSimOperatorName();
            case "getNetworkOperatorName":
                return tm.getNetworkOperatorName();
            case "getSimCountryIso":
                return tm.getSimCountryIso();
            case "getNetworkCountryIso":
                return tm.getNetworkCountryIso();
            default:
                throw new IllegalArgumentException("unknown TelephonyManager method " + method);
        }
    }

    @SuppressWarnings("deprecation")
    private static String telephonySlot(TelephonyManager tm, String method) {
        switch (method) {
            case "getDeviceId":
                return tm.getDeviceId(0);
            case "getImei":
                return tm.getImei(0);
            case "getMeid":
                return tm.getMeid(0);
            case "getSubscriberId":
                return tm.getSubscriberId(0);
            case "getSimSerialNumber":
                return tm.getSimSerialNumber(0);
            case "getLine1Number":
                return tm.getLine1Number(0);
            case "getSimOperator":
                return tm.getSimOperator(0);
            case "getNetworkOperator":
                return tm.getNetworkOperator(0);
            case "getSimOperatorName":
                return tm.getSimOperatorName(0);
            case "getNetworkOperatorName":
                return tm.getNetworkOperatorName(0);
            case "getSimCountryIso":
                return TelephonyManager.getSimCountryIso(0);
            case "getNetworkCountryIso":
                return tm.getNetworkCountryIso(0);
            default:
                throw new IllegalArgumentException("unknown TelephonyManager method " + method);
        }
    }

    /** The JDK's NetworkInterface (not a fake): "null" when there is no such interface or address. */
    private static String interfaceMac(String name) throws Exception {
        NetworkInterface nif = NetworkInterface.getByName(name);
        byte[] mac = nif == null ? null : nif.getHardwareAddress();
        if (mac == null) {
            return "null";
        }
        StringJoiner out = new StringJoiner(":");
        for (byte b : mac) {
            out.add(String.format("%02x", b & 0xff));
        }
        return out.toString();
    }

    private static String playAdvertisingId(Context ctx) throws Exception {
        ClassLoader app = ctx.getClassLoader();
        Class<?> client = Class.forName("com.google.android.gms.ads.identifier.AdvertisingIdClient", true, app);
        Class<?> info = Class.forName("com.google.android.gms.ads.identifier.AdvertisingIdClient$Info", true, app);
        Object result = client.getMethod("getAdvertisingIdInfo", Context.class).invoke(null, ctx);
        return (String) info.getMethod("getId").invoke(result);
    }

    private static String androidxAdvertisingId(Context ctx) throws Exception {
        ClassLoader app = ctx.getClassLoader();
        Class<?> client = Class.forName("androidx.ads.identifier.AdvertisingIdClient", true, app);
        Class<?> info = Class.forName("androidx.ads.identifier.AdvertisingIdInfo", true, app);
        Future<?> future = (Future<?>) client.getMethod("getAdvertisingIdInfo", Context.class).invoke(null, ctx);
        return (String) info.getMethod("getId").invoke(future.get());
    }

    private static String fileProviderUri(Context ctx, String authority) throws Exception {
        Class<?> provider = Class.forName("androidx.core.content.FileProvider", true, ctx.getClassLoader());
        File file = new File(ctx.getFilesDir(), "probe.txt");
        Object uri = provider.getMethod("getUriForFile", Context.class, String.class, File.class).invoke(null, ctx, authority, file);
        return uri.toString();
    }

    /** The value column of the first row, or "null" (no provider, or no row). */
    private static String firstValue(Cursor cursor) {
        if (cursor == null) {
            return "null";
        }
        try {
            return cursor.moveToFirst() ? cursor.getString(cursor.getColumnIndex("value")) : "null";
        } finally {
            cursor.close();
        }
    }

    private static String signatureOf(PackageManager pm, String packageName) {
        try {
            return pm.getPackageInfo(packageName, PackageManager.GET_SIGNATURES).signatures[0].toCharsString();
        } catch (PackageManager.NameNotFoundException e) {
            return "null";
        }
    }

    private static String acquire(ContentResolver cr, String authority) {
        ContentProviderClient client = cr.acquireContentProviderClient(authority);
        if (client == null) {
            return "missing";
        }
        client.close();
        return "found";
    }

    /** "type:name" → the account. */
    private static Account account(String typeAndName) {
        int colon = typeAndName.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected type:name, got " + typeAndName);
        }
        return new Account(typeAndName.substring(colon + 1), typeAndName.substring(0, colon));
    }

    private static String join(Account[] accounts) {
        StringJoiner out = new StringJoiner(",");
        for (Account a : accounts) {
            out.add(a.type + ":" + a.name);
        }
        return out.toString();
    }
}
