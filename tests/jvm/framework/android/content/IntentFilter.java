package android.content;

import java.util.ArrayList;
import java.util.List;

/** The actions a receiver accepts (categories, data and priorities are not modelled). */
public class IntentFilter {
    private final List<String> mActions = new ArrayList<>();

    // Both constructors: API 1–35. Hooked by the agent ($init: the action argument).
    public IntentFilter() {}

    public IntentFilter(String action) {
        addAction(action);
    }

    // API 1–35. Hooked by the agent.
    public final void addAction(String action) {
        if (!mActions.contains(action)) {
            mActions.add(action.intern());
        }
    }

    public final int countActions() {
        return mActions.size();
    }

    // API 1–35. Hooked by the agent.
    public final String getAction(int index) {
        return mActions.get(index);
    }

    // API 1–35. Hooked by the agent.
    public final boolean hasAction(String action) {
        return action != null && mActions.contains(action);
    }

    // API 1–35. Hooked by the agent.
    public final boolean matchAction(String action) {
        return hasAction(action);
    }
}
