package android.os;

/** An object that can cross a binder call. The bed has no Parcel: it only marks the type. */
public interface Parcelable {
    int describeContents();
}
