package android.telephony;

import com.clonespace.bed.Device;

/** One active SIM subscription (API 22–35); the bed has one, id 1, in slot 0. */
public class SubscriptionInfo {
    private final int mId;

    /** Hidden on Android; made by SubscriptionManager. */
    public SubscriptionInfo(int id) {
        mId = id;
    }

    // API 22–35.
    public int getSubscriptionId() {
        return mId;
    }

    // API 22–35: the SIM's ICCID. Hooked by the agent.
    public String getIccId() {
        return Device.get("iccid");
    }

    // API 22–35 (deprecated in 33): the line's number. Hooked by the agent.
    @Deprecated
    public String getNumber() {
        return Device.get("phone_number");
    }
}
