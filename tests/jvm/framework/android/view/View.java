package android.view;

import android.content.Context;

/** A widget; layout and drawing are not modelled. */
public class View {
    private final Context mContext;

    public View(Context context) {
        mContext = context;
    }

    public final Context getContext() {
        return mContext;
    }
}
