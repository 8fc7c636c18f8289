package android.view;

import android.content.ContextWrapper;

/** The ContextWrapper activities extend (themes are not modelled). */
public class ContextThemeWrapper extends ContextWrapper {
    public ContextThemeWrapper() {
        super(null);
    }
}
