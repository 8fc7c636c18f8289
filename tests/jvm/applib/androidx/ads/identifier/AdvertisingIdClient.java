package androidx.ads.identifier;

import android.content.Context;
import com.clonespace.bed.Device;
import com.google.common.util.concurrent.ListenableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * androidx's advertising id client. The real one binds to the device's advertising id
 * provider (Google Play services); here the id is the device's, and the future is complete.
 */
public class AdvertisingIdClient {
    private static final String PROVIDER_PACKAGE = "com.google.android.gms";

    private AdvertisingIdClient() {}

    public static boolean isAdvertisingIdProviderAvailable(Context context) {
        return true;
    }

    public static ListenableFuture<AdvertisingIdInfo> getAdvertisingIdInfo(Context context) {
        return new Done<>(new AutoValue_AdvertisingIdInfo(Device.get("advertising_id"), PROVIDER_PACKAGE, false));
    }

    /** A future whose value is already there (androidx resolves it on a background thread). */
    private static final class Done<V> implements ListenableFuture<V> {
        private final V mValue;

        Done(V value) {
            mValue = value;
        }

        @Override
        public void addListener(Runnable listener, Executor executor) {
            executor.execute(listener);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public V get() {
            return mValue;
        }

        @Override
        public V get(long timeout, TimeUnit unit) {
            return mValue;
        }
    }
}
