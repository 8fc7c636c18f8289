package android.accounts;

import android.os.Parcelable;

/** An account: its name and its authenticator's type. */
public class Account implements Parcelable {
    public final String name;
    public final String type;

    public Account(String name, String type) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("the name must not be empty: " + name);
        }
        if (type == null || type.isEmpty()) {
            throw new IllegalArgumentException("the type must not be empty: " + type);
        }
        this.name = name;
        this.type = type;
    }

    @Override
    public int describeContents() {
        return 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Account && name.equals(((Account) o).name) && type.equals(((Account) o).type);
    }

    @Override
    public int hashCode() {
        return 31 * (527 + name.hashCode()) + type.hashCode();
    }

    @Override
    public String toString() {
        return "Account {name=" + name + ", type=" + type + "}";
    }
}
