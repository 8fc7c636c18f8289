package android.telephony;

import android.content.Context;
import com.clonespace.bed.Device;

/**
 * The "phone" system service: one SIM, slot 0. Every identity method the agent hooks is here
 * with each overload Android has for it in API 24–35; the int overloads ignore the slot or
 * subscription (a single-SIM device). All are hooked by the agent (every overload).
 */
public class TelephonyManager {
    /** Hidden on Android; made by ContextImpl.getSystemService. */
    public TelephonyManager(Context context) {}

    /** API 1–35 (deprecated in 26). */
    @Deprecated
    public String getDeviceId() {
        return Device.get("imei");
    }

    /** API 23–35 (deprecated in 26). */
    @Deprecated
    public String getDeviceId(int slotIndex) {
        return Device.get("imei");
    }

    /** API 26–35. */
    public String getImei() {
        return Device.get("imei");
    }

    /** API 26–35. */
    public String getImei(int slotIndex) {
        return Device.get("imei");
    }

    /** API 26–35. */
    public String getMeid() {
        return Device.get("meid");
    }

    /** API 26–35. */
    public String getMeid(int slotIndex) {
        return Device.get("meid");
    }

    /** API 1–35. */
    public String getSubscriberId() {
        return Device.get("imsi");
    }

    /** API 22–35 (hidden). */
    public String getSubscriberId(int subId) {
        return Device.get("imsi");
    }

    /** API 1–35. */
    public String getSimSerialNumber() {
        return Device.get("iccid");
    }

    /** API 22–35 (hidden). */
    public String getSimSerialNumber(int subId) {
        return Device.get("iccid");
    }

    /** API 1–35. */
    public String getLine1Number() {
        return Device.get("phone_number");
    }

    /** API 22–35 (hidden). */
    public String getLine1Number(int subId) {
        return Device.get("phone_number");
    }

    /** API 1–35. */
    public String getSimOperator() {
        return Device.get("sim_operator");
    }

    /** API 22–35 (hidden). */
    public String getSimOperator(int subId) {
        return Device.get("sim_operator");
    }

    /** API 1–35. */
    public String getNetworkOperator() {
        return Device.get("sim_operator");
    }

    /** API 22–35 (hidden). */
    public String getNetworkOperator(int subId) {
        return Device.get("sim_operator");
    }

    /** API 1–35. */
    public String getSimOperatorName() {
        return Device.get("sim_operator_name");
    }

    /** API 22–35 (hidden). */
    public String getSimOperatorName(int subId) {
        return Device.get("sim_operator_name");
    }

    /** API 1–35. */
    public String getNetworkOperatorName() {
        return Device.get("sim_operator_name");
    }

    /** API 22–35 (hidden). */
    public String getNetworkOperatorName(int subId) {
        return Device.get("sim_operator_name");
    }

    /** API 1–35. */
    public String getSimCountryIso() {
        return Device.get("sim_country_iso");
    }

    /**
     * Hidden. An instance method in API 22–29, static since API 30; a class has one or the
     * other, and the bed models the API 30+ (static) form.
     */
    public static String getSimCountryIso(int subId) {
        return Device.get("sim_country_iso");
    }

    /** API 1–35. */
    public String getNetworkCountryIso() {
        return Device.get("sim_country_iso");
    }

    /** Hidden getNetworkCountryIso(int subId) in API 22–29; public (int slotIndex) since API 30. */
    public String getNetworkCountryIso(int slotIndex) {
        return Device.get("sim_country_iso");
    }
}
