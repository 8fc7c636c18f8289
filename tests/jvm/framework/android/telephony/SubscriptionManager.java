package android.telephony;

import android.content.Context;
import com.clonespace.bed.Device;
import java.util.Collections;
import java.util.List;

/** The "telephony_subscription_service" system service (API 22–35): one SIM, subscription 1. */
public class SubscriptionManager {
    public static final int DEFAULT_SUBSCRIPTION_ID = Integer.MAX_VALUE; // API 22–35

    /** Hidden on Android; made by ContextImpl.getSystemService. */
    public SubscriptionManager(Context context) {}

    // API 22–35 (deprecated in 28).
    @Deprecated
    public static SubscriptionManager from(Context context) {
        return (SubscriptionManager) context.getSystemService(Context.TELEPHONY_SUBSCRIPTION_SERVICE);
    }

    // API 22–35.
    public List<SubscriptionInfo> getActiveSubscriptionInfoList() {
        return Collections.singletonList(new SubscriptionInfo(1));
    }

    // API 22–35.
    public SubscriptionInfo getActiveSubscriptionInfo(int subId) {
        return subId == 1 ? new SubscriptionInfo(1) : null;
    }

    // API 33–35. Hooked by the agent.
    public String getPhoneNumber(int subscriptionId) {
        return Device.get("phone_number");
    }

    // API 33–35 (source: SubscriptionManager.PHONE_NUMBER_SOURCE_*). Hooked by the agent.
    public String getPhoneNumber(int subscriptionId, int source) {
        return Device.get("phone_number");
    }
}
