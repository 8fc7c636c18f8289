/*
 * A stand-in for the Frida Gadget, for the JVM test bed (not the Gadget: no Gadget binary
 * is to be had here). It does what the Gadget does in script mode, from the outside: while
 * the clone's boot loader is inside System.loadLibrary, it holds the loading thread until
 * the bed's host has loaded the script beside this library (lib<name>.script.so) with the
 * parameters of lib<name>.config.so and its init has returned. The real Gadget runs the
 * script in-process at the same moment, also before System.loadLibrary returns.
 *
 * It waits in JNI_OnLoad, not in a constructor: during constructors the thread holds the
 * dynamic loader's lock, and Frida, injecting from outside, needs that lock (dladdr).
 * JNI_OnLoad runs after dlopen has returned and before System.loadLibrary does.
 *
 * Protocol, over the socket named by CLONESPACE_BED_FD: the library writes
 * "loading <its own path>\n", then waits for one byte: 'g' to go on. Anything else, or the
 * socket closing, ends the process with status 125: a clone whose payload fails to start
 * does not run on unhooked.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define JNI_VERSION_1_6 0x00010006

int JNI_OnLoad(void *vm, void *reserved)
{
    const char *fd_text = getenv("CLONESPACE_BED_FD");
    Dl_info self;
    char answer = 0;
    int fd;

    (void)vm;
    (void)reserved;
    if (fd_text == NULL || dladdr((void *)JNI_OnLoad, &self) == 0) {
        return JNI_VERSION_1_6;
    }
    fd = atoi(fd_text);
    if (dprintf(fd, "loading %s\n", self.dli_fname) < 0 || read(fd, &answer, 1) != 1 ||
        answer != 'g') {
        _exit(125);
    }
    return JNI_VERSION_1_6;
}
