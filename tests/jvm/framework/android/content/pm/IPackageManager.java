package android.content.pm;

import android.os.RemoteException;
import com.clonespace.bed.InstalledPackage;
import com.clonespace.bed.SystemProviders;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;

/**
 * The package manager's AIDL interface. The Stub (system_server side) is not modelled: the
 * Proxy answers from {@link InstalledPackage}, which stands for PackageManagerService.
 * Only the methods the framework fakes use are declared.
 */
public interface IPackageManager {
    PackageInfo getPackageInfo(String packageName, int flags, int userId) throws RemoteException;

    PackageInfo getPackageInfo(String packageName, long flags, int userId) throws RemoteException;

    ApplicationInfo getApplicationInfo(String packageName, int flags, int userId) throws RemoteException;

    ApplicationInfo getApplicationInfo(String packageName, long flags, int userId) throws RemoteException;

    ProviderInfo resolveContentProvider(String name, int flags, int userId) throws RemoteException;

    ProviderInfo resolveContentProvider(String name, long flags, int userId) throws RemoteException;

    int checkSignatures(String pkg1, String pkg2, int userId) throws RemoteException;

    boolean hasSigningCertificate(String packageName, byte[] certificate, int type) throws RemoteException;

    /** Binder stub; on a phone its subclass lives in system_server. */
    abstract class Stub implements IPackageManager {
        /** The client side; ActivityThread.getPackageManager() holds the process's one instance. */
        public static class Proxy implements IPackageManager {
            public Proxy() {}

            // API 24–32 form (flags int). Hooked by the agent (all getPackageInfo overloads).
            @Override
            public PackageInfo getPackageInfo(String packageName, int flags, int userId) {
                return packageInfo(packageName, flags, userId);
            }

            // API 33–35 form (flags long). Hooked by the agent. Null for a package not installed.
            @Override
            public PackageInfo getPackageInfo(String packageName, long flags, int userId) {
                return packageInfo(packageName, flags, userId);
            }

            // API 24–32 form (flags int). Hooked by the agent (all overloads: the package name).
            @Override
            public ApplicationInfo getApplicationInfo(String packageName, int flags, int userId) {
                return getApplicationInfo(packageName, (long) flags, userId);
            }

            // API 33–35 form (flags long). Hooked by the agent. Null for a package not installed.
            @Override
            public ApplicationInfo getApplicationInfo(String packageName, long flags, int userId) {
                InstalledPackage pkg = InstalledPackage.get();
                return pkg.packageName().equals(packageName) ? pkg.appInfo : null;
            }

            // API 24–32 form (flags int). Hooked by the agent (authority argument).
            @Override
            public ProviderInfo resolveContentProvider(String name, int flags, int userId) {
                return provider(name);
            }

            // API 33–35 form (flags long). Hooked by the agent (authority argument).
            @Override
            public ProviderInfo resolveContentProvider(String name, long flags, int userId) {
                return provider(name);
            }

            // Hooked by the agent. Recent AOSP passes the user id; older releases do not.
            @Override
            public int checkSignatures(String pkg1, String pkg2, int userId) {
                Signature[] a = signers(pkg1);
                Signature[] b = signers(pkg2);
                if (a == null || b == null) {
                    return PackageManager.SIGNATURE_UNKNOWN_PACKAGE;
                }
                return new HashSet<>(Arrays.asList(a)).equals(new HashSet<>(Arrays.asList(b)))
                        ? PackageManager.SIGNATURE_MATCH
                        : PackageManager.SIGNATURE_NO_MATCH;
            }

            // API 28–35. Hooked by the agent.
            @Override
            public boolean hasSigningCertificate(String packageName, byte[] certificate, int type) {
                Signature[] signers = signers(packageName);
                if (signers == null) {
                    return false;
                }
                for (Signature s : signers) {
                    byte[] candidate = type == PackageManager.CERT_INPUT_SHA256 ? sha256(s.toByteArray()) : s.toByteArray();
                    if (Arrays.equals(candidate, certificate)) {
                        return true;
                    }
                }
                return false;
            }

            private static PackageInfo packageInfo(String packageName, long flags, int userId) {
                InstalledPackage pkg = InstalledPackage.get();
                if (!pkg.packageName().equals(packageName)) {
                    return null;
                }
                PackageInfo info = new PackageInfo();
                info.packageName = packageName;
                info.applicationInfo = pkg.appInfo;
                if ((flags & PackageManager.GET_SIGNATURES) != 0) {
                    info.signatures = pkg.signatures();
                }
                if ((flags & PackageManager.GET_SIGNING_CERTIFICATES) != 0) {
                    info.signingInfo = new SigningInfo(pkg.signatures());
                }
                return info;
            }

            private static ProviderInfo provider(String authority) {
                ProviderInfo own = InstalledPackage.get().provider(authority);
                return own != null ? own : SystemProviders.resolve(authority);
            }

            private static Signature[] signers(String packageName) {
                InstalledPackage pkg = InstalledPackage.get();
                return pkg.packageName().equals(packageName) ? pkg.signatures() : null;
            }

            private static byte[] sha256(byte[] data) {
                try {
                    return MessageDigest.getInstance("SHA-256").digest(data);
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
